"""The map in the decision: boundaries and layers measured, compared with what the case declares.

Bridges landapproval.geo (shapely, pyproj, pyogrio) and the decision. Declared and measured facts
are never merged silently: their differences become findings on C1, C3 or C6, and a "measured
case" (the declared case with the measured land classes and scope) is built so api.evaluate can
tell whether the map changes the approving authority — if it does, the decision follows the map
and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .decision import Finding
from .models import Case, Land, ZoneRef

HIGHER_LEVELS = ("national", "provincial")
_LEVEL_ORDER = {"national": 0, "provincial": 1, "municipal": 2, "county": 3}
# which review item a geometry finding belongs to, by the clause it cites
_CHECK_BY_CLAUSE = {"四(一)": "C1", "三(一)": "C1", "四(三)": "C3", "四(六)": "C6"}


@dataclass
class GeoOutcome:
    json: dict | None
    findings_by_check: dict[str, list[Finding]] = field(default_factory=dict)
    measured_case: Case | None = None
    undeclared: bool = False  # a measured parcel whose land classes the case does not declare

    @staticmethod
    def authority_note(declared: tuple, measured: tuple) -> Finding:
        def show(routes: tuple) -> str:
            return ", ".join(f"{part}: {r[0]}/{r[1]}" if r else f"{part}: none"
                             for part, r in zip(("conversion", "expropriation"), routes))
        return Finding(
            code="geo.authority_from_measured", severity="warning",
            message={"zh": f"实测事实改变了审批机关，决定依据实测事实：申报 {show(declared)}；实测 {show(measured)}",
                     "en": f"The measured facts change the approving authority, so the decision follows them: "
                           f"declared {show(declared)}; measured {show(measured)}"},
            citation="临政发〔2024〕7号 三；土地管理法 第四十四条、第四十六条",
            remedy={"zh": "按实测结果更正申报的地类面积和范围", "en": "Correct the declared areas and scope to the survey"},
            facts={"declared": show(declared), "measured": show(measured)})


@lru_cache(maxsize=8)
def _load_layers(path: str):
    from .geo import LayerSet

    return LayerSet.load(path)


def _finding(raw: dict) -> Finding:
    remedy = raw.get("remedy")
    return Finding(code=raw["code"], severity=raw["severity"],
                   message={"zh": raw["message_zh"], "en": raw["message_en"]}, citation=raw["citation"],
                   remedy={"zh": remedy, "en": remedy} if remedy else None)


def _check_for(citation: str) -> str:
    return next((check for clause, check in _CHECK_BY_CLAUSE.items() if clause in citation), "C3")


def measure_case(case: Case, source: str, base_dir: Path, layers: Any) -> GeoOutcome:
    from .geo import LayerSet, compare, measure, read_boundary

    if layers is None:
        layer_set = LayerSet.from_geometries()
    elif isinstance(layers, (str, Path)):
        layer_set = _load_layers(str(Path(layers).resolve()))
    else:
        layer_set = layers
    boundaries = [(parcel, read_boundary(parcel.boundary, base_dir, case_file=source,
                                         field_path=f"parcels[{index}].boundary"))
                  for index, parcel in enumerate(case.parcels) if parcel.boundary]
    if not boundaries:
        return GeoOutcome(json=None)
    result = measure([(parcel.id, b.geometry) for parcel, b in boundaries], layer_set)
    result.findings[:0] = [f for _, b in boundaries for f in b.findings]
    by_check: dict[str, list[Finding]] = {}
    for raw in compare(case.model_dump(mode="json", by_alias=True), result):
        by_check.setdefault(_check_for(raw["citation"]), []).append(_finding(raw))
    measured_ids = {p.id for p in result.parcels if p.land is not None}
    undeclared = any(p.id in measured_ids and not any(p.land.model_dump().values()) for p in case.parcels)
    return GeoOutcome(json=result.to_json(), findings_by_check=by_check,
                      measured_case=_measured_case(case, result), undeclared=undeclared)


def _measured_case(case: Case, result) -> Case | None:
    """The case with the measured land classes and scope, or None when the map changes nothing."""
    measured_land = {p.id: p.land for p in result.parcels if p.land is not None}
    parcels = []
    for parcel in case.parcels:
        land = measured_land.get(parcel.id)
        parcels.append(parcel.model_copy(update={"land": Land(**land)}) if land is not None else parcel)
    scope = case.scope
    if result.outside_construction_scale is not None and result.outside_construction_scale > 0:
        scope = scope.model_copy(update={"within_construction_scale": False})
    declared_zone = case.scope.development_zone
    declared_higher = isinstance(declared_zone, ZoneRef) and declared_zone.level in HIGHER_LEVELS
    higher = sorted((z for z in result.development_zones or [] if z["level"] in HIGHER_LEVELS and z["area"] > 0),
                    key=lambda z: (_LEVEL_ORDER[z["level"]], z["name"]))
    if higher and not declared_higher:  # none, a lower level, or a zone known only by name
        scope = scope.model_copy(update={"development_zone": ZoneRef(name=higher[0]["name"], level=higher[0]["level"])})
    measured = case.model_copy(update={"parcels": parcels, "scope": scope})
    return None if measured == case else measured


__all__ = ["GeoOutcome", "measure_case"]
