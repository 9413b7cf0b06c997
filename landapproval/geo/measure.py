"""Measured facts: what the boundaries and the layers say about a case, as exact hectares.

`measure()` overlays the case's parcels on the layers and returns a GeometryResult whose
`to_json()` is the contract's `geometry` object. Nothing here decides anything: the figures are
facts (landapproval/geofacts.py states them) that the rules of rules/map.yaml judge — including
whether an overlap is below the digitising tolerance. `raw` keeps the unrounded square metres.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable, TypedDict, cast

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from landapproval.core.errors import InputError
from landapproval.geo.areas import ellipsoid_area_m2
from landapproval.geo.boundary import Boundary
from landapproval.geo.findings import CITE_LAND_TYPE_AREA, Finding, finding
from landapproval.geo.land_classes import CLASSES
from landapproval.geo.layers import LayerSet, LazyLayer
from landapproval.geo.sources.base import Layer
from landapproval.geo.units import ha_str, hectares

#: Below this an area is floating-point residue of the overlay (e.g. parcel area minus the area
#: inside the scale layer when the parcel lies wholly inside), not a piece of land: it is zero.
NOISE_M2 = 1e-3

LAND_KEYS = ("permanent_basic_farmland", *CLASSES)
_LAYER_ZH = {"permanent_basic_farmland": "永久基本农田", "ecological_red_line": "生态保护红线",
             "construction_scale": "建设用地规模", "development_zones": "开发区",
             "protected_areas": "保护地", "land_survey": "国土调查地类图斑"}

#: (name, level) of a development zone / (name, kind) of a protected area -> square metres
Groups = dict[tuple[str, str], float]
#: Square metres as measured (see _overlay): a float per layer or class (permanent_basic_farmland,
#: the CLASSES, survey_covered, ecological_red_line, outside_construction_scale), {owner: m²} under
#: "ownership", and Groups under "development_zones" / "protected_areas".
RawAreas = dict[str, float | dict[str, float] | Groups]
#: one measured parcel: its id, its (Multi)Polygon in EPSG:4525 and the findings of its reader
Item = tuple[str, BaseGeometry, list[Finding]]


class ZoneArea(TypedDict):
    name: str
    level: str
    area: Decimal


class ProtectedArea(TypedDict):
    name: str
    kind: str
    area: Decimal


def _m2(raw: RawAreas, key: str) -> float:
    """A figure _overlay stores as a float (a layer's or a class's square metres)."""
    return cast(float, raw[key])  # the key says which shape; see RawAreas


def _by_owner(raw: RawAreas) -> dict[str, float]:
    return cast(dict[str, float], raw["ownership"])  # the key says which shape; see RawAreas


def _groups(raw: RawAreas, key: str) -> Groups:
    return cast(Groups, raw[key])  # development_zones / protected_areas; see RawAreas


@dataclass
class ParcelResult:
    id: str
    area_plane: Decimal
    area_ellipsoid: Decimal
    area_plane_m2: float
    area_ellipsoid_m2: float
    land: dict[str, Decimal] | None = None        # this parcel's measured classes (not in JSON)
    ownership: dict[str, Decimal] | None = None   # state / collective / unknown (not in JSON)
    raw: RawAreas = field(default_factory=dict)    # square metres as measured (see _overlay)


@dataclass
class GeometryResult:
    parcels: list[ParcelResult]
    land: dict[str, Decimal] | None = None
    outside_construction_scale: Decimal | None = None
    ecological_red_line: Decimal | None = None
    development_zones: list[ZoneArea] | None = None
    protected_areas: list[ProtectedArea] | None = None
    findings: list[Finding] = field(default_factory=list)
    raw: RawAreas = field(default_factory=dict)      # the case's totals in square metres

    def to_json(self) -> dict[str, Any]:
        """The contract's `geometry` object; a key whose layer was not given is absent."""
        measured: dict[str, Any] = {}
        if self.land is not None:
            measured["land"] = {k: ha_str(v) for k, v in self.land.items()}
        if self.outside_construction_scale is not None:
            measured["outside_construction_scale"] = ha_str(self.outside_construction_scale)
        if self.ecological_red_line is not None:
            measured["ecological_red_line"] = ha_str(self.ecological_red_line)
        if self.development_zones is not None:
            measured["development_zones"] = [
                {"name": z["name"], "level": z["level"], "area": ha_str(z["area"])}
                for z in self.development_zones]
        if self.protected_areas is not None:
            measured["protected_areas"] = [
                {"name": p["name"], "kind": p["kind"], "area": ha_str(p["area"])}
                for p in self.protected_areas]
        return {
            "parcels": [{"id": p.id, "area_plane": ha_str(p.area_plane),
                         "area_ellipsoid": ha_str(p.area_ellipsoid)} for p in self.parcels],
            "measured": measured,
            "findings": [dict(f) for f in self.findings],
        }


def _kept(m2: float) -> float:
    return 0.0 if m2 < NOISE_M2 else float(m2)


def _overlay(piece: BaseGeometry, layers: LayerSet, used_repaired: dict[str, set[int]]) -> RawAreas:
    """Square metres of one (Multi)Polygon against every layer given (survey_covered: the part of it
    the land survey covers; a class whose layer is absent is absent)."""
    out: RawAreas = {}
    pbf_geom = None
    area = shapely.area(piece)

    def parts(key: str) -> tuple[Layer | LazyLayer, np.ndarray, np.ndarray]:
        layer = layers.layers[key]  # every caller has checked `key in layers`
        idx = layer.query(piece)
        assert layer.repaired is not None  # Layer.__post_init__ fills it
        if layer.repaired[idx].any():
            used_repaired[key] |= set(idx[layer.repaired[idx]].tolist())
        return layer, idx, shapely.intersection(layer.geoms[idx], piece)

    if "permanent_basic_farmland" in layers:
        _, _, inter = parts("permanent_basic_farmland")
        pbf_geom = shapely.union_all(inter) if len(inter) else None
        m2 = shapely.area(pbf_geom) if pbf_geom is not None else 0.0
        out["permanent_basic_farmland"] = _kept(m2)
        if out["permanent_basic_farmland"] == 0:
            pbf_geom = None
    if "land_survey" in layers:
        layer, idx, inter = parts("land_survey")
        whole = shapely.area(inter)
        out["survey_covered"] = float(whole.sum())
        if pbf_geom is not None and len(inter):
            inter = shapely.difference(inter, pbf_geom)  # PBF is its own class, whatever 地类
        areas = shapely.area(inter)
        classes = dict.fromkeys(CLASSES, 0.0)
        owners: defaultdict[str, float] = defaultdict(float)
        owner_col = layer.attrs.get("ownership")
        for k, m2, m2_whole in zip(idx.tolist(), areas.tolist(), whole.tolist()):
            classes[layer.attrs["land_class"][k]] += m2
            owners[(owner_col[k] if owner_col is not None else None) or "unknown"] += m2_whole
        for c in CLASSES:
            out[c] = _kept(classes[c])
        out["ownership"] = dict(owners)
    if "ecological_red_line" in layers:
        _, _, inter = parts("ecological_red_line")
        m2 = shapely.area(shapely.union_all(inter)) if len(inter) else 0.0
        out["ecological_red_line"] = _kept(m2)
    if "construction_scale" in layers:
        _, _, inter = parts("construction_scale")
        inside = shapely.area(shapely.union_all(inter)) if len(inter) else 0.0
        out["outside_construction_scale"] = _kept(max(area - inside, 0.0))
    for key, attrs in (("development_zones", ("name", "level")), ("protected_areas", ("name", "kind"))):
        if key in layers:
            layer, idx, inter = parts(key)
            groups: defaultdict[tuple[str, str], list[BaseGeometry]] = defaultdict(list)
            for k, g in zip(idx.tolist(), inter):
                groups[(str(layer.attrs[attrs[0]][k]), str(layer.attrs[attrs[1]][k]))].append(g)
            kept: Groups = {}
            out[key] = kept
            for ident, geoms in groups.items():
                m2 = _kept(shapely.area(shapely.union_all(geoms)))
                if m2 > 0:
                    kept[ident] = m2
    return out


def _check_inputs(parcels: Iterable[Boundary | tuple[str, BaseGeometry]]) -> list[Item]:
    items: list[Item] = []
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for i, item in enumerate(parcels):
        found: list[Finding]
        if isinstance(item, Boundary):
            pid, geom, found = item.parcel_id, item.geometry, item.findings
        else:
            pid, geom = item
            found = []
        where = f"parcels[{i}]"
        if pid in seen:
            problems.append((where, f"parcel id {pid!r} appears twice"))
        seen.add(pid)
        if not isinstance(geom, shapely.Geometry) or geom.geom_type not in ("Polygon", "MultiPolygon") \
                or geom.is_empty:
            problems.append((where, f"parcel {pid}: expected a non-empty Polygon or MultiPolygon"))
            continue
        reason = shapely.is_valid_reason(geom)
        if reason != "Valid Geometry":
            problems.append((where, f"parcel {pid}: invalid geometry: {reason}"))
        items.append((str(pid), geom, found))
    if problems:
        raise InputError("<parcels>", problems)
    return items


def measure(parcels: Iterable[Boundary | tuple[str, BaseGeometry]], layers: LayerSet) -> GeometryResult:
    """Measure parcels — a list of (parcel_id, shapely (Multi)Polygon in EPSG:4525) or Boundary
    objects (whose reader findings are carried over) — against the layers given."""
    items = _check_inputs(parcels)
    layers = layers.around([g for _, g, _ in items])  # a city-scale layer: read near the parcels only
    findings = [f for *_, found in items for f in found]
    used_repaired: dict[str, set[int]] = defaultdict(set)
    results: list[ParcelResult] = []
    raws: list[RawAreas] = []
    for pid, geom, _ in items:
        plane, ellipsoid = float(shapely.area(geom)), ellipsoid_area_m2(geom)
        raw = _overlay(geom, layers, used_repaired)
        raws.append(raw)
        land = {c: hectares(_m2(raw, c)) for c in LAND_KEYS if c in raw} or None
        owners = ({k: hectares(v) for k, v in sorted(_by_owner(raw).items())}
                  if "ownership" in raw else None)
        results.append(ParcelResult(pid, hectares(plane), hectares(ellipsoid), plane, ellipsoid,
                                    land, owners, raw))
    overlap = _overlaps(items)
    if overlap:
        findings += overlap
        union = shapely.union_all([g for _, g, _ in items])
        totals = _overlay(union, layers, used_repaired)
    else:
        totals = _sum(raws)
    findings += _coverage_findings(items, raws, layers)
    findings += _repaired_findings(used_repaired, layers)
    result = GeometryResult(results, findings=findings, raw=totals)
    land = {c: hectares(_m2(totals, c)) for c in LAND_KEYS if c in totals}
    result.land = land or None
    if "outside_construction_scale" in totals:
        result.outside_construction_scale = hectares(_m2(totals, "outside_construction_scale"))
    if "ecological_red_line" in totals:
        result.ecological_red_line = hectares(_m2(totals, "ecological_red_line"))
    if "development_zones" in totals:
        zones = [ZoneArea(name=n, level=v, area=hectares(m2))
                 for (n, v), m2 in _groups(totals, "development_zones").items()]
        zones.sort(key=lambda r: (-r["area"], r["name"]))
        result.development_zones = zones
    if "protected_areas" in totals:
        protected = [ProtectedArea(name=n, kind=v, area=hectares(m2))
                     for (n, v), m2 in _groups(totals, "protected_areas").items()]
        protected.sort(key=lambda r: (-r["area"], r["name"]))
        result.protected_areas = protected
    return result


def _sum(raws: list[RawAreas]) -> RawAreas:
    total: RawAreas = {}
    for raw in raws:
        for key, value in raw.items():
            if isinstance(value, dict):
                # {owner: m²} or Groups, summed key by key
                bucket = cast(defaultdict[Any, float], total.setdefault(key, defaultdict(float)))
                for k, v in value.items():
                    bucket[k] += v
            else:
                total[key] = cast(float, total.get(key, 0.0)) + value
    return total


def _overlaps(items: list[Item]) -> list[Finding]:
    geoms = np.array([g for _, g, _ in items], dtype=object)
    if len(geoms) < 2:
        return []
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    pairs = [(i, j) for i, j in zip(left.tolist(), right.tolist()) if i < j]
    out: list[Finding] = []
    for i, j in pairs:
        m2 = float(shapely.area(shapely.intersection(geoms[i], geoms[j])))
        if m2 >= 1.0:  # 0.0001 ha, the precision of the figures
            a, b = items[i][0], items[j][0]
            out.append(finding(
                "geo.parcels_overlap", "correctable",
                f"地块 {a} 与 {b} 重叠 {m2:.2f} 平方米；汇总面积按并集计算，未重复计入",
                f"parcels {a} and {b} overlap by {m2:.2f} m²; totals use their union, so the "
                "overlap is counted once", CITE_LAND_TYPE_AREA,
                "更正界址点坐标，使各地块互不重叠 (correct the boundaries so parcels do not overlap)"))
    return out


def _coverage_findings(items: list[Item], raws: list[RawAreas], layers: LayerSet) -> list[Finding]:
    if "land_survey" not in layers:
        return []
    out: list[Finding] = []
    for (pid, geom, _), raw in zip(items, raws):
        area, covered = float(shapely.area(geom)), _m2(raw, "survey_covered")
        # a parcel the survey covers only in part is judged by rules/map.yaml (map.survey_partial)
        if covered - area >= 1.0:
            out.append(finding(
                "geo.survey_overlap", "warning",
                f"国土调查图层在地块 {pid} 内有 {covered - area:.2f} 平方米的图斑相互重叠，地类面积可能重复",
                f"land survey polygons overlap each other by {covered - area:.2f} m² inside parcel "
                f"{pid}; class areas may count it twice", CITE_LAND_TYPE_AREA,
                "检查国土调查图层拓扑 (check the survey layer's topology)"))
    return out


def _repaired_findings(used: dict[str, set[int]], layers: LayerSet) -> list[Finding]:
    out: list[Finding] = []
    for key, idx in sorted(used.items()):
        if idx:
            src = layers.layers[key].source  # a key of `used` is a layer that was read
            out.append(finding(
                "geo.layer_geometry_repaired", "warning",
                f"{_LAYER_ZH[key]}图层（{src}）中与本案相交的 {len(idx)} 个要素几何无效，已用 make_valid 修复后计算",
                f"{len(idx)} feature(s) of the {key} layer ({src}) that touch this case had invalid "
                "geometry and were repaired with make_valid before measuring", CITE_LAND_TYPE_AREA,
                "请图层管理部门修复拓扑错误 (ask the layer's owner to fix its topology)"))
    return out
