"""The Python API: `evaluate` a case (path, dict, text or model) into a `Decision`.

Thin on purpose: reading and validation are the intake layer's, assembly the decision layer's; the
CLI, the batch runner and the HTTP service call these functions. Each takes an optional `law`
(`landapproval.Law.from_dir(path)` for another rules folder); without one, the rules shipped with
the package, compiled once per process.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable, Literal

from landapproval.contract.models import Case
from landapproval.core.errors import ArgumentError, InputError, MissingExtraError, Problem, Text, extra_for
from landapproval.decision import facts as factlib
from landapproval.decision import sources as _sources  # noqa: F401 - every Law checks its facts' sources
from landapproval.decision.assemble import assemble
from landapproval.decision.model import Decision
from landapproval.decision.words import rules_note
from landapproval.core.values import Message
from landapproval.core.reader import decode, with_lines
from landapproval.intake.validation import CaseInput, load_with_text, placed, read_case_text
from landapproval.law import Law

__all__ = ["AsOf", "CaseInput", "rules_for", "evaluate", "evaluate_text", "load_case", "read_case_text", "validate"]


AsOf = dt.date | str  # a date, a datetime (its date) or ISO text ("2024-09-10")
# what the case register adds about the other cases: (case, context) -> {"facts": …, "findings": …}
CrossCase = Callable[[Case, factlib.Context], dict[str, Any]]


def _day(value: object, parameter: str) -> dt.date | None:
    """`as_of`/`today` as a date: a date, a datetime (its calendar date) or ISO text; anything else
    is an ArgumentError naming the parameter (never a bare TypeError deep in the engine)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            try:
                return dt.datetime.fromisoformat(value.strip()).date()
            except ValueError:
                pass
        raise ArgumentError(parameter, value, Text(
            f"{parameter} 应为日期（datetime.date）或 ISO 日期文本（如 \"2024-09-10\"），实为 {value!r}",
            f"{parameter} must be a date (datetime.date) or ISO date text such as \"2024-09-10\", got {value!r}"))
    raise ArgumentError(parameter, value, Text(
        f"{parameter} 应为 datetime.date、datetime.datetime 或 ISO 日期文本，实为 {type(value).__name__}",
        f"{parameter} must be a datetime.date, a datetime.datetime or ISO date text, "
        f"got a {type(value).__name__}"))


def _looks_like_text(case: object) -> bool:
    """A str that is case text rather than a path: several lines, a JSON object, or too long to be a name."""
    if not isinstance(case, str):
        return False
    head = case.lstrip()
    return "\n" in case or head.startswith(("{", "[")) or len(case.encode("utf-8", "replace")) > 1024


def _is_file(name: str) -> bool:
    try:
        return Path(name).is_file()
    except (OSError, ValueError):  # too long for a file name, or a NUL in it
        return False


def _not_a_path(case: str) -> ArgumentError:
    return ArgumentError("case", case[:60] + ("…" if len(case) > 60 else ""), Text(
        "这是案件文本而不是文件路径：文本请用 landapproval.evaluate_text(text)（evaluate 接受路径、字典或 Case）",
        "this is case text, not a file path: evaluate text with landapproval.evaluate_text(text) "
        "(evaluate takes a path, a dict or a Case)"))


def _load(law: Law, case: CaseInput, source: str | None, notes: list[Text] | None,
          text: str = "") -> tuple[Case, str, str]:
    """load_with_text; where the case came as text (evaluate_text), its problems carry its line numbers."""
    if _looks_like_text(case) and not _is_file(str(case)):
        raise _not_a_path(str(case))
    try:
        model, source, read = load_with_text(law.catalogue, case, source, notes, law.jurisdiction)
    except InputError as error:
        if not text:
            raise
        raise _with_lines(error, text) from None
    return model, source, read or text


def _with_lines(error: InputError, text: str) -> InputError:
    rebuilt = type(error).__new__(type(error))
    InputError.__init__(rebuilt, error.source, with_lines(error.problems, text), more=error.more, notes=error.notes)
    return rebuilt


def load_case(case: CaseInput, source: str | None = None, notes: list[Text] | None = None, *,
              law: Law | None = None) -> tuple[Case, str]:
    """Read and validate a case; InputError names the file, field path (and line) and problem.

    `notes`, when given, receives what the reader noted on the way (e.g. a GBK file)."""
    model, source, _ = _load(law or Law.default(), case, source, notes)
    return model, source


def validate(case: CaseInput, source: str | None = None, notes: list[Text] | None = None, *,
             law: Law | None = None) -> Case:
    """Validate fully (contract, county, zone), without evaluating."""
    law = law or Law.default()
    model, source, text = _load(law, case, source, notes)
    _resolve(law, model, source, text)
    return model


def _resolve(law: Law, model: Case, source: str, text: str, as_of: dt.date | None = None,
             today: dt.date | None = None) -> factlib.Context:
    """The county, the zone and the as-of date; their problems carry the file's line numbers, and
    a date given as an argument is named as the Python parameter `as_of` (the CLI's is --as-of)."""
    try:
        return factlib.resolve(model, law.jurisdiction, source, as_of=as_of, today=today)
    except InputError as error:
        problems = [Problem("as_of", p.text, p.line, p.suggestions) if p.path == "--as-of" else p
                    for p in error.problems]
        # located in words as the official wrote them (地块 P2（第 2 个地块）的 耕地), with the file's lines
        problems = placed(law.catalogue, with_lines(problems, text) if text else problems, None)
        # the same error, its class and fields kept (e.g. OutsideCoveredPeriod), with the renamed paths
        error.problems = problems
        error.args = (error.describe(),)
        raise error from None


def evaluate(case: CaseInput, *, as_of: AsOf | None = None, source: str | None = None,
             today: AsOf | None = None, layers: Any = None, base_dir: str | Path | None = None,
             notes: list[Text] | None = None, law: Law | None = None,
             cross_case: CrossCase | None = None) -> Decision:
    """Decide who approves the conversion and the expropriation, and what still blocks the case.

    `case`: a path to a case file, a dict (as parsed from YAML/JSON) or a `Case`; case *text* goes
    to `evaluate_text`. `as_of`: the date whose law applies (a date, a datetime or ISO text;
    default: the case's decision date, else its filing date, else today).
    `layers` (a layers YAML path or a loaded `geo.LayerSet`) and parcel boundaries bring in the
    map: measured facts are compared with the declared ones, and where they change the approving
    authority the decision uses the measured facts and says so. `base_dir` resolves boundary
    paths of a case given as a dict (a case file's own folder otherwise). `cross_case` (a callable
    `(model, ctx) -> {"facts": {...}, "findings": {item: [Finding]}}`, landapproval.register) adds
    what the case register knows about the other cases.

    Raises an `InputError` (field path, line, problem), `ArgumentError` (a parameter),
    `MissingExtraError` (a boundary without the geo extra installed) — all `LandApprovalError`.
    """
    return _evaluate(case, as_of=as_of, source=source, today=today, layers=layers, base_dir=base_dir,
                     notes=notes, law=law, cross_case=cross_case)


def _evaluate(case: CaseInput, *, as_of: object, source: str | None, today: object, layers: Any,
              base_dir: str | Path | None, notes: list[Text] | None, law: Law | None, text: str = "",
              cross_case: CrossCase | None = None) -> Decision:
    day, on = _day(as_of, "as_of"), _day(today, "today")
    law = law or Law.default()
    if isinstance(case, (str, Path)) and base_dir is None and not _looks_like_text(case):
        base_dir = Path(case).parent
    model, source, text = _load(law, case, source, notes, text)
    ctx = _resolve(law, model, source, text, as_of=day, today=on)
    try:
        return assemble(law, model, ctx, source, as_of=day, today=on, layers=layers,
                        base_dir=Path(base_dir) if base_dir is not None else None,
                        cross_case=cross_case(model, ctx) if cross_case is not None else None)
    except ModuleNotFoundError as error:
        extra = extra_for(error.name)
        if extra is None:
            raise
        asked = next((f"parcels[{i}].boundary" for i, p in enumerate(model.parcels) if p.boundary), "layers")
        raise MissingExtraError(source, extra, str(error.name), asked) from error


def evaluate_text(text: str | bytes, *, format: Literal["yaml", "json"] = "yaml", as_of: AsOf | None = None,
                  source: str = "text", today: AsOf | None = None, layers: Any = None,
                  law: Law | None = None) -> Decision:
    """Evaluate a case given as text (from a request, a queue, a database field): see read_case_text.
    Problems carry the text's line numbers, as they would for the same text in a file."""
    if isinstance(text, bytes):
        plain, _ = decode(text, source)
    else:
        plain = text
    return _evaluate(read_case_text(text, format=format, source=source), as_of=as_of, source=source,
                     today=today, layers=layers, base_dir=None, notes=None, law=law, text=plain)


def rules_for(decision: Decision, *laws: Law) -> tuple[Law, Message | None]:
    """The law to render a stored decision with: the one whose rules have the decision's own
    fingerprint (`decision.law["rules_sha256"]`) among `laws` and the shipped rules. If none has
    it, the first of `laws` (else the shipped rules) and a note saying the texts shown are that
    law's, not the decision's — print it with the rendering."""
    stored = decision.law.get("rules_sha256", "")
    candidates = [*laws, Law.default()]
    for law in candidates:
        if law.fingerprint == stored:
            return law, None
    law = candidates[0]
    return law, rules_note(decision, law.fingerprint)
