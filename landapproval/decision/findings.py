"""The one way from a fired rule to a Finding, with its figures in both languages."""

from __future__ import annotations

from typing import Any

from landapproval.core.values import Message
from landapproval.decision.figures import figures
from landapproval.decision.model import Finding
from landapproval.law import Law
from landapproval.law.rulebook import RuleBook
from landapproval.law.types import Rule, fill_facts

LANGS = ("zh", "en")


class Figures:
    """The figures of each finding, in both languages (labels as of the decision's date)."""

    def __init__(self, law: Law, book: RuleBook):
        self.law, self.book = law, book

    def __call__(self, rule: Rule | None, kind: str, facts: dict[str, Any]) -> dict[str, tuple[str, ...]]:
        if kind == "missing" or not facts:  # missing evidence has no figure yet
            return {}
        return {lang: figures(rule, facts, self.book, self.law.catalogue, self.law.calendar, lang)
                for lang in LANGS}


def finding_from_rule(rule: Rule, shown: dict[str, Any], figures: Figures, *, filled: bool = False) -> Finding:
    """The one way from a fired rule to a Finding: its message and remedy, its citation, and the
    facts it read (and those it asks to show) with their figures. `filled`: the message names
    facts by placeholder (rules/map.yaml), filled from the shown values."""
    used = [n for n in rule.used if n in shown] + [n for n in rule.extra["show"] if n in shown]
    facts = {n: shown[n] for n in dict.fromkeys(used)}
    message = Message(fill_facts(rule.reason.zh, shown), fill_facts(rule.reason.en, shown)) if filled else rule.reason
    kind = rule.extra["kind"]
    return Finding(code=rule.id, severity=rule.extra["severity"], message=message,
                   citation=str(rule.cite), remedy=rule.extra["remedy"], missing=rule.extra["missing"],
                   facts=facts, kind=kind, figures=figures(rule, kind, facts))
