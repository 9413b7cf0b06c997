"""Decision assembly: a validated case, resolved, through the rules into one `Decision`.

Stage 1 (who approves) and stage 2 (C1–C8, S1–S6) run in the law's engine; each fired rule becomes
a Finding with the figures it read, in both languages. With boundaries (and layers), the map is
measured first (decision.mapfacts); where the facts adopted from the map change the approving
authority, the decision follows the map and says so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence

from landapproval.contract.models import Case
from landapproval.core.errors import EngineError
from landapproval.core.values import Message
from landapproval.decision import facts as factlib
from landapproval.decision.findings import Figures, finding_from_rule
from landapproval.decision.model import Authority, Check, CheckStatus, Decision, Finding, Step, StepStatus
from landapproval.law import Law
from landapproval.law.rulebook import RuleBook
from landapproval.law.types import Item, Rule, Table


def assemble(law: Law, model: Case, ctx: factlib.Context, source: str, *, as_of: dt.date | None = None,
             today: dt.date | None = None, layers: Any = None, base_dir: Path | None = None,
             cross_case: dict[str, Any] | None = None) -> Decision:
    """The decision on `model` (validated, resolved to `ctx`), with the map where the case has one.

    `cross_case` ({"facts": {name: value}, "findings": {item: [Finding]}}, from landapproval.register):
    what the case register knows across cases; its facts replace the review facts of that name, its
    findings join their items'."""
    if layers is None and not any(p.boundary for p in model.parcels):
        return decide(law, model, ctx, cross_case=cross_case)

    from landapproval.decision.mapfacts import measure_case  # imports shapely & co. only for cases that use the map

    juris = law.jurisdiction
    geo = measure_case(law, model, source, Path(base_dir or "."), layers, ctx)
    decision = decide(law, model, ctx, geo.findings_by_check, geo.json, cross_case=cross_case)
    if geo.measured_case is not None:  # rules/map.yaml adopted measured facts
        measured_ctx = factlib.resolve(geo.measured_case, juris, source, as_of=as_of, today=today)
        measured = decide(law, geo.measured_case, measured_ctx, geo.findings_by_check, geo.json, cross_case=cross_case)
        if geo.undeclared:  # where the case declares nothing, the measured facts are the facts
            decision = measured
        elif _routes(measured) != _routes(decision):
            item, note = geo.authority_note(law, _routes(decision), _routes(measured))
            extra = {**geo.findings_by_check, item: [*geo.findings_by_check.get(item, []), note]}
            decision = decide(law, geo.measured_case, measured_ctx, extra, geo.json, cross_case=cross_case)
    return dataclasses.replace(decision, fired=geo.fired + decision.fired,
                               engine_facts={**decision.engine_facts, **geo.engine_facts})


def _routes(decision: Decision) -> tuple[tuple[str, str] | None, ...]:
    return tuple((a.level, a.mode) if a else None for a in (decision.conversion, decision.expropriation))


def decide(law: Law, model: Case, ctx: factlib.Context, extra_findings: dict[str, list[Finding]] | None = None,
           geometry: dict[str, Any] | None = None, cross_case: dict[str, Any] | None = None) -> Decision:
    """One pass of the rules over a validated, resolved case."""
    juris = law.jurisdiction
    sums = factlib.totals(model)
    book = law.as_of(ctx.as_of)  # texts name the parameter values in force that day
    rules = law.engine
    figures = Figures(law, book)

    # stage 1: who approves
    facts = factlib.authority_facts(model, ctx, sums, juris)
    fired = rules.fire("authority", facts.values)
    outcomes = {name: _decide_table(book.tables[name], fired, facts) for name in book.tables}
    conversion, expropriation = outcomes["conversion"], outcomes["expropriation"]

    # stage 2: what the review and the workflow still lack (they read stage 1's outcome)
    review = factlib.review_facts(model, ctx, sums, law, conversion.level if conversion else None,
                                  expropriation.level if expropriation else None)
    for name, value in (cross_case or {}).get("facts", {}).items():
        review.set(name, value)
    review_fired = rules.fire("review", review.values)
    extra: dict[str, Sequence[Finding]] = dict(extra_findings or {})
    for item_id, more in (cross_case or {}).get("findings", {}).items():
        extra[item_id] = (*extra.get(item_id, ()), *more)
    hits = set(review_fired)
    together = book.together["id"] in hits  # LAL Art. 46 ¶3, rules/authority.yaml `together`
    gaps, calendars = _calendar_findings(book, hits, review)
    for item_id, gap_findings in gaps.items():
        extra[item_id] = (*extra.get(item_id, ()), *gap_findings)
    fired_on: dict[str, list[tuple[int, Rule]]] = {}  # the finding rules that fired, by item, in the item's order
    index = book.finding_index
    for rule_id in review_fired:
        if rule_id in index:
            item_id, place, rule = index[rule_id]
            fired_on.setdefault(item_id, []).append((place, rule))
    found = {item_id: tuple(finding_from_rule(rule, review.shown, figures) for _, rule in sorted(pairs, key=_first))
             for item_id, pairs in fired_on.items()}
    checks = tuple(_check(item, hits, found, extra.get(item.id, ())) for item in book.checks)
    steps = _steps(book, hits, review, found, checks, extra)
    findings = [f for c in checks for f in c.findings] + [f for s in steps for f in s.findings]
    blocking = tuple(f.code for f in findings if f.severity == "blocking")
    approvable = not blocking and all(c.status in ("pass", "not_applicable") for c in checks)
    next_step = next((s.id for s in steps if s.status in ("pending", "blocked")), None)

    return Decision(
        case=model.id,
        as_of=ctx.as_of,
        as_of_source=ctx.as_of_source,
        county={"code": ctx.county.code, "name": ctx.county.name},
        totals={"conversion": sums.conversion, "expropriation": sums.expropriation},
        conversion=conversion,
        expropriation=expropriation,
        together=together,
        checks=checks,
        steps=steps,
        next_step=next_step,
        blocking=blocking,
        approvable=approvable,
        fired=tuple(fired + review_fired),
        facts={**facts.shown, **review.shown},
        geometry=geometry,
        law=law.info(),
        parcels=tuple({"id": p.id, "ownership": p.ownership, "expropriate": model.expropriates(p),
                       "land": p.land.model_dump()} for p in model.parcels),
        calendars=calendars,
        engine_facts={"authority": facts.values, "review": review.values},
    )


def _calendar_findings(book: RuleBook, hits: set[str], facts: factlib.Facts
                       ) -> tuple[dict[str, list[Finding]], tuple[dict[str, Any], ...]]:
    """Periods whose end needs a calendar year nobody supplied, and user calendars used.

    A missing year stops only the deadline it affects: each applicable item or step that reads
    the period gets a missing-evidence finding naming the year and how to add it (a review item
    is then incomplete; a step keeps its status, its due date unknown). Who approves and every
    other check are still decided. A period counted on a user's rules/calendar/YYYY.yaml is
    listed with the notice it names, so the decision says which calendar it used."""
    gaps: dict[str, list[Finding]] = {}
    gaps_of_item: dict[str, list[tuple[str, int, list[Any], Item]]] = {}
    used: dict[int, dict[str, Any]] = {}
    for item in book.checks + book.steps:
        if item.na_rule in hits:
            continue
        for name in (*facts.calendar_gaps, *facts.calendars_used):
            # the time limit itself (a blocking rule) is the clause to cite, before rules that only compare with it
            readers = sorted((rule for rule in item.rules if name in rule.used and rule.extra.get("kind") != "pending"),
                             key=lambda rule: rule.extra.get("severity") != "blocking")
            if item.due != name and not readers:
                continue
            for supplied in facts.calendars_used.get(name, ()):
                used[supplied.year] = {"year": supplied.year, "source": supplied.source, "file": supplied.file}
            error = facts.calendar_gaps.get(name)
            if error is None:
                continue
            gaps_of_item.setdefault(item.id, []).append((name, error.year, readers, item))
    # one finding per item (a finding code is unique within its item): the periods the missing
    # years stop are named together, citing the first period's time limit
    for item_id, periods in gaps_of_item.items():
        labels = [book.catalogue.get(name, {}) for name, *_ in periods]
        zh = "、".join(label.get("zh", name) for label, (name, *_) in zip(labels, periods))
        en = " and the ".join(label.get("en", name) for label, (name, *_) in zip(labels, periods))
        years = sorted({year for _, year, _, _ in periods})
        zh_years, en_years = "、".join(f"{y}年" for y in years), " and ".join(map(str, years))
        files = tuple(f"rules/calendar/{y}.yaml" for y in years)
        _, _, readers, item = periods[0]
        gaps.setdefault(item_id, []).append(Finding(
            code=f"{item_id}.calendar_year_missing", severity="correctable", kind="missing",
            message=Message(f"无法确定{zh}：{zh_years}官方工作日安排未知",
                            f"Cannot tell the {en}: the official working-day schedule "
                            f"for {en_years} is not known"),
            citation=str(readers[0].cite if readers else item.cite),
            remedy=Message(f"依国务院办公厅关于{zh_years}部分节假日安排的通知，添加 {'、'.join(files)}"
                           f"（节假日与调休上班日，注明来源；见 rules/calendar/README.md）",
                           f"Add {' and '.join(files)} with that year's holidays and make-up working days "
                           f"from the State Council's notice, naming it as the source (rules/calendar/README.md)"),
            missing=files,
            facts={n: facts.shown[n] for n, *_ in periods}))
    return gaps, tuple(used[year] for year in sorted(used))


def _first(pair: tuple[int, Rule]) -> int:
    return pair[0]


# A check or step without findings is the same immutable object every time: build it once.
# (lru_cache keyed on the Item, one per rule book: never shared across rule books)
@lru_cache(maxsize=4096)
def _plain_check(item: Item, status: CheckStatus) -> Check:
    return Check(item.id, status, (), title=item.title, citation=str(item.cite))


@lru_cache(maxsize=4096)
def _plain_step(item: Item, status: StepStatus, due: dt.date | None = None) -> Step:
    return Step(item.id, status, due, (), title=item.title, citation=str(item.cite))


def _check(item: Item, hits: set[str], found: dict[str, tuple[Finding, ...]],
           extra: Sequence[Finding] = ()) -> Check:
    if item.na_rule in hits:
        return _plain_check(item, "not_applicable")
    findings = found.get(item.id, ()) + tuple(extra)
    if not findings:
        return _plain_check(item, "pass")
    status: CheckStatus
    if any(f.kind == "finding" and f.severity in ("blocking", "correctable") for f in findings):
        status = "fail"
    elif any(f.kind == "missing" for f in findings):
        status = "incomplete"
    else:
        status = "pass"
    return Check(item.id, status, findings, title=item.title, citation=str(item.cite))


def _steps(book: RuleBook, hits: set[str], facts: factlib.Facts, found: dict[str, tuple[Finding, ...]],
           checks: tuple[Check, ...], extra: Mapping[str, Sequence[Finding]] | None = None) -> tuple[Step, ...]:
    by_id = {c.id: c for c in checks}
    steps = []
    for item in book.steps:
        if item.na_rule in hits:
            steps.append(_plain_step(item, "not_applicable"))
            continue
        findings = found.get(item.id, ()) + tuple((extra or {}).get(item.id, ()))
        shown_due = facts.shown.get(item.due) if item.due else None
        due = shown_due if isinstance(shown_due, dt.date) else None
        status: StepStatus
        if item.pending_rule not in hits:
            status = "done"
            if not findings:
                steps.append(_plain_step(item, status, due))
                continue
        else:
            blockers = [by_id[c] for c in (by_id if item.blocked_by == "checks" else item.blocked_by or [])]
            stopped = any(c.status == "fail" or any(f.severity == "blocking" for f in c.findings) for c in blockers)
            status = "blocked" if stopped or any(f.severity == "blocking" for f in findings) else "pending"
        steps.append(Step(item.id, status, due, findings, title=item.title, citation=str(item.cite)))
    return tuple(steps)


def _decide_table(table: Table, fired: list[str], facts: factlib.Facts) -> Authority | None:
    hits = [rule for rule in table.rules if rule.id in fired]
    if len(hits) != 1:
        # the compiler makes table rules mutually exclusive and exhaustive; anything else is a defect
        raise EngineError(f"decision table {table.name}: expected exactly one rule, got {[r.id for r in hits]}")
    rule = hits[0]
    if rule.outcome is None:
        return None
    used = rule.used
    return Authority(
        level=rule.outcome["level"], mode=rule.outcome["mode"], rule=rule.id,
        citations=(str(rule.cite),), reasons=(rule.reason,),
        facts={name: facts.shown[name] for name in used if name in facts.shown},
    )
