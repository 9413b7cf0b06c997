"""The cross-case rules (rules/register.yaml): what the case register's findings say, where they go
and which clause they apply; their dated parameters (补正频繁/多次退件, the 征收土地公告 period).

The register (landapproval.register) computes the figures across cases; this module only holds the
law's side of it, read with the rule book (a rules folder without register.yaml has no cross-case rules).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from landapproval.core.errors import RuleError
from landapproval.law import jurisdiction as _jurisdiction
from landapproval.law.types import SEVERITIES, Citation, bilingual

FILE = "register.yaml"
ITEMS = {*(f"C{i}" for i in range(1, 9)), *(f"S{i}" for i in range(1, 7))}


@dataclass(frozen=True)
class CrossRule:
    id: str
    item: str
    severity: str
    kind: str
    missing: tuple[str, ...]
    shows: tuple[str, ...]
    cite: Citation
    message: dict[str, str]
    remedy: dict[str, str] | None


@dataclass(frozen=True)
class DatedEntry:
    start: dt.date
    values: dict[str, Any]
    reference: str


@dataclass
class CrossCaseRules:
    rules: dict[str, CrossRule] = field(default_factory=dict)
    parameters: dict[str, list[DatedEntry]] = field(default_factory=dict)

    @classmethod
    def read(cls, folder: Path) -> "CrossCaseRules":
        if not (Path(folder) / FILE).is_file():
            return cls()
        data = _jurisdiction.read_rule_file(folder, FILE)  # looked up at call time: tests track the reads
        if not isinstance(data, dict) or set(data) - {"parameters", "rules"}:
            raise RuleError(f"{FILE}: needs exactly `parameters` and `rules`")
        parameters: dict[str, list[DatedEntry]] = {}
        for name, entries in (data.get("parameters") or {}).items():
            where = f"{FILE} parameters.{name}"
            if not isinstance(entries, list) or not entries:
                raise RuleError(f"{where}: a list of dated values ({{from, …, reference}})")
            dated = []
            for index, entry in enumerate(entries):
                if not isinstance(entry, dict) or "from" not in entry or not entry.get("reference"):
                    raise RuleError(f"{where}[{index}]: each value needs `from` and `reference`")
                values = {key: entry[key] for key in entry if key not in ("from", "reference")}
                dated.append(DatedEntry(_jurisdiction.as_date(entry["from"], f"{where}[{index}].from"), values,
                                        str(entry["reference"])))
            parameters[str(name)] = sorted(dated, key=lambda d: d.start)
        rules: dict[str, CrossRule] = {}
        for index, node in enumerate(data.get("rules") or []):
            where = f"{FILE} rules[{index}]"
            if not isinstance(node, dict):
                raise RuleError(f"{where}: a rule is a mapping")
            stray = set(node) - {"id", "item", "severity", "kind", "missing", "shows", "cite", "message", "remedy"}
            if stray:
                raise RuleError(f"{where}: unexpected keys {sorted(map(str, stray))}")
            rule_id = str(node.get("id") or "")
            if not rule_id.startswith("register.") or rule_id in rules:
                raise RuleError(f"{where}: id must be unique and begin with 'register.', got {rule_id!r}")
            item, severity, kind = node.get("item"), node.get("severity"), node.get("kind", "finding")
            if item not in ITEMS:
                raise RuleError(f"{where}: item must be one of C1–C8, S1–S6, got {item!r}")
            if severity not in SEVERITIES or kind not in ("finding", "missing"):
                raise RuleError(f"{where}: severity one of {SEVERITIES}, kind finding|missing")
            remedy = node.get("remedy")
            rules[rule_id] = CrossRule(
                rule_id, item, severity, kind, tuple(node.get("missing") or ()), tuple(node.get("shows") or ()),
                Citation.parse(node.get("cite"), where), bilingual(node.get("message"), f"{where}.message"),
                bilingual(remedy, f"{where}.remedy") if remedy is not None else None)
        return cls(rules, parameters)

    def value(self, name: str, day: dt.date) -> DatedEntry | None:
        """The entry of parameter `name` in force on `day` (None before the first)."""
        found = None
        for entry in self.parameters.get(name, ()):
            if entry.start <= day:
                found = entry
        return found


__all__ = ["CrossCaseRules", "CrossRule", "DatedEntry"]
