"""The decision: one object that text, JSON, HTML and the HTTP API all render.

Messages are kept in both languages; `to_dict(lang)` picks one for `reasons`/`message` and the
JSON keeps the contract's key order (stable output is part of the contract).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from landapproval.core.jsonout import dumps

FOUR_PLACES = Decimal("0.0001")
LANGUAGES = ("zh", "en")


def area_text(value: Decimal) -> str:
    return str(value.quantize(FOUR_PLACES))


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str            # blocking | correctable | warning
    message: dict[str, str]  # zh, en
    citation: str
    remedy: dict[str, str] | None = None
    missing: tuple[str, ...] = ()   # evidence fields whose absence makes the item incomplete
    facts: dict[str, Any] = field(default_factory=dict)
    kind: str = "finding"           # finding | missing (evidence not given: the item is incomplete)
    # the figures behind the finding in words, per language (decision.figures, at assembly)
    figures: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def to_dict(self, lang: str) -> dict:
        out = {"code": self.code, "severity": self.severity, "message": self.message[lang],
               "citation": self.citation}
        if self.remedy:
            out["remedy"] = self.remedy[lang]
        if self.missing:
            out["missing"] = list(self.missing)
        if self.facts:
            out["facts"] = {k: plain(v) for k, v in self.facts.items()}
            if self.figures.get(lang):
                out["figures"] = list(self.figures[lang])
        return out


@dataclass(frozen=True)
class Authority:
    level: str
    mode: str
    rule: str
    citations: tuple[str, ...]
    reasons: tuple[dict[str, str], ...]
    facts: dict[str, Any]

    def to_dict(self, lang: str) -> dict:
        return {"level": self.level, "mode": self.mode, "rule": self.rule,
                "citations": list(self.citations), "reasons": [r[lang] for r in self.reasons],
                "facts": {k: plain(v) for k, v in self.facts.items()}}


@dataclass(frozen=True)
class Check:
    id: str
    status: str  # pass | fail | incomplete | not_applicable
    findings: tuple[Finding, ...] = ()
    title: dict[str, str] | None = None
    citation: str = ""

    def to_dict(self, lang: str) -> dict:
        out = {"id": self.id, "status": self.status, "findings": [f.to_dict(lang) for f in self.findings]}
        if self.title:
            out["title"] = self.title[lang]
        if self.citation:
            out["citation"] = self.citation
        return out


@dataclass(frozen=True)
class Step:
    id: str
    status: str  # done | pending | blocked | not_applicable
    due: dt.date | None = None
    findings: tuple[Finding, ...] = ()
    title: dict[str, str] | None = None
    citation: str = ""
    done_on: dt.date | None = None

    def to_dict(self, lang: str) -> dict:
        out = {"id": self.id, "status": self.status, "due": self.due.isoformat() if self.due else None,
               "findings": [f.to_dict(lang) for f in self.findings]}
        if self.title:
            out["title"] = self.title[lang]
        if self.citation:
            out["citation"] = self.citation
        if self.done_on:
            out["done_on"] = self.done_on.isoformat()
        return out


@dataclass(frozen=True)
class Decision:
    case: str
    as_of: dt.date
    as_of_source: str
    county: dict[str, str]
    totals: dict[str, dict[str, Decimal]]
    conversion: Authority | None
    expropriation: Authority | None
    together: bool
    checks: tuple[Check, ...]
    steps: tuple[Step, ...]
    next_step: str | None
    blocking: tuple[str, ...]
    approvable: bool
    fired: tuple[str, ...]
    facts: dict[str, Any]
    geometry: dict | None = None
    law: dict[str, str] = field(default_factory=dict)  # {"version", "rules_sha256"}: the law applied
    # the parcels as decided on ({id, ownership, expropriate, land}), for the report's parcel table
    parcels: tuple[dict, ...] = field(default=(), repr=False, compare=False)
    # user-supplied working-day schedules (rules/calendar/YYYY.yaml) a deadline was counted on
    calendars: tuple[dict, ...] = ()
    # the fact sets each stage sent to the engine (engine units), for explain and cross-checks
    engine_facts: dict[str, dict] = field(default_factory=dict, repr=False, compare=False)

    def to_dict(self, lang: str = "zh") -> dict:
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGUAGES)}")
        return {
            "case": self.case,
            "as_of": self.as_of.isoformat(),
            "totals": {part: {k: area_text(v) for k, v in values.items()}
                       for part, values in self.totals.items()},
            "authority": {
                "conversion": self.conversion.to_dict(lang) if self.conversion else None,
                "expropriation": self.expropriation.to_dict(lang) if self.expropriation else None,
                "together": self.together,
            },
            "checks": [c.to_dict(lang) for c in self.checks],
            "workflow": {"steps": [s.to_dict(lang) for s in self.steps], "next": self.next_step},
            "blocking": list(self.blocking),
            "approvable": self.approvable,
            "as_of_source": self.as_of_source,
            "county": dict(self.county),
            "rules_fired": list(self.fired),
            "geometry": self.geometry,
            "law": dict(self.law),
            "calendars": [dict(c) for c in self.calendars],
        }

    def to_json(self, lang: str = "zh", *, indent: bool = False) -> str:
        """`to_dict(lang)` as JSON text: UTF-8 characters as they are, areas as exact decimal text."""
        return self.to_json_bytes(lang, indent=indent).decode("utf-8")

    def to_json_bytes(self, lang: str = "zh", *, indent: bool = False) -> bytes:
        return dumps(self.to_dict(lang), indent=indent)


LAND_CLASSES = ("permanent_basic_farmland", "cultivated", "other_agricultural", "construction", "unused")


def land_by_class(decision: Decision) -> dict[str, Decimal]:
    """Hectares of each land class over the decision's parcels (exact decimals)."""
    return {name: sum((p["land"][name] for p in decision.parcels), Decimal(0)) for name in LAND_CLASSES}


def plain(value: Any) -> Any:
    """A fact value as the JSON shows it: areas to 4 places, dates ISO, lists item by item."""
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return area_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
