"""The Python API: `evaluate` a case (path, dict, text or model) into a `Decision`.

Thin on purpose: reading and validation are the intake layer's, assembly the decision layer's; the
CLI, the batch runner and the HTTP service call these functions. Each takes an optional `law`
(`landapproval.Law.from_dir(path)` for another rules folder); without one, the rules shipped with
the package, compiled once per process.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from landapproval.contract.models import Case
from landapproval.core.errors import InputError, Text
from landapproval.decision import facts as factlib
from landapproval.decision.assemble import assemble
from landapproval.decision.model import Decision
from landapproval.core.reader import with_lines
from landapproval.intake.validation import CaseInput, load_with_text, placed, read_case_text
from landapproval.law import Law

__all__ = ["CaseInput", "evaluate", "evaluate_text", "load_case", "read_case_text", "validate"]


def load_case(case: CaseInput, source: str | None = None, notes: list[Text] | None = None, *,
              law: Law | None = None) -> tuple[Case, str]:
    """Read and validate a case; InputError names the file, field path (and line) and problem.

    `notes`, when given, receives what the reader noted on the way (e.g. a GBK file)."""
    law = law or Law.default()
    model, source, _ = load_with_text(law.catalogue, case, source, notes, law.jurisdiction)
    return model, source


def validate(case: CaseInput, source: str | None = None, notes: list[Text] | None = None, *,
             law: Law | None = None) -> Case:
    """Validate fully (contract, county, zone), without evaluating."""
    law = law or Law.default()
    model, source, text = load_with_text(law.catalogue, case, source, notes, law.jurisdiction)
    _resolve(law, model, source, text)
    return model


def _resolve(law: Law, model: Case, source: str, text: str, **dates) -> factlib.Context:
    """The county, the zone and the as-of date; their problems carry the file's line numbers."""
    try:
        return factlib.resolve(model, law.jurisdiction, source, **dates)
    except InputError as error:
        problems = placed(law.catalogue, with_lines(error.problems, text) if text else error.problems, None)
        raise InputError(error.source, problems, more=error.more, notes=error.notes) from None


def evaluate(case: CaseInput, *, as_of: dt.date | None = None, source: str | None = None,
             today: dt.date | None = None, layers: Any = None, base_dir: str | Path | None = None,
             notes: list[Text] | None = None, law: Law | None = None) -> Decision:
    """Decide who approves the conversion and the expropriation, and what still blocks the case.

    `layers` (a layers YAML path or a loaded `geo.LayerSet`) and parcel boundaries bring in the
    map: measured facts are compared with the declared ones, and where they change the approving
    authority the decision uses the measured facts and says so. `base_dir` resolves boundary
    paths of a case given as a dict (a case file's own folder otherwise).
    """
    law = law or Law.default()
    if isinstance(case, (str, Path)) and base_dir is None:
        base_dir = Path(case).parent
    model, source, text = load_with_text(law.catalogue, case, source, notes, law.jurisdiction)
    ctx = _resolve(law, model, source, text, as_of=as_of, today=today)
    return assemble(law, model, ctx, source, as_of=as_of, today=today, layers=layers,
                    base_dir=Path(base_dir) if base_dir is not None else None)


def evaluate_text(text: str | bytes, *, format: Literal["yaml", "json"] = "yaml", as_of: dt.date | None = None,
                  source: str = "text", today: dt.date | None = None, layers: Any = None,
                  law: Law | None = None) -> Decision:
    """Evaluate a case given as text (from a request, a queue, a database field): see read_case_text."""
    return evaluate(read_case_text(text, format=format, source=source), as_of=as_of, source=source,
                    today=today, layers=layers, law=law)
