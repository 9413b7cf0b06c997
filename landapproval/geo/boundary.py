"""Read one parcel's boundary (`parcels[].boundary`) into a checked polygon in EPSG:4525.

Formats: the national 界址点坐标 exchange text (jzd.py), GeoJSON and WKT. Whatever comes in is
either a valid (Multi)Polygon inside Linfen, or an InputError that names the file, the parcel and
the point(s) at fault. Problems that do not stop the measurement (axes written the wrong way
round, a point count that disagrees with the header) come back as findings.

Swapped axes are *handled*, not rejected: at Linfen's latitude a northing (~3.9e6) can never be
mistaken for an easting (37.xe6 with the prefix, < 1e6 without, or a longitude ~111 for a
latitude ~36), so swapping back is unambiguous and cannot move the parcel. The file still breaks
the exchange format that the provincial system (国土空间用途管制监管系统) checks, so a
`correctable` finding asks for it to be fixed before filing.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Sequence, TypeVar

import numpy as np
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from landapproval.core.errors import InputError, Problem, Text
from landapproval.geo import jzd
from landapproval.geo.areas import AREA_TOLERANCE, ellipsoid_area_m2, plane_area_m2
from landapproval.geo.crs import (GEOGRAPHIC_CRS, LINFEN_BBOX, TARGET_CRS, ZONES, classify, crs_for, kind_of_crs, outside_linfen, transform_xy)
from landapproval.geo.findings import CITE_EXCHANGE_FORMAT, CITE_LAND_TYPE_AREA, Finding, finding
from landapproval.geo.rings import RawRing, assemble_by_containment, check_assembled, check_ring

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_Item = TypeVar("_Item")


@dataclass
class Boundary:
    """A parcel boundary as read from a file."""
    parcel_id: str            # the parcel's id inside the file (地块编号, feature id/name, file stem)
    geometry: BaseGeometry    # shapely Polygon or MultiPolygon, EPSG:4525, valid
    source: str               # the file it came from
    source_crs: str           # the CRS the file was in (detected or declared)
    findings: list[Finding] = field(default_factory=list)
    declared_area_ha: Decimal | None = None   # the area the file itself states, if any


def read_boundary(ref: str, base_dir: str | Path = ".", *, case_file: str | None = None,
                  field_path: str = "") -> Boundary:
    """Resolve a case file's `boundary` value ("path[#ID]", path relative to the case file)."""
    path_text, _, select = ref.partition("#")
    path = Path(base_dir) / path_text
    if not path_text or not path.is_file():
        raise InputError(case_file or str(path), [(field_path, Text(
            f"找不到地块边界文件：{path}；boundary 应为相对于案件文件的路径，可加 #地块编号，例如 "
            "parcels/qw.txt#QW-1", f"boundary file not found: {path}"))])
    return read_boundary_file(path, select or None)


def read_inline_boundary(fmt: str, data: Any, *, crs: str | None = None, select: str | None = None,
                         case_file: str | None = None, field_path: str = "boundary") -> Boundary:
    """A boundary given in the case itself (`{format, data, crs, id}`, CONTRACT.md "Additions"):
    read exactly as the same text in a file would be; problems name `<field_path>.data…`."""
    source = field_path
    try:
        if crs is not None:
            try:
                kind_of_crs(crs)
            except ValueError as exc:
                raise InputError(source, [("crs", _text_of(exc))]) from None
        if fmt == "geojson":
            doc = data
            if isinstance(data, str):
                try:
                    doc = json.loads(data)
                except json.JSONDecodeError as exc:
                    raise InputError(source, [("data", _bad_json(exc))]) from None
            return _from_geojson_doc(doc, source, select, crs, base="data")
        if not isinstance(data, str):
            raise InputError(source, [("data", Text(
                f"{fmt} 格式的边界应为文本（多行字符串），收到 {type(data).__name__}；例如 data: |",
                f"a {fmt} boundary is text, got {type(data).__name__}"))])
        text = data.lstrip("\ufeff")
        if fmt == "jzd":
            return _from_jzd(text, source, select, crs)
        if select is not None:
            raise InputError(source, [("id", Text("WKT 文本只含一个图形：应删除 id",
                                                  "a WKT text holds one geometry: remove the id"))])
        return _from_wkt(text, source, None, "WKT", crs)
    except InputError as error:
        problems = [Problem(".".join(p for p in (field_path, _inline_path(problem.path)) if p),
                            Text(_ADD_ID_EXAMPLE.sub(r"应填写 `id`\1，例如 id: \2", problem.text.zh),
                                 problem.text.en.replace(_ADD_ID.en, "give `id`")),
                            problem.line, problem.suggestions)
                    for problem in error.problems]
        raise InputError(case_file or field_path, problems) from None


#: how to choose one parcel of a file that holds several (an inline boundary says `id` instead)
_ADD_ID = Text("应在边界引用后加 #编号", "add #ID to the boundary reference")
_ADD_ID_EXAMPLE = re.compile(r"应在边界引用后加 #编号(.*)，例如 \S+#(\S+)$")


def _text_of(exc: ValueError) -> Text:
    """The bilingual sentence of a ValueError from crs.kind_of_crs (FieldProblem)."""
    return getattr(exc, "text", None) or Text(str(exc), str(exc))


def _bad_json(exc: json.JSONDecodeError) -> Text:
    return Text(f"不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列 {exc.msg}；GeoJSON 应为对象，例如 "
                '{"type": "Polygon", "coordinates": [[[x, y], …]]}',
                f"not valid JSON: {exc}")


def _inline_path(path: str) -> str:
    """A reader's own path (a GeoJSON member, a 界址点 parcel, `#ID`) inside `data`."""
    if path in ("crs", "id") or path.startswith("data"):
        return path
    if path.startswith("#"):
        return "id"
    return f"data: {path}" if path else "data"


def read_boundary_file(path: str | Path, select: str | None = None) -> Boundary:
    path = Path(path)
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(source, [("", Text(f"无法读取文件：{exc.strerror}；应为可读的边界文件",
                                            f"cannot read: {exc.strerror}"))]) from None
    text = jzd.decode(data, source)
    kind = _format_of(path, text)
    if kind == "jzd":
        return _from_jzd(text, source, select)
    if kind == "geojson":
        return _from_geojson(text, source, select)
    return _from_wkt(text, source, select, path.stem)


def _format_of(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        return "geojson"
    if suffix == ".wkt":
        return "wkt"
    head = text.lstrip()[:200]
    if head.startswith("{"):
        return "geojson"
    if re.match(r"(SRID=\d+;)?\s*(MULTI)?POLYGON", head, re.I):
        return "wkt"
    return "jzd"


# ---------------------------------------------------------------- 界址点 exchange file

def _from_jzd(text: str, source: str, select: str | None, declared: str | None = None) -> Boundary:
    parsed = jzd.parse(text, source)
    attrs = parsed.attrs
    problems = _check_jzd_attrs(attrs)
    if problems:
        raise InputError(source, problems)
    parcel = _select(parsed.parcels, select, source, key=lambda p: (p.code, p.name),
                     what=Text("地块编号/地块名称", "地块编号/地块名称"))
    label = parcel.label
    where = f"地块 {label}"

    def at_parcel(text: Text) -> Problem:
        return Problem(where, text, line=parcel.line)

    if parcel.shape and parcel.shape not in ("面", "polygon", "Polygon"):
        raise InputError(source, [at_parcel(Text(
            f"记录图形属性为 {parcel.shape!r}：只有 面 才有面积，应填 面",
            f"记录图形属性 is {parcel.shape!r}: only 面 (polygon) parcels have an area"))])
    if not parcel.rings:
        raise InputError(source, [at_parcel(Text(
            f"地块没有界址点；头行之后应逐行列出界址点，例如 J1,1,3945000.000,37542000.000",
            "parcel has no points"))])
    zone_hint = int(attrs["带号"]) if attrs.get("带号") else None
    src_crs, swapped = _locate(label, parcel.rings, declared, zone_hint, source, at_parcel, jzd_axes=True)
    findings: list[Finding] = []
    if swapped:
        findings.append(_swapped_finding(source, label, "X 应为北坐标（纵）、Y 应为带带号的东坐标（横）",
                                         "X must be the northing and Y the easting with the zone prefix"))
    ring_problems = [p for ring in parcel.rings for p in check_ring(label, ring)]
    if ring_problems:
        raise InputError(source, [at_parcel(p) for p in ring_problems])
    geom, ring_problems = assemble_by_containment(label, parcel.rings)
    if ring_problems or geom is None:  # no geometry comes back without its problems
        raise InputError(source, [at_parcel(p) for p in ring_problems])
    findings += _point_count_findings(source, parcel)
    findings += _file_area_findings(source, label, parcel.area_ha, geom)
    return Boundary(parcel.code or parcel.name, geom, source, src_crs, findings, parcel.area_ha)


def _check_jzd_attrs(attrs: dict[str, str]) -> list[tuple[str, Text]]:
    problems: list[tuple[str, Text]] = []
    system = attrs.get("坐标系", "")
    if system and "2000" not in system:
        problems.append(("[属性描述] 坐标系", Text(
            f"{system!r}：只接受 2000国家大地坐标系（CGCS2000），例如 坐标系=2000国家大地坐标系；"
            "1980西安/1954北京坐标须先用公布的参数转换，才能与 CGCS2000 图层比对",
            f"{system!r}: only CGCS2000 (2000国家大地坐标系) is "
            "accepted; 1980西安/1954北京 coordinates need a transformation with "
            "published parameters before they can be checked against CGCS2000 layers")))
    if attrs.get("几度分带", "3") not in ("3", "3度"):
        problems.append(("[属性描述] 几度分带", Text(
            f"{attrs['几度分带']!r}：临汾的边界文件使用 3 度分带，应为 几度分带=3",
            f"{attrs['几度分带']!r}: Linfen's boundary files use 3° zones")))
    if attrs.get("计量单位", "米") not in ("米", "m"):
        problems.append(("[属性描述] 计量单位", Text(
            f"{attrs['计量单位']!r}：坐标应以米为单位，应为 计量单位=米",
            f"{attrs['计量单位']!r}: coordinates must be in metres (米)")))
    zone = attrs.get("带号", "")
    if zone and (not zone.isdigit() or int(zone) not in ZONES):
        problems.append(("[属性描述] 带号", Text(
            f"{zone!r}：临汾位于 3 度带第 37 带（东缘在第 38 带），应为 带号=37 或 带号=38",
            f"{zone!r}: Linfen lies in 3° zone 37 (and its eastern edge in zone 38)")))
    return problems


def _point_count_findings(source: str, parcel: jzd.JzdParcel) -> list[Finding]:
    if parcel.count is None:
        return []
    n = parcel.n_points
    closing = sum(1 for r in parcel.rings if len(r.names) > 1 and np.array_equal(r.xy_src[0], r.xy_src[-1]))
    if parcel.count in (n, n - closing):  # both conventions occur: with or without closing points
        return []
    return [finding(
        "geo.boundary.point_count_mismatch", "warning",
        f"{Path(source).name} 地块 {parcel.label} 头行界址点数为 {parcel.count}，实际有 {n} 个点"
        f"（不计闭合点 {n - closing} 个）；已按实际点位计算",
        f"{Path(source).name} parcel {parcel.label}: the header says {parcel.count} points, the "
        f"file has {n} ({n - closing} without closing points); the points as listed were used",
        CITE_EXCHANGE_FORMAT,
        "核对并更正头行界址点数 (correct the point count in the header line)")]


def _file_area_findings(source: str, label: str, area_ha: Decimal | None, geom: BaseGeometry) -> list[Finding]:
    if area_ha is None:
        return []
    declared_m2 = area_ha * 10_000
    plane, ellipsoid = plane_area_m2(geom), ellipsoid_area_m2(geom)
    if AREA_TOLERANCE.agree(declared_m2, plane) or AREA_TOLERANCE.agree(declared_m2, ellipsoid):
        return []
    return [finding(
        "geo.boundary.file_area_mismatch", "warning",
        f"{Path(source).name} 地块 {label} 头行地块面积 {area_ha} 公顷，按坐标计算平面面积 "
        f"{plane / 10_000:.4f} 公顷、椭球面积 {ellipsoid / 10_000:.4f} 公顷，超出容差",
        f"{Path(source).name} parcel {label}: the header states {area_ha} ha but the coordinates "
        f"enclose {plane / 10_000:.4f} ha (plane) / {ellipsoid / 10_000:.4f} ha (ellipsoid)",
        CITE_LAND_TYPE_AREA,
        "核对界址点坐标与地块面积 (check the coordinates and the stated area)")]


# ---------------------------------------------------------------- shared: CRS, axes, Linfen

def _locate(label: str, rings: list[RawRing], declared: str | None, zone_hint: int | None,
            source: str, at: Callable[[Text], Problem], jzd_axes: bool = False) -> tuple[str, bool]:
    """Decide the file's CRS and axis order, fill ring.xy (EPSG:4525), check it lies in Linfen.
    `at` places a problem (the parcel's path and line)."""
    xy = np.concatenate([r.xy_src for r in rings])
    names = [(r, i) for r in rings for i in range(len(r.names))]
    normal, flipped = classify(xy[:, 0], xy[:, 1]), classify(xy[:, 1], xy[:, 0])
    if declared:
        want, zone = kind_of_crs(declared)
    else:
        zone = None
        seen = [k for k in normal if k] or [k for k in flipped if k]
        want = Counter(seen).most_common(1)[0][0] if seen else "?"
    ok_n, ok_f = normal == want, flipped == want
    if ok_n.all():
        swapped, kind = False, want
    elif ok_f.all():
        swapped, kind = True, want
        xy = xy[:, ::-1]
    else:
        neither = np.flatnonzero(~ok_n & ~ok_f)
        axes = (Text("X 应为北坐标（纵）、Y 应为带带号的东坐标（横），例如 X=3945000.000, Y=37542000.000",
                     "X = northing, Y = easting with the zone prefix") if jzd_axes
                else Text("x 应为东坐标或经度、y 应为北坐标或纬度，例如 [542000.0, 3945000.0] 或 [111.5, 35.6]",
                          "x = easting or lon, y = northing or lat"))
        if neither.size:
            bad = neither
            msg = (Text(f"不是 {declared} 坐标", f"not a {declared} coordinate") if declared else
                   Text("不是临汾的 2000国家大地坐标系坐标（第 37 带，带或不带带号 37，或经纬度）",
                        "not a CGCS2000 coordinate of Linfen (zone 37 with or without the 37 prefix, "
                        "or lon/lat)"))
            msg = Text(f"{msg.zh}；{axes.zh}", f"{msg.en}; expected {axes.en}")
        else:  # every point is fine one way or the other: the axis order changes inside the file
            bad = np.flatnonzero(~ok_n) if (~ok_n).sum() <= (~ok_f).sum() else np.flatnonzero(~ok_f)
            msg = Text(f"坐标轴顺序与文件其余各点相反；{axes.zh}",
                       f"its axes are in the other order than the rest of the file; expected {axes.en}")
        found = [names[k] for k in bad]
        raise InputError(source, [at(Text(f"界址点 {r.point(i)}：{msg.zh}", f"point {r.point(i)}: {msg.en}"))
                                  for r, i in found[:5]]
                         + ([at(Text(f"…… 另有 {len(found) - 5} 个点", f"… and {len(found) - 5} more points"))]
                            if len(found) > 5 else []))
    if kind == "prefixed":
        zones = set((xy[:, 0] // 1_000_000).astype(int).tolist())
        if len(zones) > 1:
            raise InputError(source, [at(Text(
                f"各点的带号前缀不一致 {sorted(zones)}；同一地块应在同一带内，例如都以 37 开头",
                f"points carry different zone prefixes {sorted(zones)}"))])
        prefix = zones.pop()
        if declared and prefix != zone:
            raise InputError(source, [at(Text(
                f"文件声明 {declared}（第 {zone} 带），但东坐标的带号前缀是 {prefix}；应使坐标系与带号一致",
                f"the file says {declared} (zone {zone}) but the eastings carry the prefix {prefix}"))])
        if zone_hint is not None and prefix != zone_hint:
            raise InputError(source, [at(Text(
                f"[属性描述] 中 带号={zone_hint}，但 Y 坐标的带号前缀是 {prefix}：哪一个正确？"
                f"应使两者一致，例如 带号={prefix}",
                f"带号={zone_hint} in [属性描述] but the Y coordinates "
                f"carry the zone prefix {prefix}: which zone is right?"))])
        zone = prefix
    elif kind == "plain" and zone is None:
        zone = zone_hint or 37
    src_crs = crs_for(kind, zone or 37)
    lonlat = transform_xy(xy, src_crs, GEOGRAPHIC_CRS)
    outside = np.flatnonzero(outside_linfen(lonlat))
    if outside.size:
        lines = []
        for k in outside[:5]:
            r, i = names[k]
            lines.append(at(Text(
                f"界址点 {r.point(i)} 位于东经 {lonlat[k, 0]:.4f}°、北纬 {lonlat[k, 1]:.4f}°，在临汾市范围之外"
                f"（经度 {LINFEN_BBOX[0]}–{LINFEN_BBOX[2]}，纬度 {LINFEN_BBOX[1]}–{LINFEN_BBOX[3]}）；"
                f"按 {src_crs} 读取，请检查坐标系、坐标顺序和数位",
                f"point {r.point(i)} lies at {lonlat[k, 0]:.4f}° E, "
                f"{lonlat[k, 1]:.4f}° N, outside Linfen (LINFEN_BBOX lon "
                f"{LINFEN_BBOX[0]}–{LINFEN_BBOX[2]}, lat {LINFEN_BBOX[1]}–{LINFEN_BBOX[3]}); "
                f"read as {src_crs}")))
        if outside.size > 5:
            lines.append(at(Text(f"…… 另有 {outside.size - 5} 个点在临汾市范围之外",
                                 f"… and {outside.size - 5} more points outside Linfen")))
        raise InputError(source, lines)
    target = transform_xy(xy, src_crs, TARGET_CRS)
    start = 0
    for r in rings:
        n = len(r.names)
        r.xy = target[start:start + n]
        start += n
    return src_crs, swapped


def _swapped_finding(source: str, label: str, zh_rule: str, en_rule: str) -> Finding:
    name = Path(source).name
    return finding(
        "geo.boundary.axes_swapped", "correctable",
        f"{name} 地块 {label} 的坐标轴顺序颠倒（{zh_rule}）；已按数值大小识别并互换后计算，面积不受影响",
        f"{name} parcel {label}: the coordinate axes are swapped ({en_rule}); they were recognised "
        "by magnitude and swapped back for measuring, which does not change the area",
        CITE_EXCHANGE_FORMAT,
        "按交换格式更正坐标顺序后重新提交 (fix the axis order in the file before filing)")


def _select(items: Sequence[_Item], select: str | None, source: str,
            key: Callable[[_Item], tuple[str, ...]], what: Text) -> _Item:
    if select is None:
        if len(items) != 1:
            ids = ", ".join(filter(None, (key(it)[0] or key(it)[1] for it in items)))
            raise InputError(source, [("", Text(
                f"文件含 {len(items)} 个地块（{ids}）；{_ADD_ID.zh}，按{what.zh}选择其中一个，例如 "
                f"{Path(source).name}#{ids.split(', ')[0] or '编号'}",
                f"holds {len(items)} parcels ({ids}); {_ADD_ID.en} to choose one by {what.en}"))])
        return items[0]
    hits = [it for it in items if select in key(it)]
    if len(hits) != 1:
        ids = ", ".join(filter(None, (key(it)[0] or key(it)[1] for it in items)))
        state = "no" if not hits else f"{len(hits)}"
        raise InputError(source, [(f"#{select}", Text(
            (f"没有地块的{what.zh}与 {select!r} 相符" if not hits else
             f"有 {len(hits)} 个地块的{what.zh}与 {select!r} 相符") + f"；应为文件中的一个：{ids}",
            f"{state} parcels match {select!r} by {what.en}; the file holds: {ids}"))])
    return hits[0]


# ---------------------------------------------------------------- GeoJSON

def _from_geojson(text: str, source: str, select: str | None) -> Boundary:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(source, [("", _bad_json(exc))]) from None
    return _from_geojson_doc(doc, source, select)


def _from_geojson_doc(doc: Any, source: str, select: str | None, crs: str | None = None, base: str = "") -> Boundary:
    """`base`: where the document sits (`data` for an inline boundary), to name its members."""
    if not isinstance(doc, dict) or "type" not in doc:
        raise InputError(source, [(base, Text(
            "不是 GeoJSON 对象（缺少 'type'）；应为例如 {\"type\": \"Polygon\", \"coordinates\": [[[x, y], …]]}",
            "not a GeoJSON object (no 'type')"))])
    if doc["type"] == "FeatureCollection":
        feats = doc.get("features")
        if not isinstance(feats, list):
            raise InputError(source, [(_join(base, "features"), Text("应为要素列表（[...]）", "must be a list"))])
        fbase = _join(base, "features")
    elif doc["type"] == "Feature":
        feats, fbase = [doc], base
    else:
        feats, fbase = [{"type": "Feature", "geometry": doc, "properties": {}}], base

    def key(f: dict[str, Any]) -> tuple[str, ...]:
        props = f.get("properties") or {}
        return tuple(str(v) for v in (f.get("id"), props.get("name"), props.get("id")) if v is not None) + ("", "")

    feat = _select(feats, select, source, key, Text("要素 id 或 properties.name/id",
                                                    "feature id or properties.name/id"))
    idx = feats.index(feat)
    path = f"{fbase}[{idx}]" if fbase.endswith("features") else fbase
    fid = key(feat)[0] or f"feature {idx + 1}"
    declared = _geojson_crs(feat.get("crs") or doc.get("crs"), source)
    if crs is not None:
        if declared is not None and declared != crs:
            raise InputError(source, [("crs", Text(f"{crs} 与 GeoJSON 自身声明的坐标系 {declared} 不一致；"
                                                   "应只写一个，或使两者相同",
                                                   f"{crs} disagrees with the GeoJSON's own crs {declared}"))])
        declared = crs
    geometry = feat.get("geometry")
    gpath = _join(path, "geometry") if doc["type"] != "Polygon" and doc["type"] != "MultiPolygon" else (path or "geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        got = geometry.get("type") if isinstance(geometry, dict) else geometry
        raise InputError(source, [(gpath, Text(f"应为 Polygon 或 MultiPolygon（面），收到 {got!r}",
                                               f"must be a Polygon or MultiPolygon, got {got!r}"))])
    coords = geometry.get("coordinates")
    polys = [coords] if geometry["type"] == "Polygon" else coords
    structure = _raw_polygons(polys, source, f"{gpath}.coordinates", lambda v: v)
    return _from_structure(structure, source, gpath, fid, declared, "GeoJSON")


def _join(base: str, member: str) -> str:
    return f"{base}.{member}" if base else member


def _geojson_crs(crs: Any, source: str) -> str | None:
    if crs is None:
        return None
    name = (crs.get("properties") or {}).get("name") if isinstance(crs, dict) else None
    if not isinstance(name, str):
        raise InputError(source, [("crs", Text('应为 {type: name, properties: {name: ...}}，例如 '
                                               '{"type": "name", "properties": {"name": "EPSG:4525"}}',
                                               "expected {type: name, properties: {name: ...}}"))])
    if "CRS84" in name.upper():
        return GEOGRAPHIC_CRS
    try:
        kind_of_crs(name)
    except ValueError as exc:
        raise InputError(source, [("crs", _text_of(exc))]) from None
    return name


def _raw_polygons(polys: Any, source: str, path: str, conv: Callable[[Any], Any]) -> list[list[RawRing]]:
    """Nested coordinate lists to RawRings, every number checked."""
    problems: list[tuple[str, Text]] = []
    out: list[list[RawRing]] = []
    if not isinstance(polys, list) or not polys:
        raise InputError(source, [(path, Text("没有任何面；应至少有一个面，其第一圈为外环",
                                              "no polygons"))])
    for p, rings in enumerate(polys):
        if not isinstance(rings, list) or not rings:
            problems.append((f"{path}[{p}]", Text("面至少应有外环（一圈坐标）",
                                                  "a polygon needs at least its outer ring")))
            continue
        out.append([])
        for r, ring in enumerate(rings):
            names: list[str] = []
            texts: list[str] = []
            xy: list[list[float | None]] = []
            if not isinstance(ring, list):
                problems.append((f"{path}[{p}][{r}]", Text("圈应为坐标点列表，例如 [[x1, y1], [x2, y2], …]",
                                                       "a ring must be a list of positions")))
                continue
            for v, pos in enumerate(ring):
                where = f"{path}[{p}][{r}][{v}]"
                vals = conv(pos)
                if not isinstance(vals, list) or len(vals) < 2:
                    problems.append((where, Text(f"坐标点应有 x 和 y，例如 [542000.0, 3945000.0]；收到 {pos!r}",
                                                 f"a position needs x and y, got {pos!r}")))
                    continue
                nums = [_number(t) for t in vals[:2]]
                if None in nums:
                    problems.append((where, Text(f"坐标 {vals[:2]!r} 不是数字；应为数字，例如 542000.0",
                                                 f"coordinate {vals[:2]!r} is not a number")))
                    continue
                names.append(f"vertex {v + 1}")
                texts.append(", ".join(str(t) for t in vals[:2]))
                xy.append(nums)
            label = f"polygon {p + 1} ring {r + 1}" + (" (outer)" if r == 0 else " (hole)")
            out[-1].append(RawRing(label, names, texts, np.array(xy, dtype=float).reshape(-1, 2)))
    if problems:
        raise InputError(source, problems)
    return out


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        value = repr(value)
    elif isinstance(value, Decimal):  # an inline boundary read by the exact-decimal case loader
        value = str(value)
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        result = float(value)
        return result if np.isfinite(result) else None
    return None


def _from_structure(structure: list[list[RawRing]], source: str, where: str, pid: str, declared: str | None,
                    fmt: str) -> Boundary:
    rings = [r for poly in structure for r in poly]
    src_crs, swapped = _locate(pid, rings, declared, None, source, lambda text: Problem(where, text))
    findings: list[Finding] = []
    if swapped:
        findings.append(_swapped_finding(source, pid, f"{fmt} 应为（东, 北）或（经度, 纬度）",
                                         f"{fmt} positions are (east, north) or (lon, lat)"))
    problems = [p for ring in rings for p in check_ring(pid, ring)]
    if problems:
        raise InputError(source, [(where, p) for p in problems])
    parts = [Polygon(poly[0].xy, [h.xy for h in poly[1:]]) for poly in structure]
    geom = parts[0] if len(parts) == 1 else MultiPolygon(parts)
    problems = check_assembled(pid, geom, rings)
    if problems:
        raise InputError(source, [(where, p) for p in problems])
    return Boundary(pid, geom, source, src_crs, findings)


# ---------------------------------------------------------------- WKT

_WKT_TOKEN = re.compile(r"\(|\)|,|[^\s(),]+")


def _from_wkt(text: str, source: str, select: str | None, stem: str, declared: str | None = None) -> Boundary:
    if select is not None:
        raise InputError(source, [(f"#{select}", Text("WKT 文件只含一个图形：应删除 #编号",
                                                      "a WKT file holds one geometry: remove the #ID"))])
    body = text.strip().rstrip(";")
    m = re.match(r"SRID=(\d+);", body, re.I)
    if m:
        if declared is not None and declared != f"EPSG:{m.group(1)}":
            raise InputError(source, [("SRID", Text(f"SRID={m.group(1)} 与 crs {declared} 不一致；应使两者相同",
                                                    f"SRID={m.group(1)} disagrees with crs {declared}"))])
        declared = f"EPSG:{m.group(1)}"
        try:
            kind_of_crs(declared)
        except ValueError as exc:
            raise InputError(source, [("SRID", _text_of(exc))]) from None
        body = body[m.end():]
    m = re.match(r"\s*(MULTIPOLYGON|POLYGON)\s*(Z|M|ZM)?\s*", body, re.I)
    if not m:
        raise InputError(source, [("", Text("应为 POLYGON 或 MULTIPOLYGON 的 WKT，例如 "
                                            "POLYGON ((542000 3945000, 542100 3945000, 542100 3945100, 542000 3945000))",
                                            "expected POLYGON or MULTIPOLYGON WKT"))])
    tokens = _WKT_TOKEN.findall(body[m.end():])
    try:
        nested, end = _wkt_list(tokens, 0)
    except (IndexError, ValueError) as exc:
        reason = str(exc) or "unexpected end"
        raise InputError(source, [("", Text(f"WKT 格式错误：{reason}；括号应成对，坐标之间用逗号分隔",
                                            f"malformed WKT: {reason}"))]) from None
    if end != len(tokens):
        extra = " ".join(tokens[end:end + 3])
        raise InputError(source, [("", Text(f"WKT 格式错误：多出 {extra!r}；括号应成对",
                                            f"malformed WKT: unexpected {extra!r}"))])
    polys = [nested] if m.group(1).upper() == "POLYGON" else nested
    structure = _raw_polygons(polys, source, "WKT", lambda v: v if isinstance(v, list) and not any(
        isinstance(t, list) for t in v) else None)
    return _from_structure(structure, source, "WKT", stem, declared, "WKT")


def _wkt_list(tokens: list[str], i: int) -> tuple[list[Any], int]:
    if tokens[i] != "(":
        raise ValueError(f"expected '(' at {tokens[i]!r}")
    i += 1
    items: list[Any] = []  # nested lists of tokens, as deep as the WKT
    while True:
        item: list[Any]
        if tokens[i] == "(":
            item, i = _wkt_list(tokens, i)
        else:
            item = []
            while tokens[i] not in (",", ")"):
                item.append(tokens[i])
                i += 1
        items.append(item)
        if tokens[i] == ",":
            i += 1
        elif tokens[i] == ")":
            return items, i + 1
        else:
            raise ValueError(f"unexpected {tokens[i]!r}")
