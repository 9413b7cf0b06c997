"""The rule book: rules/*.yaml read, checked and compiled, once per process.

Every rule keeps what a reviewer needs beside its condition: the citation (document, clause and
the quoted text) and a reason in Chinese and English. Decision tables (hit policy "first") are
compiled into mutually exclusive conditions here, so the engine may fire rules in any order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .conditions import All, Cond, Parser, conjoin
from .errors import RuleError
from .jurisdiction import read_rule_file

SEVERITIES = ("blocking", "correctable", "warning")


@dataclass(frozen=True)
class Citation:
    doc: str
    clause: str
    text: str = ""

    def __str__(self) -> str:
        return f"{self.doc} {self.clause}"

    @classmethod
    def parse(cls, node: Any, where: str) -> "Citation":
        if not isinstance(node, dict) or not node.get("doc") or not node.get("clause"):
            raise RuleError(f"{where}: every rule cites {{doc, clause, text}}")
        return cls(str(node["doc"]), str(node["clause"]), str(node.get("text", "")))


def bilingual(node: Any, where: str) -> dict[str, str]:
    if not isinstance(node, dict) or not node.get("zh") or not node.get("en"):
        raise RuleError(f"{where}: needs both zh and en text")
    return {"zh": str(node["zh"]), "en": str(node["en"])}


@dataclass(frozen=True)
class Rule:
    """One compiled rule. `condition` is what the engine evaluates (exclusions included);
    `when` is the rule's own condition as written."""
    id: str
    group: str          # e.g. "authority.conversion"
    when: Cond
    condition: Cond
    cite: Citation
    reason: dict[str, str]
    outcome: Any = None
    excluded_by: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)


@dataclass
class Table:
    """A decision table (hit policy first): exactly one of its rules applies to any fact set."""
    name: str
    title: dict[str, str]
    rules: list[Rule]


@dataclass
class RuleBook:
    catalogue: dict[str, dict]
    definitions: dict[str, dict]
    tables: dict[str, Table]
    together: dict
    rules: dict[str, Rule]

    def durable_ruleset(self) -> dict:
        return {rule.id: {"all": [{"m": rule.condition.to_durable()}], "run": rule.id}
                for rule in self.rules.values()}


def _compile_table(name: str, node: dict, parser: Parser) -> Table:
    where = f"authority.yaml decisions.{name}"
    rules: list[Rule] = []
    seen: list[str] = []
    earlier: list[Cond] = []
    for index, spec in enumerate(node.get("rules") or []):
        rid = spec.get("id")
        here = f"{where}.rules[{index}]"
        if not rid:
            raise RuleError(f"{here}: every rule has an id")
        when = parser.parse(spec.get("when"), f"{here} ({rid}).when")
        # first-match: this rule applies only when no rule above it does
        condition = conjoin(*(c.negate() for c in earlier), when) if earlier else when
        outcome = spec.get("then")
        if outcome is not None and (outcome.get("level") not in ("county", "city", "province", "state_council")
                                    or outcome.get("mode") not in ("authorized", "entrusted", "statutory")):
            raise RuleError(f"{here} ({rid}): then needs level and mode from the contract")
        for overridden in spec.get("overrides", []):
            if overridden in seen or overridden == rid:
                raise RuleError(f"{here} ({rid}): an exception must sit above {overridden!r}, which it overrides")
        rules.append(Rule(rid, f"authority.{name}", when, condition,
                          Citation.parse(spec.get("cite"), here), bilingual(spec.get("reason"), here),
                          outcome, tuple(seen)))
        seen.append(rid)
        earlier.append(when)
    for index, spec in enumerate(node.get("rules") or []):
        for overridden in spec.get("overrides", []):
            if overridden not in seen:
                raise RuleError(f"{where}: {spec['id']} overrides unknown rule {overridden!r}")
    if not rules:
        raise RuleError(f"{where}: a decision table needs rules")
    return Table(name, bilingual(node, where), rules)


@lru_cache(maxsize=1)
def load() -> RuleBook:
    catalogue = read_rule_file("facts.yaml")
    authority = read_rule_file("authority.yaml")
    definitions = authority.get("definitions", {})
    parser = Parser(catalogue, definitions)
    for name in definitions:  # a broken definition is reported even if no rule uses it yet
        parser.parse(definitions[name]["when"], f"definitions.{name}")
    tables = {name: _compile_table(name, node, parser) for name, node in authority["decisions"].items()}
    rules: dict[str, Rule] = {}
    for table in tables.values():
        for rule in table.rules:
            if rule.id in rules:
                raise RuleError(f"rule id {rule.id!r} is used twice")
            rules[rule.id] = rule
    together = authority["together"]
    Citation.parse(together.get("cite"), "authority.yaml together")
    return RuleBook(catalogue, definitions, tables, together, rules)


__all__ = ["Citation", "Rule", "RuleBook", "Table", "load", "All", "SEVERITIES"]
