"""The figures behind a finding, in words: each fact its rule read, with its catalogue label and
unit, and what the rule compared — "补充耕地面积 5.0000 公顷 < 拟转用耕地面积 5.1234 公顷，差 0.1234 公顷".

Nothing here is written per finding. A finding carries the facts its rule read (`facts`); the
rule's condition says which of them were compared; the difference of each comparison that held
is derived here (a shortfall in hectares, a gap in days), and a time limit also gets the span from
its start date, in calendar and in working days.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from landapproval.core.errors import CalendarError
from landapproval.decision.words import LEVEL
from landapproval.law.catalogue import Catalogue
from landapproval.law.conditions import Cond, FactRef, Test
from landapproval.law.rulebook import RuleBook
from landapproval.law.types import Rule
from landapproval.law.workdays import Calendar

_UNIT = {"zh": {"area": " 公顷", "days": " 日"}, "en": {"area": " ha", "days": " days"}}
_YES_NO = {"zh": ("是", "否"), "en": ("yes", "no")}
_SEP = {"zh": "、", "en": ", "}


def figures(rule: Rule | None, facts: dict[str, Any], book: RuleBook, catalogue: Catalogue,
            calendar: Calendar, lang: str = "zh") -> tuple[str, ...]:
    """Readable figures of one finding: the facts its rule read (`facts`), the comparisons that
    held, and a time limit's span. `book` is the rule book as of the decision's date, so the labels
    name the parameter values in force that day."""
    names = book.catalogue
    facts = {name: value for name, value in facts.items() if name in names}
    compared = _comparisons(rule.when, facts) if rule is not None else []
    in_comparison = {name for test in compared for name in (test.fact, test.value.name)}
    colon = "：" if lang == "zh" else ": "
    out = [f"{label(name, names, lang)}{colon}{value_text(name, value, names, catalogue, lang)}"
           for name, value in facts.items()
           if name not in in_comparison and _worth_showing(names[name], value)]
    for test in compared:
        out.append(_comparison_text(test, facts, names, catalogue, lang))
    out.extend(_spans(compared, facts, in_comparison, names, calendar, lang))
    return tuple(out)


def label(name: str, catalogue: dict[str, Any], lang: str) -> str:
    return str(catalogue.get(name, {}).get(lang, name))


def value_text(name: str, value: Any, names: dict[str, Any], catalogue: Catalogue, lang: str) -> str:
    kind = names.get(name, {}).get("type")
    if value == "unknown":
        return "未知" if lang == "zh" else "unknown"
    if isinstance(value, bool):
        return _YES_NO[lang][0 if value else 1]
    if isinstance(value, Decimal):
        return f"{value.quantize(Decimal('0.0001'))}{_UNIT[lang]['area']}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if name.startswith("authority."):
        return LEVEL[lang].get(value, str(value))
    if isinstance(value, (list, tuple)):
        return _SEP[lang].join(str(v) for v in value)
    if kind == "enum":
        return enum_label(name, value, names, catalogue, lang)
    if kind == "days":
        return f"{value}{_UNIT[lang]['days']}"
    return str(value)


# facts whose case-file field is not given as `field:` in rules/facts.yaml
_FIELD_OF_FACT = {"case.kind": "kind", "scope.zone_level": "scope.development_zone.level"}


def enum_label(name: str, value: str, names: dict[str, Any], catalogue: Catalogue, lang: str) -> str:
    """An enum value by its name in the field catalogue (fee → 缴纳耕地开垦费, batch → 批次用地);
    a value the catalogue does not name is shown as written."""
    field = names.get(name, {}).get("field") or _FIELD_OF_FACT.get(name)
    return catalogue.value_name(field, value, lang) if field else str(value)


def _worth_showing(meta: dict[str, Any], value: Any) -> bool:
    """A yes/no fact repeats the finding's message; numbers, dates, names and kinds do not."""
    return meta.get("type") != "bool" and value not in ("unknown", None, [], ())


def _comparisons(cond: Cond, facts: dict[str, Any]) -> list[Test]:
    """The fact-to-fact comparisons of the rule that hold on the finding's figures, in rule order."""
    if isinstance(cond, Test):
        if not isinstance(cond.value, FactRef) or cond.op in ("eq", "ne"):
            return []
        left, right = facts.get(cond.fact), facts.get(cond.value.name)
        if not isinstance(left, (Decimal, dt.date)) or type(left) is not type(right):
            return []
        return [cond] if Test("a", cond.op, FactRef("b")).evaluate({"a": left, "b": right}) else []
    out: list[Test] = []
    for item in getattr(cond, "items", ()):
        out.extend(t for t in _comparisons(item, facts) if t not in out)
    return out


def _comparison_text(test: Test, facts: dict[str, Any], names: dict[str, Any], catalogue: Catalogue, lang: str) -> str:
    left, right = facts[test.fact], facts[test.value.name]
    lname, rname = label(test.fact, names, lang), label(test.value.name, names, lang)
    lshown = value_text(test.fact, left, names, catalogue, lang)
    rshown = value_text(test.value.name, right, names, catalogue, lang)
    earlier = test.op in ("lt", "lte")
    if lshown == rshown:  # an inclusive limit met to the shown precision: nothing short or over
        return f"{lname} {lshown} = {rname} {rshown}"
    if isinstance(left, dt.date):
        days = abs((right - left).days)
        if lang == "zh":
            return f"{lname} {lshown} {'早于' if earlier else '晚于'} {rname} {rshown} {days} 日"
        return f"{lname} {lshown} is {_days_en(days)} {'before' if earlier else 'after'} {rname} {rshown}"
    gap = value_text(test.fact, abs(right - left), names, catalogue, lang)
    sign = {"lt": "<", "lte": "≤", "gt": ">", "gte": "≥"}[test.op]
    if lang == "zh":
        return f"{lname} {lshown} {sign} {rname} {rshown}，{'差' if earlier else '超出'} {gap}"
    return f"{lname} {lshown} {sign} {rname} {rshown}, {'short by' if earlier else 'over by'} {gap}"


def _spans(compared: list[Test], facts: dict[str, Any], in_comparison: set[Any], names: dict[str, Any], calendar: Calendar,
           lang: str) -> list[str]:
    """A time limit: how long from the date it runs from (a date the rule did not compare) to the
    date it was tested on, in calendar days and official working days."""
    starts = sorted((v, n) for n, v in facts.items()
                    if n not in in_comparison and isinstance(v, dt.date))
    tested = [t.fact for t in compared if isinstance(facts[t.fact], dt.date)]
    if not starts or not tested:
        return []
    start_value, start = starts[0]
    end = tested[0]
    end_value = facts[end]
    if end_value < start_value:
        return []
    days = (end_value - start_value).days
    try:
        work = calendar.working_days_between(start_value, end_value)
    except CalendarError:  # a year without an official schedule: say nothing rather than guess
        work = None
    sname, ename = label(start, names, lang), label(end, names, lang)
    if lang == "zh":
        extra = f"（其中工作日 {work} 日）" if work is not None else ""
        return [f"自{sname}至{ename}共 {days} 日{extra}"]
    extra = f" ({work} working days)" if work is not None else ""
    return [f"{_days_en(days)} from the {sname} to the {ename}{extra}"]


def _days_en(days: int) -> str:
    return f"{days} day" if days == 1 else f"{days} days"
