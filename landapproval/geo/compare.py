"""Declared versus measured: the county's figures checked against the map, never merged with it.

`compare()` is a pure function of the declared case (the contract's mapping: `parcels`, and if
present `scope` and `review`) and a GeometryResult. It returns findings; the decision decides what
they mean. Severity follows what a difference can change:
  blocking    — it could change who approves or forbid approval (more PBF, red line, outside the
                construction-land scale, a provincial zone) as measured vs. declared;
  correctable — figures or records that must be corrected (areas, classes, ownership, consent);
  warning     — the declaration is more cautious than the map.
"""

from __future__ import annotations

from decimal import Decimal

from .areas import AREA_TOLERANCE, Tolerance
from .findings import (CITE_LAND_TYPE_AREA, CITE_PLAN_CONTROL, CITE_PROTECTED,
                       CITE_SCALE_AND_ZONE, finding)
from .measure import LAND_KEYS, GeometryResult

HA = Decimal(10_000)
_CLASS_ZH = {"permanent_basic_farmland": "永久基本农田", "cultivated": "耕地（不含永久基本农田）",
             "other_agricultural": "其他农用地", "construction": "建设用地", "unused": "未利用地"}
_HIGHER_LEVELS = ("national", "provincial")


def _dec(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value or 0))


def _ha(m2: Decimal) -> str:
    return f"{m2 / HA:.4f}"


def compare(declared: dict, measured: GeometryResult,
            tolerance: Tolerance = AREA_TOLERANCE) -> list[dict]:
    out: list[dict] = []
    by_id = {str(p.get("id")): p for p in declared.get("parcels") or []}
    total_m2 = Decimal(0)
    for mp in measured.parcels:
        dp = by_id.get(mp.id)
        if dp is None:
            out.append(finding(
                "geo.compare.unknown_parcel", "warning",
                f"测得地块 {mp.id} 在申报材料中没有对应地块", f"measured parcel {mp.id} is not "
                "among the declared parcels", CITE_LAND_TYPE_AREA,
                "核对地块编号 (check the parcel ids)"))
            continue
        total_m2 += mp.area_plane * HA
        out += _parcel_area(dp, mp, tolerance)
        out += _parcel_classes(dp, mp, tolerance)
        out += _parcel_ownership(dp, mp, tolerance)
    out += _scope(declared, measured, tolerance, total_m2)
    return out


def _parcel_area(dp, mp, tol) -> list[dict]:
    land = dp.get("land") or {}
    d_m2 = sum((_dec(land.get(k)) for k in LAND_KEYS), Decimal(0)) * HA
    if tol.agree(d_m2, mp.area_plane_m2) or tol.agree(d_m2, mp.area_ellipsoid_m2):
        return []
    return [finding(
        "geo.compare.area_mismatch", "correctable",
        f"地块 {mp.id} 申报面积 {_ha(d_m2)} 公顷，按界址坐标测得平面面积 {mp.area_plane} 公顷、椭球面积 "
        f"{mp.area_ellipsoid} 公顷，差值超过容差",
        f"parcel {mp.id}: declared {_ha(d_m2)} ha, measured {mp.area_plane} ha (plane) / "
        f"{mp.area_ellipsoid} ha (ellipsoid), beyond the tolerance", CITE_LAND_TYPE_AREA,
        "核对地类面积与界址点坐标 (reconcile the declared areas with the boundary)")]


def _parcel_classes(dp, mp, tol) -> list[dict]:
    if mp.land is None:
        return []
    land = {k: _dec((dp.get("land") or {}).get(k)) for k in LAND_KEYS}
    if "permanent_basic_farmland" not in mp.land and "cultivated" in mp.land:
        land["cultivated"] += land["permanent_basic_farmland"]  # no PBF layer: 耕地 includes PBF
    out = []
    for key, m_ha in mp.land.items():
        d_m2, m_m2 = land[key] * HA, m_ha * HA
        if abs(d_m2 - m_m2) <= tol.allowed_m2(max(d_m2, m_m2)):
            continue
        more_pbf = key == "permanent_basic_farmland" and m_m2 > d_m2
        out.append(finding(
            "geo.compare.land_class_mismatch", "blocking" if more_pbf else "correctable",
            f"地块 {mp.id} {_CLASS_ZH[key]} 申报 {_ha(d_m2)} 公顷，与图层测得 {m_ha} 公顷不符",
            f"parcel {mp.id}: {key} declared {_ha(d_m2)} ha, measured {m_ha} ha from the layers",
            "土地管理法 第四十四条、第四十六条" if more_pbf else CITE_LAND_TYPE_AREA,
            "按年度国土变更调查成果和永久基本农田数据更正地类面积 (correct the land classes from "
            "the survey and PBF data)"))
    return out


def _parcel_ownership(dp, mp, tol) -> list[dict]:
    if not mp.ownership or dp.get("ownership") not in ("state", "collective"):
        return []
    declared = dp["ownership"]
    other = "collective" if declared == "state" else "state"
    m_m2 = mp.ownership.get(other, Decimal(0)) * HA
    if m_m2 <= tol.allowed_m2(mp.area_plane_m2):
        return []
    zh = {"state": "国有", "collective": "集体"}
    return [finding(
        "geo.compare.ownership_mismatch", "correctable",
        f"地块 {mp.id} 申报为{zh[declared]}土地，但国土调查图层显示其中 {_ha(m_m2)} 公顷为{zh[other]}土地",
        f"parcel {mp.id} is declared {declared} land but the survey shows {_ha(m_m2)} ha of "
        f"{other} land", CITE_LAND_TYPE_AREA,
        "与集体土地所有权等不动产登记成果核对权属 (check ownership against the registration records)")]


def _scope(declared, measured: GeometryResult, tol, total_m2) -> list[dict]:
    out = []
    scope = declared.get("scope") or {}
    planning = (declared.get("review") or {}).get("planning") or {}
    if measured.outside_construction_scale is not None and "within_construction_scale" in scope:
        outside = measured.outside_construction_scale * HA
        if scope["within_construction_scale"] and outside > 0:
            blocking = outside > tol.allowed_m2(total_m2)
            out.append(finding(
                "geo.compare.outside_construction_scale", "blocking" if blocking else "correctable",
                f"申报位于建设用地规模范围内，但测得 {_ha(outside)} 公顷位于规模范围外",
                f"declared inside the construction-land scale, but {_ha(outside)} ha lie outside it",
                CITE_SCALE_AND_ZONE,
                "调整用地范围或按规模范围外用地报批 (adjust the boundary, or file as land outside the scale)"))
        elif scope["within_construction_scale"] is False and outside == 0 and total_m2 > 0:
            out.append(finding(
                "geo.compare.inside_construction_scale", "warning",
                "申报位于建设用地规模范围外，但测得全部位于规模范围内",
                "declared outside the construction-land scale, but measured entirely inside it",
                CITE_SCALE_AND_ZONE, "核对规划数据与申报范围 (check the plan data and the declaration)"))
    if measured.ecological_red_line is not None:
        red = measured.ecological_red_line * HA
        said = planning.get("occupies_ecological_red_line")
        if red > 0 and said is not True:
            out.append(finding(
                "geo.compare.ecological_red_line", "blocking",
                f"测得占用生态保护红线 {_ha(red)} 公顷，申报材料未如实反映",
                f"{_ha(red)} ha overlap the ecological red line, which the case does not declare",
                CITE_PLAN_CONTROL, "调整用地范围避让生态保护红线 (move the boundary off the red line)"))
        elif red == 0 and said is True:
            out.append(finding(
                "geo.compare.ecological_red_line_not_found", "warning",
                "申报占用生态保护红线，但图层未测得重叠", "the case declares red-line occupation, "
                "but none was measured", CITE_PLAN_CONTROL, "核对红线数据 (check the red-line data)"))
    if measured.development_zones is not None:
        out += _zones(scope.get("development_zone"), measured.development_zones)
    if measured.protected_areas is not None:
        listed = {str(p.get("name")) for p in (declared.get("review") or {}).get("protected_areas") or []}
        for pa in measured.protected_areas:
            if pa["name"] not in listed:
                out.append(finding(
                    "geo.compare.protected_area_undeclared", "correctable",
                    f"测得与保护地“{pa['name']}”（{pa['kind']}）重叠 {pa['area']} 公顷，申报材料未列明",
                    f"{pa['area']} ha overlap the protected area {pa['name']} ({pa['kind']}), which "
                    "the case does not list", CITE_PROTECTED,
                    "取得主管部门同意意见并在 review.protected_areas 中列明 (obtain the competent "
                    "department's consent and list it)"))
    return out


def _zones(declared_zone, zones: list[dict]) -> list[dict]:
    name = declared_zone.get("name") if isinstance(declared_zone, dict) else declared_zone
    touched = {z["name"] for z in zones}
    higher = [z for z in zones if z["level"] in _HIGHER_LEVELS]
    out = []
    if name is None and higher:
        listed = "、".join(f"{z['name']}（{z['area']} 公顷）" for z in higher)
        out.append(finding(
            "geo.compare.development_zone_undeclared", "blocking",
            f"测得位于省级及以上开发区四至范围内：{listed}，申报未填写开发区",
            "the parcels lie inside provincial-or-higher development zones the case does not "
            "declare: " + ", ".join(f"{z['name']} ({z['area']} ha)" for z in higher),
            CITE_SCALE_AND_ZONE,
            "在 scope.development_zone 中填写开发区 (declare the zone in scope.development_zone)"))
    elif name is not None and name not in touched:
        out.append(finding(
            "geo.compare.development_zone_not_found", "correctable" if zones else "warning",
            f"申报开发区“{name}”，测得涉及：{'、'.join(sorted(touched)) or '无'}",
            f"the case declares the zone {name}; measured: {', '.join(sorted(touched)) or 'none'}",
            CITE_SCALE_AND_ZONE, "核对开发区四至范围 (check the zone's boundary)"))
    return out
