"""The whole trail of a decision: the facts, the rules that fired, and why the others did not.

For each authority table the trail names, level by level, the rules that would have given that
level and the fact that kept each out ("not the city, because 尧都区 is not delegated"), or the
exception above it that took precedence. It re-evaluates the rule conditions in plain Python
(conditions.py), the same trees the engine ran, so it explains exactly what the engine decided.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from landapproval.decision.model import Decision
from landapproval.decision.model import plain as _plain
from landapproval.decision.words import LEVEL, all_findings
from landapproval.law import Law
from landapproval.law.conditions import All, Any_, Cond, FactRef, Test
from landapproval.views.text import map_findings

_WORDS = {
    "zh": {"facts": "事实", "fired": "触发的规则（按顺序）", "why": "审批机关的推理", "winner": "采用",
           "not": "不是", "because": "因为", "overridden": "其条件成立，但被上面的规则优先", "true": "是",
           "false": "否", "unknown": "未知", "none": "不涉及", "conversion": "农用地转用", "expropriation": "土地征收",
           "holds": "条件成立", "measured": "实测事实（图层）",
           "findings": "问题（代码、读取的事实及其字段、缺少的字段）", "missing": "缺少"},
    "en": {"facts": "Facts", "fired": "Rules fired (in order)", "why": "Why this authority", "winner": "decided by",
           "not": "not", "because": "because", "overridden": "its condition holds, but a rule above it takes precedence",
           "true": "yes", "false": "no", "unknown": "unknown", "none": "not involved", "conversion": "Conversion",
           "expropriation": "Expropriation", "holds": "condition holds",
           "measured": "Measured facts (map)",
           "findings": "Findings (code, the facts read with their fields, the fields missing)", "missing": "missing"},
}


def _value(value: Any, lang: str) -> str:
    w = _WORDS[lang]
    if value is True:
        return w["true"]
    if value is False:
        return w["false"]
    if value == "unknown":
        return w["unknown"]
    plain = _plain(value)
    return str(plain)


def failing_tests(cond: Cond, facts: Mapping[str, Any]) -> list[Test]:
    """The atomic tests that make `cond` false (for an `any`, all of its branches' failures)."""
    if isinstance(cond, Test):
        return [] if cond.evaluate(facts) else [cond]
    if isinstance(cond, All):
        out: list[Test] = []
        for item in cond.items:
            out.extend(failing_tests(item, facts))
        return out
    if isinstance(cond, Any_):
        if cond.evaluate(facts):
            return []
        out = []
        for item in cond.items:
            out.extend(failing_tests(item, facts))
        return out
    return []


def _describe_test(test: Test, catalogue: Mapping[str, Mapping[str, Any]], shown: Mapping[str, Any], lang: str) -> str:
    name = test.fact[:-len(".known")] if test.fact.endswith(".known") else test.fact
    meta = catalogue.get(name, {})
    label = meta.get(lang, name)
    value = shown.get(name, "unknown")
    text = f"{label} = {_value(value, lang)}"
    if name.startswith("county.") and "county.code" in shown:
        text += f" ({shown['county.code']})"
    if isinstance(test.value, FactRef):
        other = catalogue.get(test.value.name, {}).get(lang, test.value.name)
        text += f" ({test.op} {other} = {_value(shown.get(test.value.name), lang)})"
    return f"{text}  [{name}]"


def _findings(lines: list[str], decision: Decision, catalogue: Mapping[str, Mapping[str, Any]], lang: str) -> None:
    """Every finding with what the text body leaves out: its code, each fact it read with the
    case-file field that gives it, and the fields whose absence it reports."""
    pairs = all_findings(decision)
    if not pairs:
        return
    w = _WORDS[lang]
    lines.append(f"{w['findings']}:")
    for item, finding in pairs:
        lines.append(f"  [{item.id} {finding.severity}] {finding.code} — {finding.citation}")
        for name, value in finding.facts.items():
            field = catalogue.get(name, {}).get("field")
            lines.append(f"      {name} = {_value(value, lang)}" + (f"  ({field})" if field else ""))
        for path in finding.missing:
            lines.append(f"      {w['missing']}: {path}")
        for shown in finding.figures.get(lang, ()):
            lines.append(f"      → {shown}")


def trail_data(decision: Decision, lang: str = "zh", *, law: Law | None = None) -> dict[str, Any]:
    """The trail as plain data (`POST /v1/explain`): the facts, the rules fired in order, and for
    each authority table the rule that decided and why each other level was kept out."""
    book = (law or Law.default()).as_of(decision.as_of)
    facts_values = decision.engine_facts["authority"]
    w = _WORDS[lang]
    facts = [{"name": name, "value": _plain(decision.facts[name]),
              "description": book.catalogue.get(name, {}).get(lang, "")} for name in sorted(decision.facts)]
    fired = [{"rule": rule_id, "citation": str(book.rules[rule_id].cite), "text": book.rules[rule_id].cite.text}
             for rule_id in decision.fired]
    why: dict[str, dict[str, Any]] = {}
    for name, table in book.tables.items():
        chosen = decision.conversion if name == "conversion" else decision.expropriation
        winner = next(r for r in table.rules if r.condition.evaluate(facts_values))
        winner_level = winner.outcome["level"] if winner.outcome else None
        not_chosen: list[dict[str, Any]] = []
        for level in ("county", "city", "province", "state_council"):
            if level == winner_level:
                continue
            for rule in (r for r in table.rules if r.outcome and r.outcome["level"] == level):
                if rule.when.evaluate(facts_values):
                    reasons = [w["overridden"]]
                else:
                    reasons = list(dict.fromkeys(  # an `in` test fails once per value: say it once
                        _describe_test(t, book.catalogue, decision.facts, lang)
                        for t in failing_tests(rule.when, facts_values)))
                not_chosen.append({"level": level, "rule": rule.id, "because": reasons})
        why[name] = {"level": chosen.level if chosen else None, "rule": winner.id, "citation": str(winner.cite),
                     "not": not_chosen}
    out: dict[str, Any] = {"case": decision.case, "county": dict(decision.county), "as_of": decision.as_of.isoformat(),
           "as_of_source": decision.as_of_source, "facts": facts, "rules_fired": fired, "why": why}
    if decision.geometry:
        out["measured"] = decision.geometry
    return out


def trail(decision: Decision, lang: str = "zh", *, law: Law | None = None) -> str:
    """A readable trail of one decision."""
    law = law or Law.default()
    data = trail_data(decision, lang, law=law)
    w = _WORDS[lang]
    lines = [f"{decision.case}  {decision.county['name']}  as_of {decision.as_of.isoformat()} ({decision.as_of_source})",
             f"{w['facts']}:"]
    for fact in data["facts"]:
        lines.append(f"  {fact['name']} = {_value(decision.facts[fact['name']], lang)}    {fact['description']}")
    if decision.geometry:
        measured = decision.geometry["measured"]
        lines.append(f"{w['measured']}:")
        for parcel in decision.geometry["parcels"]:
            lines.append(f"  {parcel['id']}: {parcel['area_plane']} ha (plane), {parcel['area_ellipsoid']} ha (ellipsoid)")
        for key, value in measured.items():
            lines.append(f"  {key} = {json.dumps(value, ensure_ascii=False)}")
        for item, finding in map_findings(decision):
            lines.append(f"  [{item.id} {finding.severity}] {finding.message[lang]} ({finding.code})")
    _findings(lines, decision, law.as_of(decision.as_of).catalogue, lang)
    lines.append(f"{w['fired']}:")
    for index, rule in enumerate(data["rules_fired"], 1):
        lines.append(f"  {index:2d}. {rule['rule']}  — {rule['citation']}: {rule['text']}")
    lines.append(f"{w['why']}:")
    for name, entry in data["why"].items():
        outcome = LEVEL[lang][entry["level"]] if entry["level"] else w["none"]
        lines.append(f"  {w[name]}: {outcome} — {w['winner']} {entry['rule']} ({entry['citation']})")
        for other in entry["not"]:
            lines.append(f"    {w['not']} {LEVEL[lang][other['level']]} [{other['rule']}], {w['because']}: "
                         + "; ".join(other["because"]))
    return "\n".join(lines)
