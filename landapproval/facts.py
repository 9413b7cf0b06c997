"""Facts: everything the rules read, computed once from the case, in plain Python.

Arithmetic, dates and lookups live here; decisions live in rules/. Each fact has a name from
rules/facts.yaml. Areas are summed as exact Decimals and handed to the engine as whole square
metres (integers), so no threshold is ever compared on a binary float.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .conditions import UNKNOWN, known_key, to_square_metres
from .errors import InputError
from .jurisdiction import County, Jurisdiction
from .models import Case, ZoneRef

ZERO = Decimal(0)
PROVINCIAL_OR_HIGHER = ("national", "provincial")


@dataclass
class Context:
    """What a case resolves to before any rule runs: its county, zone and date of law."""
    county: County
    zone_name: str | None
    zone_level: str | None
    zone_source: str | None   # "declared" or "rules/jurisdiction.yaml"
    as_of: dt.date
    as_of_source: str


@dataclass
class Totals:
    conversion: dict[str, Decimal]
    expropriation: dict[str, Decimal]


@dataclass
class Facts:
    """Named facts for the rules (`values`, engine units) and for people (`shown`)."""
    values: dict[str, Any] = field(default_factory=dict)
    shown: dict[str, Any] = field(default_factory=dict)

    def set(self, name: str, value: Any, shown: Any = None) -> None:
        self.values[name] = value
        self.shown[name] = value if shown is None else shown

    def area(self, name: str, hectares: Decimal | None, may_be_unknown: bool = False) -> None:
        if hectares is None:
            self.values[name] = None
            self.shown[name] = UNKNOWN
        else:
            self.values[name] = to_square_metres(hectares)
            self.shown[name] = hectares
        if may_be_unknown:
            self.values[known_key(name)] = hectares is not None


def resolve(case: Case, jurisdiction: Jurisdiction, source: str, as_of: dt.date | None = None,
            today: dt.date | None = None) -> Context:
    """Resolve the county, the development zone and the as-of date, or explain why not."""
    problems = []
    county = jurisdiction.county(case.county)
    if county is None:
        problems.append(("county", f"{case.county!r} is not a county of 临汾市: give its code "
                                   "(141021), name (曲沃县 or 曲沃) or pinyin (quwo)"))
    zone = case.scope.development_zone
    zone_name = zone_level = zone_source = None
    if isinstance(zone, ZoneRef):
        zone_name, zone_level, zone_source = zone.name, zone.level, "declared"
    elif isinstance(zone, str):
        known = jurisdiction.zone(zone)
        if known is None:
            problems.append(("scope.development_zone",
                             f"{zone!r} is not a development zone known to rules/jurisdiction.yaml: "
                             "give {name, level} or add the zone to the jurisdiction data"))
        else:
            zone_name, zone_level, zone_source = known.name, known.level, "rules/jurisdiction.yaml"
    if problems:
        raise InputError(source, problems)

    if as_of is not None:
        day, why = as_of, "--as-of"
    elif case.workflow.decided_on is not None:
        day, why = case.workflow.decided_on, "workflow.decided_on"
    elif case.filed_on is not None:
        day, why = case.filed_on, "filed_on"
    else:
        day, why = (today or dt.date.today()), "today"
    if jurisdiction.threshold_ha("expropriation_cultivated_threshold_ha", day) is None:
        raise InputError(source, [(why if why != "--as-of" else "--as-of",
                                   f"{day} is before the earliest law in rules/parameters.yaml (1999-01-01)")])
    return Context(county, zone_name, zone_level, zone_source, day, why)


def totals(case: Case) -> Totals:
    conv = dict(agricultural=ZERO, cultivated=ZERO, permanent_basic_farmland=ZERO)
    expr = dict(cultivated=ZERO, other=ZERO, permanent_basic_farmland=ZERO)
    for parcel in case.parcels:
        land = parcel.land
        # conversion concerns agricultural land whoever owns it (LAL Art. 44)
        conv["agricultural"] += land.permanent_basic_farmland + land.cultivated + land.other_agricultural
        conv["cultivated"] += land.cultivated
        conv["permanent_basic_farmland"] += land.permanent_basic_farmland
        if case.expropriates(parcel):
            # 其他土地 = everything expropriated that is not 耕地 (LAL Art. 46)
            expr["cultivated"] += land.cultivated
            expr["other"] += land.other_agricultural + land.construction + land.unused
            expr["permanent_basic_farmland"] += land.permanent_basic_farmland
    return Totals(conv, expr)


def authority_facts(case: Case, ctx: Context, sums: Totals, jurisdiction: Jurisdiction) -> Facts:
    facts = Facts()
    facts.set("case.evaluated", True)
    facts.set("case.kind", case.kind)
    facts.set("county.code", ctx.county.code, f"{ctx.county.code} {ctx.county.name}")
    facts.set("county.delegated", ctx.county.delegated_on(ctx.as_of))
    facts.set("law.delegation_in_force", ctx.as_of >= jurisdiction.delegation_start())
    facts.set("scope.within_construction_scale", case.scope.within_construction_scale)
    facts.set("scope.in_provincial_or_higher_zone", ctx.zone_level in PROVINCIAL_OR_HIGHER,
              f"{ctx.zone_level in PROVINCIAL_OR_HIGHER} ({ctx.zone_name}: {ctx.zone_level})"
              if ctx.zone_name else False)
    conv, expr = sums.conversion, sums.expropriation
    facts.area("conversion.agricultural", conv["agricultural"])
    facts.area("conversion.permanent_basic_farmland", conv["permanent_basic_farmland"])
    facts.area("conversion.cultivated_incl_pbf", conv["cultivated"] + conv["permanent_basic_farmland"])
    facts.area("expropriation.total", expr["cultivated"] + expr["other"] + expr["permanent_basic_farmland"])
    facts.area("expropriation.permanent_basic_farmland", expr["permanent_basic_farmland"])
    facts.area("expropriation.cultivated", expr["cultivated"])
    facts.area("expropriation.other", expr["other"])
    facts.area("threshold.cultivated", jurisdiction.threshold_ha("expropriation_cultivated_threshold_ha", ctx.as_of))
    facts.area("threshold.other", jurisdiction.threshold_ha("expropriation_other_threshold_ha", ctx.as_of))
    return facts
