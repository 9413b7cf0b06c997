"""Jurisdiction data and dated parameters, read from rules/ (data, not code).

Counties and zones come from rules/jurisdiction.yaml, thresholds and the delegation's start from
rules/parameters.yaml (OpenFisca-style: values keyed by the date they apply from).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from landapproval.core.errors import InputError, Problem, RuleError, Text
from landapproval.core.reader import read_document


class OutsideCoveredPeriod(InputError):
    """The applicable day lies outside the period the rule book covers (rules/parameters.yaml
    `law_covered_from`): the case is refused with that period (exit 2), never decided under a later
    law applied silently. `day`, `covered_from` and `field` (what chose the day) say which."""

    def __init__(self, source: str, day: dt.date, covered_from: dt.date, field: str, reference: str) -> None:
        self.day, self.covered_from, self.field = day, covered_from, field
        super().__init__(source, [Problem(field, Text(
            f"适用日期 {day} 不在本规则库涵盖的期间内（{covered_from} 起至今；{reference}）：本规则库不含更早的法律，"
            f"不能按后来的法律审查此案；请核对日期，或按当时有效的法律人工审查",
            f"the applicable day {day} lies outside the period this rule book covers ({covered_from} onwards; "
            f"{reference}): it holds no earlier law and will not apply later law to the case; check the date, "
            f"or review the case by hand under the law then in force"))])


def default_rules_dir() -> Path:
    """rules/ beside the package (source checkout), or the copy shipped inside the wheel."""
    here = Path(__file__).resolve().parent.parent  # the package root
    for candidate in (here.parent / "rules", here / "_rules"):
        if (candidate / "authority.yaml").is_file():
            return candidate
    raise RuleError(f"no rules/ folder found beside {here}")


def read_rule_file(folder: Path, name: str) -> Any:
    """A rule file, read by the same hardened reader as case files; a rule file that cannot be
    read is a RuleError (a defect of rules/, not of the case)."""
    try:
        return read_document(folder / name)
    except InputError as error:
        raise RuleError(f"rule file {error.describe()}") from None


def as_date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise RuleError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


@dataclass(frozen=True)
class County:
    code: str
    name: str
    short: str
    pinyin: str
    delegated_from: dt.date | None

    def delegated_on(self, day: dt.date) -> bool:
        return self.delegated_from is not None and day >= self.delegated_from


CONFIDENCE = ("listed", "reported", "inferred", "uncertain")  # how sure a zone's level is, surest first


@dataclass(frozen=True)
class Zone:
    name: str
    level: str
    confidence: str
    counties: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    source: str = ""   # where the level comes from (issue 19 item 13: 《中国开发区审核公告目录》(2018年版) or not)

    @property
    def confidence_class(self) -> str:
        """The first word of `confidence`: listed | reported | inferred | uncertain."""
        return self.confidence.split(" ", 1)[0]


@dataclass(frozen=True)
class DatedValue:
    start: dt.date
    value: Any
    reference: str
    confidence: str = ""   # how sure the value is, where its source is not confirmed


def in_force(values: list[DatedValue], day: dt.date) -> DatedValue | None:
    """The one dated-parameter lookup: of values sorted by start, the last that applies on `day`
    (None before the first; OpenFisca's reading of a parameter for a date)."""
    current = None
    for value in values:
        if value.start <= day:
            current = value
    return current


class Jurisdiction:
    """Lookups over rules/jurisdiction.yaml and the dated parameters (read once, by the rule book)."""

    def __init__(self, folder: Path, parameters: dict[str, list["DatedValue"]]) -> None:
        data = read_rule_file(folder, "jurisdiction.yaml")
        for index, entry in enumerate(data["counties"] + data["zones"]):
            stray = set(entry) - {"code", "name", "short", "pinyin", "delegated", "aliases", "level",
                                  "confidence", "counties", "source"}
            if stray:  # an unquoted comma in a flow mapping splits a value into a key
                raise RuleError(f"jurisdiction.yaml entry {entry.get('name')}: unexpected keys {sorted(map(str, stray))}")
        self.parameters = parameters
        start = self.delegation_start()  # one date for every delegated county (parameters.yaml)
        self.counties = []
        for c in data["counties"]:
            if not isinstance(c.get("delegated"), bool):
                raise RuleError(f"jurisdiction.yaml counties.{c.get('code')}: delegated is true or false")
            self.counties.append(County(str(c["code"]), c["name"], c["short"], c["pinyin"],
                                        start if c["delegated"] else None))
        self.zones = [
            Zone(z["name"], z["level"], str(z.get("confidence", "")), tuple(str(c) for c in z.get("counties", ())),
                 tuple(z.get("aliases", ())), str(z.get("source", "")))
            for z in data["zones"]
        ]
        codes = {c.code for c in self.counties}
        for zone in self.zones:
            if zone.confidence_class not in CONFIDENCE:
                raise RuleError(f"jurisdiction.yaml zone {zone.name}: confidence starts with one of {CONFIDENCE}")
            if not zone.source:
                raise RuleError(f"jurisdiction.yaml zone {zone.name}: say where its level comes from (source)")
            if not zone.counties or set(zone.counties) - codes:
                raise RuleError(f"jurisdiction.yaml zone {zone.name}: counties are codes of counties listed above")
        state = read_rule_file(folder, "jurisdiction-state.yaml") or {}
        self.suspensions = [
            (str(s["county"]), as_date(s["from"], "suspensions.from"),
             as_date(s["until"], "suspensions.until") if s.get("until") else None, str(s.get("reference", "")))
            for s in state.get("suspensions") or []
        ]

    @staticmethod
    def read_parameters(data: dict[str, Any]) -> dict[str, list[DatedValue]]:
        params = {}
        for name, spec in data.items():
            if not isinstance(spec, dict) or set(spec) != {"description", "values"} or not spec["description"]:
                raise RuleError(f"parameters.yaml {name}: needs exactly a description and dated values")
            values = []
            for start, v in spec["values"].items():
                # `confidence` (optional): how sure the value is, where its source is not confirmed
                if not isinstance(v, dict) or not {"value", "reference"} <= set(v) <= {"value", "reference", "confidence"} \
                        or not v["reference"]:
                    raise RuleError(f"parameters.yaml {name}.values.{start}: needs value and reference (and may say its confidence)")
                values.append(DatedValue(as_date(start, f"{name}.values"), v["value"], v["reference"],
                                         str(v.get("confidence", ""))))
            params[name] = sorted(values, key=lambda d: d.start)
        return params

    @cached_property
    def _county_index(self) -> dict[str, County]:
        index = {}
        for county in self.counties:
            for key in (county.code, county.name, county.short, county.pinyin.lower()):
                index[key] = county
        return index

    def county(self, text: str) -> County | None:
        key = text.strip()
        return self._county_index.get(key) or self._county_index.get(key.lower().replace(" ", ""))

    def zone(self, name: str) -> Zone | None:
        key = name.strip()
        for zone in self.zones:
            if key == zone.name or key in zone.aliases:
                return zone
        return None

    def filing_suspended(self, county: County, day: dt.date) -> bool:
        """七(三): the city has suspended this county's new filings on `day`."""
        return any(code == county.code and start <= day and (until is None or day < until)
                   for code, start, until, _ in self.suspensions)

    def parameter(self, name: str, day: dt.date) -> DatedValue | None:
        """The value in force on `day`, or None before the first value applies."""
        return in_force(self.parameters[name], day)

    def covered_from(self) -> tuple[dt.date, str]:
        """The first day of the period the rule book covers, and why (parameters.yaml)."""
        first = self.parameters["law_covered_from"][0]
        return as_date(first.value, "law_covered_from"), first.reference

    def check_covered(self, day: dt.date, field: str, source: str) -> None:
        """Refuse a day outside the covered period (OutsideCoveredPeriod, exit 2)."""
        start, reference = self.covered_from()
        if day < start:
            raise OutsideCoveredPeriod(source, day, start, field, reference)

    def delegation_start(self) -> dt.date:
        """临政发〔2024〕7号's delegated powers apply from this date (one value, parameters.yaml)."""
        first = self.parameters["delegation_start"][0]
        return as_date(first.value, "delegation_start")

    def period(self, name: str, day: dt.date) -> int | None:
        """A time limit (days) in force on `day`, or None before the law that sets it."""
        value = self.parameter(name, day)
        return None if value is None else int(value.value)

    def threshold_ha(self, name: str, day: dt.date) -> Decimal | None:
        """None before the first dated value: the caller reports it, nothing is guessed."""
        value = self.parameter(name, day)
        return None if value is None else Decimal(str(value.value))
