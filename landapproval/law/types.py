"""The rule types every rule file compiles into: citations, bilingual texts, rules, decision
tables and review items (shared by the rule book and the map's rules)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

from landapproval.core.errors import RuleError
from landapproval.core.values import Message
from landapproval.law.conditions import Cond

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
        if set(node) - {"doc", "clause", "text"}:
            raise RuleError(f"{where}: unexpected keys in cite {sorted(map(str, set(node) - {'doc', 'clause', 'text'}))}")
        return cls(str(node["doc"]), str(node["clause"]), str(node.get("text", "")))


def bilingual(node: Any, where: str, allowed: tuple[str, ...] = ()) -> Message:
    if not isinstance(node, dict) or not node.get("zh") or not node.get("en"):
        raise RuleError(f"{where}: needs both zh and en text")
    stray = set(node) - {"zh", "en", *allowed}
    if stray:  # e.g. an unquoted comma in a {zh: …, en: …} flow mapping splits the text
        raise RuleError(f"{where}: unexpected keys {sorted(map(str, stray))} (quote text that contains a comma)")
    return Message(str(node["zh"]), str(node["en"]))


@dataclass(frozen=True)
class Rule:
    """One compiled rule. `condition` is what the engine evaluates (exclusions included);
    `when` is the rule's own condition as written."""
    id: str
    group: str          # e.g. "authority.conversion"
    when: Cond
    condition: Cond
    cite: Citation
    reason: Message
    outcome: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
    used: tuple[str, ...] = field(init=False, compare=False)  # the facts `when` reads, sorted

    def __post_init__(self) -> None:
        object.__setattr__(self, "used", tuple(sorted(self.when.facts_used())))


@dataclass
class Table:
    """A decision table (hit policy first): exactly one of its rules applies to any fact set."""
    name: str
    title: Message
    rules: list[Rule]


@dataclass
class Item:
    """A review item (C1–C8) or a workflow step (S1–S6) and the rules that speak about it."""
    id: str
    title: Message
    cite: Citation
    rules: list[Rule]
    blocked_by: Any = None   # steps: list of check ids, "checks", or None
    due: str | None = None   # steps: the fact holding the due date

    def __post_init__(self) -> None:
        self.na_rule = f"{self.id}.not_applicable"
        self.pending_rule = f"{self.id}.pending"
        self.finding_rules = tuple(r for r in self.rules if r.extra.get("kind") in ("finding", "missing"))

    __hash__ = object.__hash__  # one Item per rule book: identity is enough (api caches by it)


# `{name}` in a rule text: a parameter of rules/parameters.yaml (`{name|zh}`: in Chinese numerals),
# or in rules/map.yaml a fact of the finding (`{map.parcel.id}`)
PLACEHOLDER = re.compile(r"\{([A-Za-z_][\w.]*)(\|zh)?\}")


def fill_text(text: str, words: Mapping[str, str]) -> str:
    """The one placeholder filler: each `{key}` (or `{key|zh}`) that `words` has, replaced by its
    words; any other placeholder is left as written."""
    if "{" not in text:
        return text
    return PLACEHOLDER.sub(lambda m: words.get(m.group(1) + (m.group(2) or ""), m.group(0)), text)


class _FactWords(Mapping[str, Any]):
    """A finding's shown facts as words for `fill_text` (a list as 甲、乙)."""

    def __init__(self, shown: Mapping[str, Any]):
        self._shown = shown

    def __getitem__(self, key: str) -> str:
        value = self._shown[key]
        return "、".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)

    def __iter__(self) -> Iterator[str]:
        return iter(self._shown)

    def __len__(self) -> int:
        return len(self._shown)


def fill_facts(text: str, shown: Mapping[str, Any]) -> str:
    """A rules/map.yaml message with its {fact} placeholders replaced by the shown values."""
    return fill_text(text, _FactWords(shown))
