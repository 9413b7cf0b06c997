"""The Python API: `evaluate` a case (path, dict or model) into a `Decision`.

The CLI and the HTTP service are thin layers over these functions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from functools import lru_cache
from pathlib import Path
import threading
from typing import Any, Literal

from pydantic import ValidationError

from . import facts as factlib
from . import rulebook
from .decision import Authority, Check, Decision, Finding, Step
from .engine import Engine
from . import forms, messages
from .errors import MAX_PROBLEMS, EngineError, InputError, NotACaseError, Problem, Text
from .jurisdiction import Jurisdiction
from .loading import parse_bytes, read_file, unknown_keys, validation_problems, with_lines
from .models import Case

CaseInput = Case | dict | str | Path
CASE_KEYS = frozenset({"schema", "id", "county", "kind", "scope", "parcels"})
_TOP_LEVEL_KEYS = 2 * len(Case.model_fields)


def _built_once(build):
    """`build()` on first use, once per process even when threads ask for it together (the first
    requests of a server arrive at once; lru_cache would let each of them build it)."""
    lock, built = threading.Lock(), []

    @functools.wraps(build)
    def get():
        if not built:
            with lock:
                if not built:
                    built.append(build())
        return built[0]

    def cache_clear() -> None:
        with lock:
            built.clear()

    get.cache_clear = cache_clear
    return get


@_built_once
def jurisdiction() -> Jurisdiction:
    return Jurisdiction()


@_built_once
def engine() -> Engine:
    """The rule engine: the rule book compiled into durable_rules' C core, once per process."""
    return Engine(rulebook.load().durable_rulesets())


def read_case_text(text: str | bytes, *, format: Literal["yaml", "json"] = "yaml", source: str = "text") -> dict:
    """Untrusted case text (YAML or JSON) → plain data, with the same safe loader as case files.

    The text is only ever parsed: never taken for a path (a bare ``/etc/passwd`` is a YAML string
    and refused as "not a mapping"), and a `parcels[].boundary` naming a file is refused, so text
    from a request can never make this process read its own files. Inline boundaries (mappings)
    are data and pass."""
    if format not in ("yaml", "json"):
        raise ValueError(f"unknown format {format!r}: use 'yaml' or 'json'")
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return case_mapping(parse_bytes(raw, source, json_first=format == "json"), source)


def case_mapping(data: Any, source: str) -> dict:
    """Parsed untrusted text → the case mapping, or InputError: not a mapping, or a boundary that
    names a file (see read_case_text)."""
    if not isinstance(data, dict):
        raise InputError(source, [("", _not_mapping(data))])
    parcels = data.get("parcels")
    if isinstance(parcels, list):
        refusal = Text("不从外部传来的文本中读取界址文件（请求中指名的文件一律不打开）：请直接写入界址数据，或对案件文件本身评估",
                       "boundary files are not read from untrusted text (nothing a request names is opened): "
                       "give the boundary inline, or evaluate the case file itself")
        problems = [Problem(f"parcels[{i}].boundary", refusal)
                    for i, parcel in enumerate(parcels)
                    if isinstance(parcel, dict) and isinstance(parcel.get("boundary"), str)]
        if problems:
            raise InputError(source, problems)
    return data


def evaluate_text(text: str | bytes, *, format: Literal["yaml", "json"] = "yaml", as_of: dt.date | None = None,
                  source: str = "text", today: dt.date | None = None, layers: Any = None) -> Decision:
    """Evaluate a case given as text (from a request, a queue, a database field): see read_case_text."""
    return evaluate(read_case_text(text, format=format, source=source), as_of=as_of, source=source,
                    today=today, layers=layers)


def _not_mapping(data: Any) -> Text:
    got = (("列表", "a list") if isinstance(data, list) else ("空文件", "empty") if data is None
           else ("一段文字", "text") if isinstance(data, str) else (type(data).__name__,) * 2)
    return messages.file_problem("not_mapping", got_zh=got[0], got_en=got[1])


def load_case(case: CaseInput, source: str | None = None, notes: list[Text] | None = None) -> tuple[Case, str]:
    """Read and validate a case; InputError names the file, field path (and line) and problem.

    `notes`, when given, receives what the reader noted on the way (e.g. a GBK file)."""
    model, source, _ = _load(case, source, notes)
    return model, source


def _load(case: CaseInput, source: str | None, notes: list[Text] | None) -> tuple[Case, str, str]:
    """load_case, and the file's text (for the line numbers of later problems)."""
    text = ""
    found: list[Text] = []
    if isinstance(case, Case):
        return case, source or f"case {case.id}", ""
    if isinstance(case, (str, Path)):
        source = source or str(case)
        document = read_file(case)
        case, text, found = document.data, document.text, document.notes
        if notes is not None:
            notes.extend(found)
    source = source or "<case>"
    if not isinstance(case, dict):
        raise InputError(source, [("", _not_mapping(case))], notes=found)
    # (no depth check here: the readers check it, and pydantic does not recurse past the models)
    if len(case) > _TOP_LEVEL_KEYS:
        # far more keys than the contract has: a flood (e.g. 4 MiB of unknown keys) is counted and
        # answered before pydantic builds an error for each one — validation stops early
        unknown, more = unknown_keys(case)
        if len(unknown) + more >= MAX_PROBLEMS:
            kind = InputError if case.keys() & CASE_KEYS else NotACaseError
            raise kind(source, unknown, more=more, notes=found)
    try:  # a valid case has no unknown key (extra="forbid"): the walk below is for failures only
        return Case.model_validate(case), source, text
    except ValidationError as error:
        first = error
    unknown, more = unknown_keys(case)
    if not case.keys() & CASE_KEYS:
        # e.g. a layers file: say so first (a folder run skips such files), then its keys
        raise NotACaseError(source, [("", messages.file_problem("not_a_case")), *unknown], more=more, notes=found)
    if len(unknown) + more >= MAX_PROBLEMS:
        # a flood of unknown keys: answer with them, before the error list is turned into sentences
        # (pydantic itself finds them in C, faster than the walk; one sentence each was the cost)
        raise InputError(source, unknown, more=more, notes=found)
    # the forms officials type (2024年9月10日, 5.1234公顷, 批次, 是, 无 …), read exactly; what
    # cannot be read is left as written, and its field's error explains the expected form
    normalised = forms.normalise(case)
    if normalised is not case:
        try:
            return Case.model_validate(normalised), source, text
        except ValidationError as error:
            first = error
    raise InputError(source, validation_problems(first, text), notes=found) from None


def validate(case: CaseInput, source: str | None = None, notes: list[Text] | None = None) -> Case:
    """Validate fully (contract, county, zone), without evaluating."""
    model, source, text = _load(case, source, notes)
    _resolve(model, source, text)
    return model


def _resolve(model: Case, source: str, text: str, **dates) -> factlib.Context:
    """The county, the zone and the as-of date; their problems carry the file's line numbers."""
    try:
        return factlib.resolve(model, jurisdiction(), source, **dates)
    except InputError as error:
        if not text:
            raise
        raise InputError(error.source, with_lines(error.problems, text), more=error.more, notes=error.notes) from None


def evaluate(case: CaseInput, *, as_of: dt.date | None = None, source: str | None = None,
             today: dt.date | None = None, layers: Any = None, base_dir: str | Path | None = None,
             notes: list[Text] | None = None) -> Decision:
    """Decide who approves the conversion and the expropriation, and what still blocks the case.

    `layers` (a layers YAML path or a loaded `geo.LayerSet`) and parcel boundaries bring in the
    map: measured facts are compared with the declared ones, and where they change the approving
    authority the decision uses the measured facts and says so. `base_dir` resolves boundary
    paths of a case given as a dict (a case file's own folder otherwise).
    """
    if isinstance(case, (str, Path)) and base_dir is None:
        base_dir = Path(case).parent
    model, source, text = _load(case, source, notes)
    juris = jurisdiction()
    ctx = _resolve(model, source, text, as_of=as_of, today=today)
    if layers is None and not any(p.boundary for p in model.parcels):
        return _decide(model, ctx)

    from .geofacts import measure_case  # imports shapely & co. only for cases that use the map

    geo = measure_case(model, source, Path(base_dir or "."), layers, ctx, juris)
    decision = _decide(model, ctx, geo.findings_by_check, geo.json)
    if geo.measured_case is not None:  # rules/map.yaml adopted measured facts
        measured_ctx = factlib.resolve(geo.measured_case, juris, source, as_of=as_of, today=today)
        measured = _decide(geo.measured_case, measured_ctx, geo.findings_by_check, geo.json)
        if geo.undeclared:  # where the case declares nothing, the measured facts are the facts
            decision = measured
        elif _routes(measured) != _routes(decision):
            item, note = geo.authority_note(_routes(decision), _routes(measured))
            extra = {**geo.findings_by_check, item: [*geo.findings_by_check.get(item, []), note]}
            decision = _decide(geo.measured_case, measured_ctx, extra, geo.json)
    return dataclasses.replace(decision, fired=geo.fired + decision.fired,
                               engine_facts={**decision.engine_facts, **geo.engine_facts})


def _routes(decision: Decision) -> tuple:
    return tuple((a.level, a.mode) if a else None for a in (decision.conversion, decision.expropriation))


def _decide(model: Case, ctx: factlib.Context, extra_findings: dict[str, list[Finding]] | None = None,
            geometry: dict | None = None) -> Decision:
    juris = jurisdiction()
    sums = factlib.totals(model)
    book = rulebook.load().as_of(ctx.as_of)  # texts name the parameter values in force that day
    rules = engine()

    # stage 1: who approves
    facts = factlib.authority_facts(model, ctx, sums, juris)
    fired = rules.fire("authority", facts.values)
    outcomes = {name: _decide_table(book.tables[name], fired, facts) for name in book.tables}
    conversion, expropriation = outcomes["conversion"], outcomes["expropriation"]

    # stage 2: what the review and the workflow still lack (they read stage 1's outcome)
    review = factlib.review_facts(model, ctx, sums, juris, conversion and conversion.level,
                                  expropriation and expropriation.level)
    review_fired = rules.fire("review", review.values)
    extra = dict(extra_findings or {})
    hits = set(review_fired)
    together = book.together["id"] in hits  # LAL Art. 46 ¶3, rules/authority.yaml `together`
    gaps, calendars = _calendar_findings(book, hits, review)
    for item_id, found in gaps.items():
        extra[item_id] = (*extra.get(item_id, ()), *found)
    checks = tuple(_check(item, hits, review, extra.get(item.id, ())) for item in book.checks)
    steps = _steps(book, hits, review, checks, extra)
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
        law=rulebook.law(),
        parcels=tuple({"id": p.id, "ownership": p.ownership, "expropriate": model.expropriates(p),
                       "land": p.land.model_dump()} for p in model.parcels),
        calendars=calendars,
        engine_facts={"authority": facts.values, "review": review.values},
    )


def _calendar_findings(book: rulebook.RuleBook, hits: set[str], facts: factlib.Facts
                       ) -> tuple[dict[str, list[Finding]], tuple[dict, ...]]:
    """Periods whose end needs a calendar year nobody supplied, and user calendars used.

    A missing year stops only the deadline it affects: each applicable item or step that reads
    the period gets a missing-evidence finding naming the year and how to add it (a review item
    is then incomplete; a step keeps its status, its due date unknown). Who approves and every
    other check are still decided. A period counted on a user's rules/calendar/YYYY.yaml is
    listed with the notice it names, so the decision says which calendar it used."""
    gaps: dict[str, list[Finding]] = {}
    used: dict[int, dict] = {}
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
            label = book.catalogue.get(name, {})
            year = error.year
            gaps.setdefault(item.id, []).append(Finding(
                code=f"{item.id}.calendar_year_missing", severity="correctable", kind="missing",
                message={"zh": f"无法确定{label.get('zh', name)}：{year}年官方工作日安排未知",
                         "en": f"Cannot tell the {label.get('en', name)}: the official working-day schedule "
                               f"for {year} is not known"},
                citation=str(readers[0].cite if readers else item.cite),
                remedy={"zh": f"依国务院办公厅关于{year}年部分节假日安排的通知，添加 rules/calendar/{year}.yaml"
                              f"（节假日与调休上班日，注明来源；见 rules/calendar/README.md）",
                        "en": f"Add rules/calendar/{year}.yaml with that year's holidays and make-up working days "
                              f"from the State Council's notice, naming it as the source (rules/calendar/README.md)"},
                missing=(f"rules/calendar/{year}.yaml",),
                facts={name: facts.shown[name]}))
    return gaps, tuple(used[year] for year in sorted(used))


def _findings(item: rulebook.Item, fired: set[str], facts: factlib.Facts) -> tuple[Finding, ...]:
    out = []
    for rule in item.finding_rules:
        if rule.id not in fired:
            continue
        used = [n for n in rule.used if n in facts.shown] + list(rule.extra["show"])
        out.append(Finding(code=rule.id, severity=rule.extra["severity"], message=rule.reason,
                           citation=str(rule.cite), remedy=rule.extra["remedy"],
                           missing=rule.extra["missing"],
                           facts={n: facts.shown[n] for n in dict.fromkeys(used)},
                           kind=rule.extra["kind"]))
    return tuple(out)


@lru_cache(maxsize=None)
def _plain_item(kind: type, item: rulebook.Item, status: str, due=None):
    """A check or step without findings is the same immutable object every time: build it once."""
    common = dict(title=item.title, citation=str(item.cite))
    return kind(item.id, status, (), **common) if kind is Check else kind(item.id, status, due, (), **common)


def _check(item: rulebook.Item, hits: set[str], facts: factlib.Facts, extra=()) -> Check:
    if item.na_rule in hits:
        return _plain_item(Check, item, "not_applicable")
    findings = _findings(item, hits, facts) + tuple(extra)
    if not findings:
        return _plain_item(Check, item, "pass")
    common = dict(title=item.title, citation=str(item.cite))
    if any(f.kind == "finding" and f.severity in ("blocking", "correctable") for f in findings):
        status = "fail"
    elif any(f.kind == "missing" for f in findings):
        status = "incomplete"
    else:
        status = "pass"
    return Check(item.id, status, findings, **common)


def _steps(book, hits: set[str], facts: factlib.Facts, checks: tuple[Check, ...],
           extra: dict | None = None) -> tuple[Step, ...]:
    by_id = {c.id: c for c in checks}
    steps = []
    for item in book.steps:
        if item.na_rule in hits:
            steps.append(_plain_item(Step, item, "not_applicable"))
            continue
        findings = _findings(item, hits, facts) + tuple((extra or {}).get(item.id, ()))
        due = facts.shown.get(item.due) if item.due else None
        due = due if isinstance(due, dt.date) else None
        if item.pending_rule not in hits:
            status = "done"
            if not findings:
                steps.append(_plain_item(Step, item, status, due))
                continue
        else:
            blockers = [by_id[c] for c in (by_id if item.blocked_by == "checks" else item.blocked_by or [])]
            stopped = any(c.status == "fail" or any(f.severity == "blocking" for f in c.findings) for c in blockers)
            status = "blocked" if stopped or any(f.severity == "blocking" for f in findings) else "pending"
        steps.append(Step(item.id, status, due, findings, title=item.title, citation=str(item.cite)))
    return tuple(steps)


def _decide_table(table: rulebook.Table, fired: list[str], facts: factlib.Facts) -> Authority | None:
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
