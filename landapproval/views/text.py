"""Human-readable views of a decision and of the rule book (Chinese by default, or English)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Mapping

from landapproval.decision.model import Check, Decision, Finding, Step, area_text
from landapproval.decision.model import plain as plain_value
from landapproval.law import Law
from landapproval.law.conditions import Cond, FactRef, Test
from landapproval.decision.words import rules_note
from landapproval.decision.words import (AS_OF_SOURCE, SEVERITY, STATUS, WORDS, all_findings, authority_words,
                                         checks_summary, deciding_facts, item_name, next_words,
                                         verdict)
from landapproval.law.rulebook import RuleBook
from landapproval.law.types import Rule

def text(decision: Decision, lang: str = "zh", *, law: Law | None = None, appendix: bool = False) -> str:
    """The verdict first, then what blocks it (with its figures, the clause and what to do), then the
    rest, in the words of the review; codes, field paths and rule ids only in the technical appendix
    (`appendix=True`: `evaluate --appendix`, and `explain`)."""
    w = WORDS[lang]
    book = (law or Law.default()).as_of(decision.as_of)
    lines = [f"{verdict(decision, lang)}  —  {w['case']} {decision.case}  {decision.county['name']}  "
             f"({w['as_of']} {decision.as_of.isoformat()}{w['comma']}{as_of_words(decision, lang, book)})"]
    if (note := rules_note(decision, book.fingerprint)) is not None:  # a stored decision, other rules at hand
        lines.append(note[lang])
    for supplied in decision.calendars:
        lines.append(f"{w['calendar']}: {supplied['file']}  ({supplied['source']})")
    findings = all_findings(decision)
    stated = [(item, f) for item, f in findings if not is_missing_evidence(f, book)]
    _findings(lines, w["blocking"], [(i, f) for i, f in stated if f.severity == "blocking"], lang)
    for part, entry in (("conversion", decision.conversion), ("expropriation", decision.expropriation)):
        if entry is None:
            lines.append(f"{w[part]}: {w['none']}")
            continue
        lines.append(f"{w[part]}: {authority_words(entry, lang, decision.county['name'])}")
        for reason in entry.reasons:
            lines.append(f"    {reason[lang]}")
        lines.append(f"    {w['basis']}: {'; '.join(entry.citations)}")
    if decision.conversion and decision.expropriation:
        lines.append(f"    {w['together'] if decision.together else w['separate']}")
    lines.append(f"{w['deciding']}: " + w["semicolon"].join(deciding_facts(decision, lang)))
    t = decision.totals
    lines.append(f"{w['totals']}: {w['conversion']} {w['agri']} {area_text(t['conversion']['agricultural'])}"
                 f" / {w['expropriation']} {w['cult']} {area_text(t['expropriation']['cultivated'])},"
                 f" {w['other_land']} {area_text(t['expropriation']['other'])},"
                 f" {w['pbf']} {area_text(t['expropriation']['permanent_basic_farmland'])} {w['ha']}")
    _findings(lines, w["other"], [(i, f) for i, f in stated if f.severity != "blocking"], lang)
    missing = missing_by_item(decision, lang, book)
    if missing:
        lines.append(f"{w['missing']}:")
        for item, labels in missing:
            lines.append(f"  {item_name(item, lang)}: {w['semicolon'].join(labels)}")
    map_line = map_summary(decision, lang)
    if map_line:
        lines.append(map_line)
        for raw in measurement_findings(decision):
            lines.append(f"  [{SEVERITY[lang].get(raw['severity'], raw['severity'])}] {raw['message_' + lang]}")
            lines.append(f"      {w['basis']}: {raw['citation']}")
            if raw.get("remedy"):
                lines.append(f"      {w['remedy']}: {raw['remedy']}")
    if decision.checks:
        lines.append(f"{w['checks']}: " + checks_summary(decision, lang))
    if decision.steps:
        parts = []
        for step in decision.steps:
            due = f" ({w['due']} {step.due.isoformat()})" if step.due else ""
            parts.append(f"{item_name(step, lang)} {STATUS[lang][step.status]}{due}")
        lines.append(f"{w['workflow']}: " + w["semicolon"].join(parts))
    lines.append(f"{w['next']}: {next_words(decision, lang)}")   # never blank (decision.words)
    if appendix:
        lines.extend(technical_appendix(decision, lang))
    return "\n".join(lines)


def _findings(lines: list[str], title: str, group: list[tuple[Check | Step, Finding]], lang: str) -> None:
    if not group:
        return
    w = WORDS[lang]
    lines.append(f"{title}:")
    for item, finding in group:
        lines.append(f"  [{item_name(item, lang)} · {SEVERITY[lang][finding.severity]}] {finding.message[lang]}")
        shown = finding.figures.get(lang)
        if shown:
            lines.append(f"      {w['figures']}: {w['semicolon'].join(shown)}")
        lines.append(f"      {w['basis']}: {finding.citation}")
        if finding.remedy:
            lines.append(f"      {w['remedy']}: {finding.remedy[lang]}")


def as_of_words(decision: Decision, lang: str, book: RuleBook) -> str:
    """Where the applicable date came from, in words (the field name is in the appendix)."""
    source = decision.as_of_source
    if source in AS_OF_SOURCE[lang]:
        return AS_OF_SOURCE[lang][source]
    fact = source if source.startswith("workflow.") else f"workflow.{source}"
    return WORDS[lang]["by"].format(book.catalogue.get(fact, {}).get(lang, source))


def is_missing_evidence(finding: Finding, book: RuleBook) -> bool:
    """A finding that only says a piece of evidence is absent (shown in the missing-evidence list)."""
    return finding.kind == "missing" and ".missing." in finding.code and _missing_fact(finding, book) is not None


def _missing_fact(finding: Finding, book: RuleBook) -> str | None:
    fact = finding.code.split(".missing.", 1)[1]
    return fact if fact in book.catalogue else None


def missing_label(finding: Finding, lang: str, book: RuleBook) -> str:
    """The evidence a missing-evidence finding names, by its label (是否符合国土空间规划…)."""
    fact = _missing_fact(finding, book)
    if fact is None:
        return finding.message[lang]
    meta = book.catalogue[fact]
    if meta.get("type") == "bool":
        return f"是否{meta['zh']}" if lang == "zh" else f"{meta['en']} (yes or no)"
    return str(meta[lang])


def missing_by_item(decision: Decision, lang: str, book: RuleBook) -> list[tuple[Check | Step, list[str]]]:
    """[(check or step, [evidence labels])] for the evidence the file does not give."""
    out: dict[str, tuple[Check | Step, list[str]]] = {}
    for item, finding in all_findings(decision):
        if is_missing_evidence(finding, book):
            out.setdefault(item.id, (item, []))[1].append(missing_label(finding, lang, book))
    return list(out.values())


def map_findings(decision: Decision) -> list[tuple[Check | Step, Finding]]:
    """The findings the map produced: its comparisons (on the review items) and its measurements."""
    out = [(item, f) for item, f in all_findings(decision)
           if f.code.startswith(("geo.", "map.")) and not f.code.startswith("map.not_checked.")]
    return out  # (a layer not given is not a disagreement: rules/map.yaml map.not_checked.*)


def measurement_findings(decision: Decision) -> list[Mapping[str, Any]]:
    """What measuring the boundaries found (a sliver ignored, swapped coordinates …): these belong
    to no review item, so they are listed under the map line."""
    return list((decision.geometry or {}).get("findings") or [])


def map_summary(decision: Decision, lang: str) -> str | None:
    """One line on the map: checked and agrees, or how many findings it raised (listed above)."""
    if not decision.geometry:
        return None
    w = WORDS[lang]
    parcels = decision.geometry.get("parcels", [])
    measured = decision.geometry.get("measured") or {}
    raised = len(map_findings(decision)) + len(measurement_findings(decision))
    count = len(parcels)
    if not measured:
        return w["map_no_layers"].format(n=count)
    if raised:
        return w["map_disagrees"].format(n=count, k=raised)
    return w["map_agrees"].format(n=count)


def technical_appendix(decision: Decision, lang: str) -> list[str]:
    """Technical appendix: the codes, field paths and rule ids behind the words above, and the
    law applied (the last line: what a stored decision needs to be reproduced)."""
    w = WORDS[lang]
    lines = [f"{w['appendix']}:", *(f"  {line}" for line in appendix_entries(decision, lang))]
    if decision.law:
        lines.append(f"  {w['law']}: landapproval {decision.law['version']}  rules sha256 {decision.law['rules_sha256']}")
    return lines


def appendix_entries(decision: Decision, lang: str) -> list[str]:
    """One line each: where the date came from, the deciding rule ids, each finding's code with the
    facts it read or the fields it lacks, and the map's own findings."""
    w = WORDS[lang]
    lines = [f"{w['as_of_field']}: {decision.as_of_source}"]
    rules = [f"{w[part]} {entry.rule}" for part, entry in
             (("conversion", decision.conversion), ("expropriation", decision.expropriation)) if entry]
    if rules:
        lines.append(f"{w['rules']}: " + w["semicolon"].join(rules))
    for item, finding in all_findings(decision):
        detail = f"{item.id} {finding.code}"
        if finding.missing:
            detail += "  ← " + ", ".join(finding.missing)
        elif finding.facts:
            detail += "  (" + ", ".join(f"{k}={_plain_value(v)}" for k, v in finding.facts.items()) + ")"
        lines.append(detail)
    for extra in (decision.geometry or {}).get("findings") or []:
        lines.append(f"map {extra.get('code')}: {extra.get('message_' + lang, '')}")
    return lines


def _plain_value(value: Any) -> str:
    plain = plain_value(value)
    return ",".join(map(str, plain)) if isinstance(plain, list) else str(plain).lower() if isinstance(plain, bool) else str(plain)


def describe(cond: Cond, catalogue: Mapping[str, Mapping[str, Any]]) -> str:
    """A condition as a reader would write it: areas in hectares, dates as dates."""
    if not isinstance(cond, Test):
        joiner = " and " if type(cond).__name__ == "All" else " or "
        inner = joiner.join(describe(item, catalogue) for item in cond.items)
        return f"({inner})" if len(cond.items) > 1 else inner
    name = cond.fact[:-len(".known")] if cond.fact.endswith(".known") else cond.fact
    if cond.fact.endswith(".known"):
        return f"{name} {'is given' if cond.value else 'is unknown'}"
    value = cond.value
    kind = catalogue.get(name, {}).get("type")
    if isinstance(value, FactRef):
        shown = value.name
    elif kind == "area":
        shown = f"{Decimal(value) / 10000:.4f} ha"
    elif kind == "date":
        shown = dt.date.fromordinal(value).isoformat()
    else:
        shown = str(value).lower() if isinstance(value, bool) else str(value)
    op = {"eq": "=", "ne": "≠", "gt": ">", "gte": "≥", "lt": "<", "lte": "≤"}[cond.op]
    return f"{name} {op} {shown}"


def rule_dict(rule: Rule, catalogue: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """One rule as data (`landapproval rules --format json`, GET /v1/rules); `catalogue`: the
    rule book's fact catalogue, for the units of the condition."""
    out: dict[str, Any] = {"id": rule.id, "group": rule.group, "citation": str(rule.cite), "text": rule.cite.text,
           "reason": rule.reason, "when": describe(rule.when, catalogue)}
    if rule.outcome is not None or rule.group.startswith("authority."):
        out["then"] = rule.outcome
    if rule.extra.get("severity"):
        out["severity"] = rule.extra["severity"]
    for key in ("item", "adopt"):  # rules/map.yaml: the review item, and what the decision takes from the map
        if rule.extra.get(key):
            out[key] = rule.extra[key]
    return out


def rule_list(book: RuleBook, lang: str = "zh") -> str:
    lines = []
    for rule in book.rules.values():
        lines.append(f"{rule.id}")
        lines.append(f"  {rule.cite}: {rule.cite.text}")
        lines.append(f"  {rule.reason[lang]}")
        lines.append(f"  when: {describe(rule.when, book.catalogue)}")
    return "\n".join(lines)
