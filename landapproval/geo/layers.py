"""The GIS layers a case is measured against (`--layers LAYERS.yaml`).

A layer comes from a file pyogrio reads (GeoPackage, Shapefile, FileGDB `.gdb`, FlatGeobuf,
GeoJSON …) or from a PostGIS table (`source: postgresql://…`, geo/postgis.py). Every geometry is
brought to EPSG:4525 and put in a shapely STRtree. Attribute columns named in the file are read
and checked here (a level or 地类编码 that means nothing is an InputError), so measuring never
meets a surprise.

Two modes, chosen per layer by its feature count:
- a small layer (≤ IN_MEMORY_MAX features) is read whole once and reused for every case;
- a city-scale layer (a county's or a city's 三调: a million polygons) is never read whole: a
  LazyLayer reads only the features whose box touches the case's parcels, through the source's
  spatial index (GeoPackage R-tree, Shapefile .qix/.sbn, FileGDB .spx, FlatGeobuf's packed
  R-tree, PostGIS GiST; a shapefile without an index is scanned). `LayerSet.around(geoms)` gives
  the layer set one case needs, read by those boxes.

A shapefile without .cpg has its GBK names read as Latin-1 by GDAL, silently. That mojibake
(e.g. 'ÇúÎÖ' for 曲沃) is detected and turned into an InputError asking for `encoding:`.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyogrio
import pyproj
import shapely
import yaml

from .. import messages
from ..errors import InputError, Text
from .crs import GEOGRAPHIC_CRS, LINFEN_BBOX, TARGET_CRS, transformer
from .land_classes import land_class

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


@dataclass
class Layer:
    """One layer in EPSG:4525 with its index; attrs hold the named columns, row-aligned."""
    key: str
    source: str
    geoms: np.ndarray
    attrs: dict[str, np.ndarray] = field(default_factory=dict)
    repaired: np.ndarray | None = None     # True where an invalid geometry was made valid
    tree: shapely.STRtree = field(init=False)

    def __post_init__(self):
        self.geoms = np.asarray(self.geoms, dtype=object)
        if self.repaired is None:
            self.repaired = np.zeros(len(self.geoms), dtype=bool)
        self.tree = shapely.STRtree(self.geoms)

    def query(self, geom) -> np.ndarray:
        """Indices of features whose geometry intersects `geom` (sorted, so output is stable)."""
        return np.sort(self.tree.query(geom, predicate="intersects"))


class LazyLayer:
    """A large layer, read by box through its source's spatial index as queries need it.

    Same interface as Layer (key, source, geoms, attrs, repaired, tree, query). The features read
    so far are kept and only appended to, so row indices stay valid; `fresh()` starts an empty
    copy, which is what `LayerSet.around` hands each case, so memory follows the case, not the
    process's history."""

    def __init__(self, key: str, reader):
        self.key = key
        self.reader = reader
        self.source = reader.source
        self.geoms = np.empty(0, dtype=object)
        self.attrs: dict[str, np.ndarray] = {}
        self.repaired = np.zeros(0, dtype=bool)
        self.tree = shapely.STRtree(self.geoms)
        self._fids: set = set()
        self._boxes: list[tuple[float, float, float, float]] = []  # EPSG:4525 boxes already read

    def fresh(self) -> "LazyLayer":
        return LazyLayer(self.key, self.reader)

    def load(self, boxes) -> None:
        """Read the features whose geometry touches any of `boxes` (EPSG:4525) not read yet."""
        todo = [b for b in merge_boxes(boxes) if not any(_contains(done, b) for done in self._boxes)]
        if not todo:
            return
        parts = []
        for box in todo:
            fids, chunk = self.reader.read(box)
            new = np.array([f not in self._fids for f in fids.tolist()], dtype=bool)
            self._fids.update(fids[new].tolist())
            if new.any():
                parts.append((chunk.geoms[new], {k: v[new] for k, v in chunk.attrs.items()},
                              chunk.repaired[new]))
            self._boxes.append(box)
        if parts:
            self.geoms = np.concatenate([self.geoms, *(g for g, _, _ in parts)])
            keys = parts[0][1].keys()
            self.attrs = {k: np.concatenate([self.attrs.get(k, np.empty(0, dtype=object)),
                                             *(a[k] for _, a, _ in parts)]) for k in keys}
            self.repaired = np.concatenate([self.repaired, *(r for _, _, r in parts)])
            self.tree = shapely.STRtree(self.geoms)

    def query(self, geom) -> np.ndarray:
        self.load([shapely.bounds(geom).tolist()])
        return np.sort(self.tree.query(geom, predicate="intersects"))


def merge_boxes(boxes) -> list[tuple[float, float, float, float]]:
    """The boxes widened by BOX_MARGIN_M, overlapping ones merged (one read each)."""
    out = [tuple(float(v) for v in b) for b in boxes]
    out = [(x0 - BOX_MARGIN_M, y0 - BOX_MARGIN_M, x1 + BOX_MARGIN_M, y1 + BOX_MARGIN_M)
           for x0, y0, x1, y1 in out]
    merged = True
    while merged:
        merged = False
        for i in range(len(out)):
            for j in range(i + 1, len(out)):
                a, b = out[i], out[j]
                if a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]:
                    out[i] = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                    del out[j]
                    merged = True
                    break
            if merged:
                break
    return out


def _contains(outer, inner) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and outer[2] >= inner[2] and outer[3] >= inner[3]


class LayerSet:
    """The layers of one layers file; keys absent from the file are absent here."""

    def __init__(self, layers: dict[str, Layer | LazyLayer], source: str = "<memory>"):
        unknown = set(layers) - set(LAYER_KEYS)
        if unknown:
            raise ValueError(f"unknown layer keys {sorted(unknown)}")
        self.layers = layers
        self.source = source

    def get(self, key: str) -> Layer | LazyLayer | None:
        return self.layers.get(key)

    def __contains__(self, key: str) -> bool:
        return key in self.layers

    def around(self, geoms) -> "LayerSet":
        """The layer set one case needs: in-memory layers as they are, city-scale layers read
        by the boxes of `geoms` (EPSG:4525 geometries or (xmin, ymin, xmax, ymax) tuples)."""
        boxes = [g if isinstance(g, tuple) else tuple(shapely.bounds(g).tolist()) for g in geoms]
        layers = {}
        for key, layer in self.layers.items():
            if isinstance(layer, LazyLayer):
                layer = layer.fresh()
                layer.load(boxes)
            layers[key] = layer
        return LayerSet(layers, self.source)

    @classmethod
    def from_geometries(cls, **layers) -> "LayerSet":
        """For tests and benchmarks: key=geoms or key=(geoms, {attr: values}); EPSG:4525, valid.
        land_survey attrs take `land_type` codes (classes are derived as when loading)."""
        built = {}
        for key, value in layers.items():
            geoms, attrs = value if isinstance(value, tuple) else (value, {})
            attrs = {k: np.asarray(v, dtype=object) for k, v in attrs.items()}
            if key == "land_survey":
                attrs["land_class"] = np.array([land_class(c) for c in attrs["land_type"]], dtype=object)
            if key == "development_zones":
                attrs["level"] = np.array([ZONE_LEVELS[v] for v in attrs["level"]], dtype=object)
            built[key] = Layer(key, "<memory>", np.asarray(geoms, dtype=object), attrs)
        return cls(built)

    @classmethod
    def load(cls, path: str | Path, in_memory_max: int | None = None) -> "LayerSet":
        """Open every layer of a layers file; `in_memory_max` overrides IN_MEMORY_MAX."""
        path = Path(path)
        source = str(path)
        try:
            text = path.read_text(encoding="utf-8")
            doc = yaml.safe_load(text)
        except OSError as exc:
            raise InputError(source, [("", Text(f"无法读取图层文件（{exc.strerror}）：请检查路径和文件名",
                                                f"cannot read: {exc.strerror}"))]) from None
        except UnicodeDecodeError as exc:
            raise InputError(source, [("", Text("图层文件不是 UTF-8 编码的文字：请用记事本“另存为”，编码选 UTF-8",
                                                f"not valid YAML: {exc}"))]) from None
        except yaml.YAMLError as exc:
            raise InputError(source, [("", _yaml_text(exc, text))]) from None
        if not isinstance(doc, dict):
            raise InputError(source, [("", Text(
                "图层文件应为一组“字段: 值”：crs（坐标系，可省略）和 layers（各图层），例如 "
                f"layers: {{{ENTRY_EXAMPLE}}}", "expected a mapping with `crs` and `layers`"))])
        extra = set(doc) - {"crs", "layers"}
        if extra:
            raise InputError(source, [(str(k), _unknown(k, ("crs", "layers"), Text(
                "图层文件只有 crs 和 layers 两项", ""), "unknown key")) for k in sorted(extra, key=str)])
        default_crs = doc.get("crs")
        entries = doc.get("layers") or {}
        if not isinstance(entries, dict):
            raise InputError(source, [("layers", Text(
                f"layers 应为一组图层，每个图层一行，例如 layers: {{{ENTRY_EXAMPLE}}}",
                "expected a mapping of layer entries"))])
        known = "、".join(f"{k}（{LAYER_NAMES_ZH[k]}）" for k in LAYER_KEYS)
        problems = [(f"layers.{k}", _unknown(k, LAYER_KEYS, Text(f"可用的图层：{known}", ""),
                                             f"unknown layer; known: {', '.join(LAYER_KEYS)}", "图层"))
                    for k in entries if k not in LAYER_KEYS]
        if problems:
            raise InputError(source, problems)
        limit = IN_MEMORY_MAX if in_memory_max is None else in_memory_max
        layers = {key: _open_layer(key, entry, path.parent, default_crs, source, limit)
                  for key, entry in entries.items()}
        return cls(layers, source)


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


def _unknown(key, names, listed: Text, en: str, what: str = "字段") -> Text:
    """'不认识的字段“x”：…；是否想写 y？' / 'unknown key; did you mean y?'."""
    near = messages.suggest(str(key), names)
    zh = f"不认识的{what}“{messages.shown(key)}”" + (f"：{listed.zh}" if listed.zh else "")
    if near:
        return Text(f"{zh}；是否想写 {' 或 '.join(near)}？", f"{en}; did you mean {' or '.join(near)}?")
    return Text(zh, en)


def _yaml_text(exc: yaml.YAMLError, text: str) -> Text:
    """The Chinese sentence the case reader gives for the same YAML mistake; the English as PyYAML says it."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    context, opened = str(getattr(exc, "context", None) or ""), getattr(exc, "context_mark", None)
    if opened is not None and context.startswith("while parsing a flow"):  # layers files use { } a lot
        bracket = "{ }" if "mapping" in context else "[ ]"
        return Text(f"不是有效的 YAML：第 {opened.line + 1} 行第 {opened.column + 1} 列的括号没有配对："
                    f"请检查 {bracket} 是否成对，例如 {ENTRY_EXAMPLE}", f"not valid YAML: {exc}")
    lines = text.splitlines()
    rows = [(n + 1, lines[n]) for n in (mark.line - 1, mark.line) if mark and 0 <= n < len(lines)]
    problem = str(getattr(exc, "problem", None) or exc)
    sentence, _line = messages.yaml_problem(problem, rows, mark.line + 1 if mark else None,
                                            mark.column + 1 if mark else None)
    return Text(sentence.zh, f"not valid YAML: {exc}")


def _open_layer(key: str, entry, base: Path, default_crs, yaml_source: str, limit: int):
    where = f"layers.{key}"
    if not isinstance(entry, dict) or "source" not in entry:
        raise InputError(yaml_source, [(where, Text(
            f"图层应写为 {{source: 文件 或 postgresql://地址, ...}}，例如 {ENTRY_EXAMPLE}",
            "expected {source: FILE or postgresql://URL, ...}"))])
    required = REQUIRED_ATTRS.get(key, ())
    allowed = ("source", "layer", "encoding", *required, *OPTIONAL_ATTRS.get(key, ()))
    problems = [(f"{where}.{k}", _unknown(k, allowed, Text(f"此图层可写：{'、'.join(allowed)}", ""), "unknown key"))
                for k in entry if k not in allowed]
    problems += [(f"{where}.{k}", Text(f"缺少必填项“{k}”：写出存放它的列名，例如 {k}: {EXAMPLE_COLUMNS[k]}",
                                       "required: the column that holds it"))
                 for k in required if k not in entry]
    if problems:
        raise InputError(yaml_source, problems)
    attr_cols = {k: str(entry[k]) for k in (*required, *OPTIONAL_ATTRS.get(key, ())) if k in entry}
    raw_source = str(entry["source"])
    layer_name = None if entry.get("layer") is None else str(entry["layer"])
    if raw_source.startswith(POSTGRES_SCHEMES):
        from .postgis import PostgisReader

        spec = LayerSpec(key, raw_source, layer_name, attr_cols, where, yaml_source, crs=default_crs)
        reader = PostgisReader(spec)
    else:
        spec = LayerSpec(key, str(base / raw_source), layer_name, attr_cols, where, yaml_source,
                         encoding=entry.get("encoding"), crs=default_crs)
        reader = FileReader(spec)
    count = reader.feature_count()
    if 0 <= count <= limit:
        _fids, layer = reader.read(None)
        _check_extent(spec, shapely.total_bounds(layer.geoms) if len(layer.geoms) else None, TARGET_CRS, reader.crs)
        return layer
    _check_extent(spec, reader.total_bounds(), reader.crs, reader.crs)
    return LazyLayer(key, reader)


class FileReader:
    """A layer in a file pyogrio reads; `read(box)` goes through the file's spatial index."""

    def __init__(self, spec: LayerSpec):
        self.spec = spec
        self.source = spec.source
        try:
            if spec.layer is None and len(pyogrio.list_layers(spec.source)) > 1:
                names = ", ".join(pyogrio.list_layers(spec.source)[:, 0])
                first = pyogrio.list_layers(spec.source)[0, 0]
                raise spec.error(Text(f"{spec.source} 中有多个图层（{names}）：请用 layer: 指明用哪一个，例如 layer: {first}",
                                      f"{spec.source} has several layers ({names}): say which"), f"{spec.where}.layer")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.info = pyogrio.read_info(spec.source, layer=spec.layer, encoding=spec.encoding)
        except InputError:
            raise
        except Exception as exc:  # pyogrio/GDAL errors: missing file or layer
            raise spec.error(_unreadable(spec, exc)) from None
        _check_columns(spec, list(self.info["fields"]))
        self.crs = _source_crs(spec, self.info["crs"])

    def feature_count(self) -> int:
        return int(self.info["features"])

    def total_bounds(self):
        return self.info["total_bounds"]

    def read(self, box) -> tuple[np.ndarray, Layer]:
        """(fids, Layer) of the features touching `box` (EPSG:4525), or of all when box is None."""
        spec = self.spec
        bbox = None if box is None else _box_in(box, self.crs)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # pyogrio warns about measured geometries etc.
                _meta, fids, wkb, values = pyogrio.raw.read(
                    spec.source, layer=spec.layer, columns=list(dict.fromkeys(spec.attr_cols.values())),
                    encoding=spec.encoding, bbox=bbox, return_fids=True)
        except Exception as exc:
            raise spec.error(_unreadable(spec, exc)) from None
        columns = dict(zip(_meta["fields"], values))
        return finish(spec, self.crs, np.asarray(fids), shapely.from_wkb(wkb), columns)


def finish(spec: LayerSpec, src_crs: str, fids, geoms, columns: dict) -> tuple[np.ndarray, Layer]:
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


def _source_crs(spec: LayerSpec, crs) -> str:
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


def _box_in(box, crs: str) -> tuple[float, float, float, float]:
    """An EPSG:4525 box as a box in `crs` that covers it (edges densified)."""
    if _same_crs(crs, TARGET_CRS):
        return tuple(box)
    return transformer(TARGET_CRS, pyproj.CRS.from_user_input(crs).to_wkt()).transform_bounds(*box, densify_pts=21)


def _check_extent(spec: LayerSpec, bounds, crs: str, source_crs: str) -> None:
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


def _to_target(geoms, src_crs):
    if _same_crs(src_crs, TARGET_CRS) or not len(geoms):
        return geoms
    t = transformer(pyproj.CRS.from_user_input(src_crs).to_wkt(), TARGET_CRS)
    return shapely.transform(geoms, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


def _make_valid(geoms):
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


def _check_mojibake(spec: LayerSpec, columns):
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


def _mapped(values: np.ndarray, convert) -> tuple[np.ndarray, dict]:
    """convert() applied once per distinct value (a survey has a few dozen codes in 10⁶ rows)."""
    table = {v: convert(v) for v in set(values.tolist())}
    return np.array([table[v] for v in values.tolist()], dtype=object), table


def _check_attrs(spec: LayerSpec, attrs):
    problems = []
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


def _ownership(value) -> str | None:
    """三调 权属性质 (10/20 国有, 30–34/40 集体) or its name, to state/collective; None if blank."""
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    if text[0] in "12" or "国有" in text:
        return "state"
    if text[0] in "34" or "集体" in text:
        return "collective"
    return "?"
