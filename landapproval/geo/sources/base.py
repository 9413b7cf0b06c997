"""What every layer source shares: the layer read into memory (`Layer`), the entry of the layers
file it comes from (`LayerSpec`), and the checks every reader makes of what it read — columns,
coordinate system, extent, valid polygons, GBK names read as Latin-1, attribute values."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Protocol

import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from landapproval.core.errors import InputError, Text
from landapproval.geo.crs import GEOGRAPHIC_CRS, LINFEN_BBOX, TARGET_CRS, transformer
from landapproval.geo.land_classes import land_class

LAYER_KEYS = ("permanent_basic_farmland", "ecological_red_line", "construction_scale",
              "development_zones", "protected_areas", "land_survey")
#: attribute keys a layer entry must / may name (their values are column names of the source)
REQUIRED_ATTRS = {"development_zones": ("name", "level"), "protected_areas": ("name", "kind"),
                  "land_survey": ("land_type",)}
OPTIONAL_ATTRS = {"land_survey": ("ownership",)}
ZONE_LEVELS = {"national": "national", "provincial": "provincial", "municipal": "municipal",
               "county": "county", "国家级": "national", "省级": "provincial", "市级": "municipal",
               "县级": "county"}
#: A layer with at most this many features is read whole once; a larger one (or one whose count
#: the source cannot give cheaply) is read by the boxes of each case's parcels. 50,000 polygons
#: take ~50 MB and ~1 s to read; a city's 三调 (10⁶ polygons) would take 1 GB and 12 s.
IN_MEMORY_MAX = 50_000
#: Boxes are widened by this many metres before reading, so a feature that only touches a parcel
#: is read even after a CRS change of the box.
BOX_MARGIN_M = 1.0
POSTGRES_SCHEMES = ("postgresql://", "postgres://")
#: the Chinese name of each layer key, for messages
LAYER_NAMES_ZH = {"permanent_basic_farmland": "永久基本农田", "ecological_red_line": "生态保护红线",
                  "construction_scale": "建设用地规模", "development_zones": "开发区",
                  "protected_areas": "保护地", "land_survey": "国土调查地类图斑"}
#: a column name to show in "e.g." for each attribute key (三调 and common Chinese GIS names)
EXAMPLE_COLUMNS = {"name": "MC", "level": "JB", "kind": "LX", "land_type": "DLBM", "ownership": "QSXZ"}
ENTRY_EXAMPLE = "permanent_basic_farmland: {source: pbf.gpkg, layer: pbf}"

_CJK = re.compile(r"[\u4e00-\u9fff]")
_HIGH_LATIN1 = re.compile(r"[\u0080-\u00ff]")
_POLYGONAL = {3, 6}  # shapely type ids of Polygon, MultiPolygon

#: (xmin, ymin, xmax, ymax)
Box = tuple[float, float, float, float]


@dataclass
class Layer:
    """One layer in EPSG:4525 with its index; attrs hold the named columns, row-aligned."""
    key: str
    source: str
    geoms: np.ndarray
    attrs: dict[str, np.ndarray] = field(default_factory=dict)
    repaired: np.ndarray | None = None     # True where an invalid geometry was made valid
    tree: shapely.STRtree = field(init=False)

    def __post_init__(self) -> None:
        self.geoms = np.asarray(self.geoms, dtype=object)
        if self.repaired is None:
            self.repaired = np.zeros(len(self.geoms), dtype=bool)
        self.tree = shapely.STRtree(self.geoms)

    def query(self, geom: BaseGeometry) -> np.ndarray:
        """Indices of features whose geometry intersects `geom` (sorted, so output is stable)."""
        return np.sort(self.tree.query(geom, predicate="intersects"))


@dataclass
class LayerSpec:
    """One checked layer entry: where it is, which columns it needs, in which CRS, and how to
    report a problem (`where` is the field path in the layers file `yaml_source`)."""
    key: str
    source: str                   # file path or PostgreSQL URL
    layer: str | None
    attr_cols: dict[str, str]     # attribute key -> column name
    where: str
    yaml_source: str
    encoding: str | None = None
    crs: str | None = None        # the source's CRS (or the layers file's `crs:`)

    def error(self, message: Text, where: str | None = None) -> InputError:
        return InputError(self.yaml_source, [(where or self.where, message)])


class LayerReader(Protocol):
    """A layer's source (files.FileReader, postgis.PostgisReader): read whole or by box."""
    source: str
    crs: str

    def feature_count(self) -> int: ...

    def total_bounds(self) -> Any: ...  # (xmin, ymin, xmax, ymax) in `crs`, or None if unknown

    def read(self, box: Box | None) -> tuple[np.ndarray, Layer]: ...


def finish(spec: LayerSpec, src_crs: str, fids: Any, geoms: np.ndarray,
           columns: dict[str, np.ndarray]) -> tuple[np.ndarray, Layer]:
    """Features as read (source CRS, raw columns) to a checked Layer in EPSG:4525."""
    if spec.encoding is None:
        _check_mojibake(spec, {c: columns[c] for c in spec.attr_cols.values()})
    keep = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    kinds = set(shapely.get_type_id(geoms[keep]).tolist()) - _POLYGONAL
    if kinds:
        raise spec.error(Text(f"{spec.source}：{spec.key}（{LAYER_NAMES_ZH[spec.key]}）应为面图层，"
                              f"实际含有几何类型 {sorted(kinds)}（shapely 类型编号）",
                              f"{spec.source}: {spec.key} must hold polygons, found geometry types {sorted(kinds)}"))
    geoms = _to_target(geoms[keep], src_crs)
    attrs = {k: np.asarray(columns[c], dtype=object)[keep] for k, c in spec.attr_cols.items()}
    geoms, repaired = _make_valid(geoms)
    attrs = _check_attrs(spec, attrs)
    return np.asarray(fids)[keep], Layer(spec.key, spec.source, geoms, attrs, repaired)


def _unreadable(spec: LayerSpec, exc: Exception) -> Text:
    detail = " ".join(str(exc).split())
    return Text(f"无法读取 {spec.source}（{detail}）：请检查 source: 的文件路径和 layer: 的图层名",
                f"cannot read {spec.source}: {exc}")


def _check_columns(spec: LayerSpec, fields: list[str]) -> None:
    missing = [c for c in spec.attr_cols.values() if c not in fields]
    if missing:
        raise spec.error(Text(f"{spec.source} 中没有列 {', '.join(missing)}；现有的列：{'、'.join(fields) or '无'}",
                              f"{spec.source} has no column {', '.join(missing)}; it has "
                              f"{', '.join(fields) or 'no columns'}"))


def _source_crs(spec: LayerSpec, crs: str | None) -> str:
    crs = crs or spec.crs
    if crs is None:
        raise spec.error(Text(f"{spec.source} 没有坐标系信息：请在图层文件中写 crs:，例如 crs: EPSG:4525",
                              f"{spec.source} carries no CRS: set `crs:` in the layers file"))
    try:
        pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as exc:
        raise spec.error(Text(f"{spec.source}：无法识别的坐标系（{exc}）：请写 EPSG 代码，例如 crs: EPSG:4525",
                              f"{spec.source}: unknown CRS: {exc}")) from None
    return crs


@lru_cache(maxsize=64)
def _same_crs(a: str, b: str) -> bool:
    return a == b or pyproj.CRS.from_user_input(a).equals(pyproj.CRS.from_user_input(b))


def _box_in(box: Box, crs: str) -> Box:
    """An EPSG:4525 box as a box in `crs` that covers it (edges densified)."""
    xmin, ymin, xmax, ymax = box
    if _same_crs(crs, TARGET_CRS):
        return (xmin, ymin, xmax, ymax)
    bounds: Box = transformer(TARGET_CRS, pyproj.CRS.from_user_input(crs).to_wkt()).transform_bounds(
        xmin, ymin, xmax, ymax, densify_pts=21)
    return bounds


def _check_extent(spec: LayerSpec, bounds: Any, crs: str, source_crs: str) -> None:
    """A layer that does not reach Linfen has the wrong CRS (or is the wrong layer). `bounds`
    are in `crs`; the message names the CRS the source was taken to be in."""
    if bounds is None or not np.all(np.isfinite(bounds)):
        return
    xmin, ymin, xmax, ymax = bounds
    if _same_crs(crs, GEOGRAPHIC_CRS):
        lon, lat = [xmin, xmax], [ymin, ymax]
    else:
        t = transformer(pyproj.CRS.from_user_input(crs).to_wkt(), GEOGRAPHIC_CRS)
        lon, lat = t.transform([xmin, xmax], [ymin, ymax])
    lon_min, lat_min, lon_max, lat_max = LINFEN_BBOX
    if not np.all(np.isfinite(lon + lat)) or max(lon) < lon_min or min(lon) > lon_max \
            or max(lat) < lat_min or min(lat) > lat_max:
        span_zh = f"东经 {min(lon):.3f}–{max(lon):.3f}°、北纬 {min(lat):.3f}–{max(lat):.3f}°"
        raise spec.error(Text(f"{spec.source} 与临汾市不重叠（按 {source_crs} 读取，范围为 {span_zh}）："
                              "请检查坐标系（图层文件的 crs: 或数据自带的坐标系）是否写对，例如 crs: EPSG:4525",
                              f"{spec.source} does not overlap Linfen (it spans {min(lon):.3f}–{max(lon):.3f}° E, "
                              f"{min(lat):.3f}–{max(lat):.3f}° N as {source_crs}); "
                              "is its CRS right?"))


def _to_target(geoms: np.ndarray, src_crs: str) -> np.ndarray:
    if _same_crs(src_crs, TARGET_CRS) or not len(geoms):
        return geoms
    t = transformer(pyproj.CRS.from_user_input(src_crs).to_wkt(), TARGET_CRS)
    moved: np.ndarray = shapely.transform(geoms, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))
    return moved


def _make_valid(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Official layers do contain invalid polygons; they are repaired, and measure() reports every
    repaired feature it uses (so the repair is never silent). Case boundaries are never repaired."""
    repaired = ~shapely.is_valid(geoms)
    if repaired.any():
        fixed = shapely.make_valid(geoms[repaired])
        # keep only the areal part of what make_valid returns (it may add lines or points)
        fixed = np.array([shapely.union_all([p for p in shapely.get_parts(g)
                                             if p.geom_type in ("Polygon", "MultiPolygon")])
                          for g in fixed], dtype=object)
        geoms = geoms.copy()
        geoms[repaired] = fixed
    return geoms, repaired


def _check_mojibake(spec: LayerSpec, columns: dict[str, np.ndarray]) -> None:
    for col, values in columns.items():
        for value in set(values.tolist()):
            if isinstance(value, str) and _HIGH_LATIN1.search(value) and not _CJK.search(value):
                try:
                    fixed = value.encode("latin-1").decode("gbk")
                except (UnicodeEncodeError, UnicodeDecodeError):
                    continue
                if _CJK.search(fixed):
                    raise spec.error(Text(
                        f"{spec.source}：列 {col} 读出为 {value!r}，这是被当作 Latin-1 读取的 GBK 文字"
                        f"（应为 {fixed!r}）；该 shapefile 没有（或有错误的）.cpg 文件：请在此图层中加上 encoding: GBK",
                        f"{spec.source}: column {col} reads {value!r}, which is GBK text decoded as "
                        f"Latin-1 ({fixed!r}); the shapefile has no (or a wrong) .cpg file: add "
                        "`encoding: GBK` to this layer entry"), f"{spec.where}.encoding")


def _mapped(values: np.ndarray, convert: Callable[[Any], str | None]) -> tuple[np.ndarray, dict[Any, str | None]]:
    """convert() applied once per distinct value (a survey has a few dozen codes in 10⁶ rows)."""
    table = {v: convert(v) for v in set(values.tolist())}
    return np.array([table[v] for v in values.tolist()], dtype=object), table


def _check_attrs(spec: LayerSpec, attrs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    problems: list[tuple[str, Text]] = []
    where, src = spec.where, spec.source
    if spec.key == "development_zones":
        attrs["level"], table = _mapped(attrs["level"], lambda v: ZONE_LEVELS.get(str(v).strip()))
        bad = sorted(str(v) for v, lv in table.items() if lv is None)
        if bad:
            problems.append((where, Text(f"{src}：不认识的开发区级别 {bad}；应为 国家级、省级、市级 或 县级"
                                         "（也可写 national、provincial、municipal、county）",
                                         f"{src}: unknown zone level(s) {bad}; use national, provincial, "
                                         "municipal or county (or 国家级/省级/市级/县级)")))
    if spec.key == "land_survey":
        attrs["land_class"], table = _mapped(attrs["land_type"], land_class)
        bad = sorted(str(v) for v, c in table.items() if c is None)
        if bad:
            problems.append((where, Text(f"{src}：地类编码不在三调/GB/T 21010-2017 地类表"
                                         f"（landapproval/geo/land_classes.yaml）中：{bad[:10]}；例如 0101（水田）、0201（果园）",
                                         f"{src}: 地类编码 not in the 三调/GB/T 21010-2017 table "
                                         f"(landapproval/geo/land_classes.yaml): {bad[:10]}")))
        if "ownership" in attrs:
            attrs["ownership"], table = _mapped(attrs["ownership"], _ownership)
            bad = sorted(str(v) for v, o in table.items() if o == "?")
            if bad:
                problems.append((where, Text(f"{src}：不认识的权属性质 {bad[:10]}；应为 10、20（国有）或 30–34、40（集体），"
                                             "也可写 国有 或 集体", f"{src}: unknown 权属性质 value(s) {bad[:10]}")))
    if problems:
        raise InputError(spec.yaml_source, problems)
    return attrs


def _ownership(value: Any) -> str | None:
    """三调 权属性质 (10/20 国有, 30–34/40 集体) or its name, to state/collective; None if blank."""
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    if text[0] in "12" or "国有" in text:
        return "state"
    if text[0] in "34" or "集体" in text:
        return "collective"
    return "?"
