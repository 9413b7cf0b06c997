"""The Python API: `evaluate` a case (path, dict or model) into a `Decision`.

The CLI and the HTTP service are thin layers over these functions.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from . import facts as factlib
from . import rulebook
from .decision import Authority, Decision
from .engine import Engine
from .errors import EngineError, InputError
from .jurisdiction import Jurisdiction
from .loading import read_document, validation_problems
from .models import Case

CaseInput = Case | dict | str | Path


@lru_cache(maxsize=1)
def jurisdiction() -> Jurisdiction:
    return Jurisdiction()


@lru_cache(maxsize=1)
def engine() -> Engine:
    return Engine(rulebook.load().durable_ruleset())


def load_case(case: CaseInput, source: str | None = None) -> tuple[Case, str]:
    """Read and validate a case; InputError names the file, field path and problem."""
    if isinstance(case, Case):
        return case, source or f"case {case.id}"
    if isinstance(case, (str, Path)):
        source = source or str(case)
        case = read_document(case)
    source = source or "<case>"
    if not isinstance(case, dict):
        kind = "a list" if isinstance(case, list) else "empty" if case is None else type(case).__name__
        raise InputError(source, [("", f"a case file is a mapping of fields (schema landapproval/v1), got {kind}")])
    try:
        return Case.model_validate(case), source
    except ValidationError as error:
        raise InputError(source, validation_problems(error)) from None


def validate(case: CaseInput, source: str | None = None) -> Case:
    """Validate fully (contract, county, zone), without evaluating."""
    model, source = load_case(case, source)
    factlib.resolve(model, jurisdiction(), source)
    return model


def evaluate(case: CaseInput, *, as_of: dt.date | None = None, source: str | None = None,
             today: dt.date | None = None) -> Decision:
    """Decide who approves the conversion and the expropriation, and what still blocks the case."""
    model, source = load_case(case, source)
    juris = jurisdiction()
    ctx = factlib.resolve(model, juris, source, as_of=as_of, today=today)
    sums = factlib.totals(model)
    facts = factlib.authority_facts(model, ctx, sums, juris)
    book = rulebook.load()
    fired = engine().fire(facts.values)

    outcomes = {name: _decide_table(book.tables[name], fired, facts) for name in book.tables}
    conversion, expropriation = outcomes["conversion"], outcomes["expropriation"]
    together = bool(conversion and expropriation and conversion.level == expropriation.level)

    return Decision(
        case=model.id,
        as_of=ctx.as_of,
        as_of_source=ctx.as_of_source,
        county={"code": ctx.county.code, "name": ctx.county.name},
        totals={"conversion": sums.conversion, "expropriation": sums.expropriation},
        conversion=conversion,
        expropriation=expropriation,
        together=together,
        together_reason=book.together["reason"],
        checks=(),
        steps=(),
        next_step=None,
        blocking=(),
        approvable=False,
        fired=tuple(fired),
        facts=dict(facts.shown),
    )


def _decide_table(table: rulebook.Table, fired: list[str], facts: factlib.Facts) -> Authority | None:
    hits = [rule for rule in table.rules if rule.id in fired]
    if len(hits) != 1:
        # the compiler makes table rules mutually exclusive and exhaustive; anything else is a defect
        raise EngineError(f"decision table {table.name}: expected exactly one rule, got {[r.id for r in hits]}")
    rule = hits[0]
    if rule.outcome is None:
        return None
    used = sorted(rule.when.facts_used())
    return Authority(
        level=rule.outcome["level"], mode=rule.outcome["mode"], rule=rule.id,
        citations=(str(rule.cite),), reasons=(rule.reason,),
        facts={name: facts.shown[name] for name in used if name in facts.shown},
    )
