"""The map in the decision: boundaries and layers measured, stated as facts, judged by rules/map.yaml.

Bridges landapproval.geo (shapely, pyproj, pyogrio) and the decision. Python measures: it reads
the boundaries (files or inline), overlays them on the layers given and states what it measured
as the `map.` facts of rules/facts.yaml (areas rounded up to whole square metres, so any overlap
at all is at least 1 m²). The rules of rules/map.yaml decide what those facts mean: which review
item a difference belongs to, how serious it is, and which measured facts the decision follows
(`adopt`). A fact is measured only where its layer was given (and, for the land survey, covers
the parcel); otherwise the declared value stands and a rule says it was not checked.

decision.assemble builds the "measured case" (the declared case with the adopted facts) and, where it
changes the approving authority, follows it and says so (the authority note of rules/map.yaml).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from landapproval.contract.models import Case, InlineBoundary, ZoneRef
from landapproval.core.errors import RuleError
from landapproval.core.values import Message
from landapproval.decision.facts import Facts
from landapproval.decision.findings import Figures, finding_from_rule
from landapproval.decision.model import Finding
from landapproval.law import Law
from landapproval.law.types import fill_facts

CLASSES = ("permanent_basic_farmland", "cultivated", "other_agricultural", "construction", "unused")
ZONE_LEVELS = ("national", "provincial", "municipal", "county")
_LEVEL_ZH = {"national": "国家级", "provincial": "省级", "municipal": "市级", "county": "县级"}
#: plane and ellipsoid areas differ by up to ~0.05 % in zone 37: twice that is not a difference
#: (landapproval/geo/areas.py); the rules compare differences with it beside the tolerance
PROJECTION_ALLOWANCE = Decimal("0.001")


@dataclass
class GeoOutcome:
    json: dict[str, Any] | None
    findings_by_check: dict[str, list[Finding]] = field(default_factory=dict)
    measured_case: Case | None = None
    undeclared: bool = False  # a measured parcel whose land classes the case does not declare
    fired: tuple[str, ...] = ()
    engine_facts: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def authority_note(law: Law, declared: tuple[Any, ...], measured: tuple[Any, ...]) -> tuple[str, Finding]:
        """The finding that says the decision follows the map, and the review item it belongs to."""
        def show(routes: tuple[Any, ...]) -> str:
            return ", ".join(f"{part}: {r[0]}/{r[1]}" if r else f"{part}: none"
                             for part, r in zip(("conversion", "expropriation"), routes))
        note = law.book.map_note
        values = {"declared": show(declared), "measured": show(measured)}
        return note["item"], Finding(
            code="map.authority_from_measured", severity=note["severity"],
            message=Message(fill_facts(note["message"].zh, values), fill_facts(note["message"].en, values)),
            citation=str(note["cite"]), remedy=note["remedy"], facts=values)


@lru_cache(maxsize=8)
def _load_layers(path: str) -> Any:
    from landapproval.geo import LayerSet

    return LayerSet.load(path)


def layer_set_of(layers: Any) -> Any:
    """None, a layers YAML path (loaded once per process) or a loaded LayerSet."""
    from landapproval.geo import LayerSet

    if layers is None:
        return LayerSet.from_geometries()
    if isinstance(layers, (str, Path)):
        return _load_layers(str(Path(layers).resolve()))
    return layers


def read_parcel_boundary(boundary: Any, base_dir: Path, source: str, field_path: str) -> Any:
    """A parcel's boundary: a path (`FILE#ID`, relative to the case file) or an inline mapping."""
    from landapproval.geo import read_boundary, read_inline_boundary

    if isinstance(boundary, InlineBoundary):
        return read_inline_boundary(boundary.format, boundary.data, crs=boundary.crs, select=boundary.id,
                                    case_file=source, field_path=field_path)
    return read_boundary(boundary, base_dir, case_file=source, field_path=field_path)


def measure_case(law: Law, case: Case, source: str, base_dir: Path, layers: Any, ctx: Any) -> GeoOutcome:
    from landapproval.geo import measure

    layer_set = layer_set_of(layers)
    boundaries = [(parcel, read_parcel_boundary(parcel.boundary, base_dir, source, f"parcels[{index}].boundary"))
                  for index, parcel in enumerate(case.parcels) if parcel.boundary]
    if not boundaries:
        return GeoOutcome(json=None)
    result = measure([(parcel.id, b.geometry) for parcel, b in boundaries], layer_set)
    result.findings[:0] = [f for _, b in boundaries for f in b.findings]

    book, engine = law.book, law.engine
    figures = Figures(law, law.as_of(ctx.as_of))
    in_force = law.jurisdiction.parameter("digitising_tolerance_m2", ctx.as_of)
    if in_force is None:
        raise RuleError("parameters.yaml digitising_tolerance_m2: no value in force on "
                        f"{ctx.as_of} (the map's tolerance)")
    tolerance = int(in_force.value)
    by_check: dict[str, list[Finding]] = {}
    fired: list[str] = []

    def judge(stage: str, facts: Facts) -> set[str]:
        hits = engine.fire(stage, facts.values)
        for rule_id in hits:
            rule = book.rules[rule_id]
            fired.append(rule_id)
            by_check.setdefault(rule.extra["item"], []).append(
                finding_from_rule(rule, facts.shown, figures, filled=True))
        return {book.rules[r].extra["adopt"] for r in hits if book.rules[r].extra["adopt"]}

    case_facts = _case_facts(case, ctx, result, layer_set, tolerance)
    case_adopts = judge("map", case_facts)
    parcel_adopts, parcel_facts = {}, []
    declared = {p.id: p for p in case.parcels}
    for measured in result.parcels:
        facts = _parcel_facts(declared[measured.id], measured, layer_set, tolerance)
        parcel_facts.append(facts.values)
        parcel_adopts[measured.id] = judge("map_parcel", facts)
    undeclared = any(p.boundary and not any(p.land.model_dump().values()) for p in case.parcels)
    return GeoOutcome(json=result.to_json(), findings_by_check=by_check,
                      measured_case=_measured_case(case, result, layer_set, case_adopts, parcel_adopts),
                      undeclared=undeclared, fired=tuple(fired),
                      engine_facts={"map": case_facts.values, "map_parcel": parcel_facts})


# ------------------------------------------------------------------------------- the facts

def _up(m2: float) -> int:
    """An overlap or a difference in whole square metres, rounded up: any overlap at all is >= 1."""
    return max(0, math.ceil(round(m2, 6)))  # round(…, 6): float residue of GEOS is not a metre


def _area(facts: Facts, name: str, m2: int) -> None:
    facts.area(name, (Decimal(m2) / 10_000).quantize(Decimal("0.0001")))


def _m2(hectares: Decimal) -> int:
    return int(hectares.scaleb(4))


def _case_facts(case: Case, ctx: Any, result: Any, layer_set: Any, tolerance: int) -> Facts:
    from landapproval.geo.sources.base import LAYER_KEYS

    facts = Facts()
    _area(facts, "map.tolerance", tolerance)
    for key in LAYER_KEYS:
        facts.set(f"map.layer.{key}", key in layer_set)
    facts.set("scope.within_construction_scale", case.scope.within_construction_scale)
    facts.set("scope.zone_level", ctx.zone_level or "none",
              f"{ctx.zone_level} ({ctx.zone_name})" if ctx.zone_name else "none")
    planning = case.review.planning
    said = planning.occupies_ecological_red_line if planning else None
    facts.set("planning.occupies_ecological_red_line", "unknown" if said is None else said)
    raw = result.raw
    _area(facts, "map.outside_construction_scale", _up(raw.get("outside_construction_scale", 0.0)))
    _area(facts, "map.ecological_red_line", _up(raw.get("ecological_red_line", 0.0)))
    zones = raw.get("development_zones") or {}
    for level in ZONE_LEVELS:
        _area(facts, f"map.zone.{level}", _up(sum(m2 for (_, lv), m2 in zones.items() if lv == level)))
    _area(facts, "map.zone.total", _up(sum(zones.values())))
    _area(facts, "map.zone.declared", _up(sum(m2 for (name, _), m2 in zones.items() if name == ctx.zone_name)))
    facts.shown["map.zone.names"] = [f"{name}（{_LEVEL_ZH[level]}，{_up(m2) / 10_000:.4f} 公顷）"
                                     for (name, level), m2 in sorted(zones.items(), key=lambda z: -z[1])]
    listed = {p.name for p in case.review.protected_areas or []}
    unlisted = {name: m2 for (name, _), m2 in (raw.get("protected_areas") or {}).items() if name not in listed}
    _area(facts, "map.protected.unlisted", _up(max(unlisted.values(), default=0.0)))
    facts.shown["map.protected.unlisted_names"] = [f"{name}（{_up(m2) / 10_000:.4f} 公顷）"
                                                   for name, m2 in sorted(unlisted.items(), key=lambda z: -z[1])]
    return facts


def _parcel_facts(parcel: Any, measured: Any, layer_set: Any, tolerance: int) -> Facts:
    facts = Facts()
    _area(facts, "map.tolerance", tolerance)
    pbf_layer, survey = "permanent_basic_farmland" in layer_set, "land_survey" in layer_set
    facts.set("map.layer.permanent_basic_farmland", pbf_layer)
    facts.set("map.layer.land_survey", survey)
    facts.set("map.parcel.id", parcel.id)
    raw = measured.raw
    area = measured.area_plane_m2
    _area(facts, "map.parcel.survey_uncovered", _up(area - raw["survey_covered"]) if survey else 0)
    land = parcel.land
    facts.set("map.parcel.land_declared", any(land.model_dump().values()))
    declared = {c: _m2(getattr(land, c)) for c in CLASSES}
    if survey and not pbf_layer:  # the survey's 耕地 then includes the permanent basic farmland
        declared["cultivated"] += declared["permanent_basic_farmland"]
    for c in CLASSES:
        m2 = raw.get(c)
        measured_m2 = round(m2) if m2 is not None else declared[c]  # absent layer: nothing to compare
        _area(facts, f"map.parcel.{c}.declared", declared[c])
        _area(facts, f"map.parcel.{c}.measured", measured_m2)
        difference = abs(m2 - declared[c]) if m2 is not None else 0.0
        _area(facts, f"map.parcel.{c}.difference", _up(difference))
        _area(facts, f"map.parcel.{c}.allowance", _up(float(PROJECTION_ALLOWANCE) * max(measured_m2, declared[c])))
        if m2 is None:
            facts.shown[f"map.parcel.{c}.measured"] = "not measured"
    pbf = raw.get("permanent_basic_farmland")
    _area(facts, "map.parcel.permanent_basic_farmland.excess",
          _up(pbf - declared["permanent_basic_farmland"]) if pbf is not None else 0)
    total = sum(_m2(getattr(land, c)) for c in CLASSES)
    _area(facts, "map.parcel.area_declared", total)
    _area(facts, "map.parcel.area_measured", round(area))
    _area(facts, "map.parcel.area_difference",
          _up(min(abs(total - area), abs(total - measured.area_ellipsoid_m2))))
    _area(facts, "map.parcel.area_allowance", _up(float(PROJECTION_ALLOWANCE) * max(total, area)))
    owners = raw.get("ownership") or {}
    other = {"state": "collective", "collective": "state"}[parcel.ownership]
    _area(facts, "map.parcel.other_ownership", _up(owners.get(other, 0.0)))
    return facts


# ------------------------------------------------------------------------------- the measured case

def _measured_case(case: Case, result: Any, layer_set: Any, case_adopts: set[Any], parcel_adopts: dict[str, Any]) -> Case | None:
    """The case with the facts the rules adopted from the map, or None when they adopted none."""
    if not case_adopts and not any(parcel_adopts.values()):
        return None
    measured = {p.id: p for p in result.parcels}
    parcels = []
    for parcel in case.parcels:
        adopts = parcel_adopts.get(parcel.id) or set()
        if not adopts:
            parcels.append(parcel)
            continue
        land = measured[parcel.id].land
        update = {c: land[c] for c in adopts}
        if "cultivated" in adopts and "permanent_basic_farmland" not in layer_set:
            # the survey's 耕地 includes PBF; the declared PBF stands (no layer to measure it)
            update["cultivated"] = max(land["cultivated"] - parcel.land.permanent_basic_farmland, Decimal(0))
        parcels.append(parcel.model_copy(update={"land": parcel.land.model_copy(update=update)}))
    scope = case.scope
    if "outside_construction_scale" in case_adopts:
        scope = scope.model_copy(update={"within_construction_scale": False})
    for level in ("national", "provincial"):
        if f"zone_{level}" in case_adopts:
            zones = [(m2, name) for (name, lv), m2 in result.raw["development_zones"].items() if lv == level]
            name = max(zones, key=lambda z: (z[0], z[1]))[1]
            scope = scope.model_copy(update={"development_zone": ZoneRef(name=name, level=level)})
            break
    return case.model_copy(update={"parcels": parcels, "scope": scope})


__all__ = ["GeoOutcome", "layer_set_of", "measure_case", "read_parcel_boundary"]
