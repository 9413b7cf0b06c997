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

from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from landapproval.core import sentences as messages
from landapproval.core.errors import InputError, Text
from landapproval.core.reader import read_file, with_lines
from landapproval.geo.crs import TARGET_CRS
from landapproval.geo.land_classes import land_class
from landapproval.geo.sources.base import (BOX_MARGIN_M, ENTRY_EXAMPLE, EXAMPLE_COLUMNS, IN_MEMORY_MAX,
                                           LAYER_KEYS, LAYER_NAMES_ZH, OPTIONAL_ATTRS, POSTGRES_SCHEMES,
                                           REQUIRED_ATTRS, ZONE_LEVELS, Box, Layer, LayerReader, LayerSpec,
                                           _check_extent)
from landapproval.geo.sources.files import FileReader

_POLYGONAL = {3, 6}  # shapely type ids of Polygon, MultiPolygon

__all__ = ["Layer", "LayerSet", "LazyLayer", "merge_boxes"]


class LazyLayer:
    """A large layer, read by box through its source's spatial index as queries need it.

    Same interface as Layer (key, source, geoms, attrs, repaired, tree, query). The features read
    so far are kept and only appended to, so row indices stay valid; `fresh()` starts an empty
    copy, which is what `LayerSet.around` hands each case, so memory follows the case, not the
    process's history."""

    def __init__(self, key: str, reader: LayerReader):
        self.key = key
        self.reader = reader
        self.source = reader.source
        self.geoms = np.empty(0, dtype=object)
        self.attrs: dict[str, np.ndarray] = {}
        self.repaired = np.zeros(0, dtype=bool)
        self.tree = shapely.STRtree(self.geoms)
        self._fids: set[Any] = set()  # feature ids as the source gives them (ints, PostGIS ctid text)
        self._boxes: list[tuple[float, float, float, float]] = []  # EPSG:4525 boxes already read

    def fresh(self) -> "LazyLayer":
        return LazyLayer(self.key, self.reader)

    def load(self, boxes: Iterable[Sequence[float]]) -> None:
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
                assert chunk.repaired is not None  # Layer.__post_init__ fills it
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

    def query(self, geom: BaseGeometry) -> np.ndarray:
        self.load([shapely.bounds(geom).tolist()])
        return np.sort(self.tree.query(geom, predicate="intersects"))


def merge_boxes(boxes: Iterable[Sequence[float]]) -> list[Box]:
    """The boxes widened by BOX_MARGIN_M, overlapping ones merged (one read each)."""
    out: list[Box] = [(float(x0) - BOX_MARGIN_M, float(y0) - BOX_MARGIN_M, float(x1) + BOX_MARGIN_M,
                       float(y1) + BOX_MARGIN_M) for x0, y0, x1, y1 in boxes]
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


def _contains(outer: Box, inner: Box) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and outer[2] >= inner[2] and outer[3] >= inner[3]


class LayerSet:
    """The layers of one layers file; keys absent from the file are absent here."""

    def __init__(self, layers: Mapping[str, Layer | LazyLayer], source: str = "<memory>"):
        unknown = set(layers) - set(LAYER_KEYS)
        if unknown:
            raise ValueError(f"unknown layer keys {sorted(unknown)}")
        self.layers: Mapping[str, Layer | LazyLayer] = layers
        self.source = source

    def get(self, key: str) -> Layer | LazyLayer | None:
        return self.layers.get(key)

    def __contains__(self, key: str) -> bool:
        return key in self.layers

    def database_urls(self) -> dict[str, list[str]]:
        """The PostGIS URLs the set still reads from while cases are measured (its by-box layers;
        an in-memory layer was read whole at start), each with the keys of its layers."""
        out: dict[str, list[str]] = {}
        for key, layer in self.layers.items():
            url = getattr(layer.reader, "url", None) if isinstance(layer, LazyLayer) else None
            if url is not None:
                out.setdefault(url, []).append(key)
        return out

    def around(self, geoms: Iterable[BaseGeometry | Box]) -> "LayerSet":
        """The layer set one case needs: in-memory layers as they are, city-scale layers read
        by the boxes of `geoms` (EPSG:4525 geometries or (xmin, ymin, xmax, ymax) tuples)."""
        boxes = [g if isinstance(g, tuple) else tuple(shapely.bounds(g).tolist()) for g in geoms]
        layers: dict[str, Layer | LazyLayer] = {}
        for key, layer in self.layers.items():
            if isinstance(layer, LazyLayer):
                layer = layer.fresh()
                layer.load(boxes)
            layers[key] = layer
        return LayerSet(layers, self.source)

    @classmethod
    def from_geometries(cls, **layers: Any) -> "LayerSet":
        """For tests and benchmarks: key=geoms or key=(geoms, {attr: values}); EPSG:4525, valid.
        land_survey attrs take `land_type` codes (classes are derived as when loading)."""
        built: dict[str, Layer] = {}
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
        # the one hardened reader of user files: exact decimals, repeated keys refused, the line of
        # each mistake (a layers file is written by hand like a case file)
        document = read_file(path)
        try:
            return cls._open(document.data, path, source, in_memory_max)
        except InputError as error:
            if error.source != source:
                raise
            raise InputError(source, with_lines(error.problems, document.text), more=error.more,
                             notes=error.notes) from None

    @classmethod
    def _open(cls, doc: Any, path: Path, source: str, in_memory_max: int | None) -> "LayerSet":
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


def _unknown(key: Any, names: Sequence[str], listed: Text, en: str, what: str = "字段") -> Text:
    """'不认识的字段“x”：…；是否想写 y？' / 'unknown key; did you mean y?'."""
    near = messages.suggest(str(key), names)
    zh = f"不认识的{what}“{messages.shown(key)}”" + (f"：{listed.zh}" if listed.zh else "")
    if near:
        return Text(f"{zh}；是否想写 {' 或 '.join(near)}？", f"{en}; did you mean {' or '.join(near)}?")
    return Text(zh, en)


def _open_layer(key: str, entry: Any, base: Path, default_crs: str | None, yaml_source: str,
                limit: int) -> Layer | LazyLayer:
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
    # a name written as a number (layer: 2024.10) is not read as one: names are text, as written
    problems += [(f"{where}.{k}", Text(f"“{k}”应为文字：名称请加引号，例如 {k}: \"{entry[k]}\"",
                                       f"{k} is text: quote a name that looks like a number"))
                 for k in entry if k in allowed and entry[k] is not None and not isinstance(entry[k], str)]
    if problems:
        raise InputError(yaml_source, problems)
    attr_cols = {k: str(entry[k]) for k in (*required, *OPTIONAL_ATTRS.get(key, ())) if k in entry}
    raw_source = str(entry["source"])
    layer_name = None if entry.get("layer") is None else str(entry["layer"])
    if raw_source.startswith(POSTGRES_SCHEMES):
        from landapproval.geo.sources.postgis import PostgisReader

        spec = LayerSpec(key, raw_source, layer_name, attr_cols, where, yaml_source, crs=default_crs)
        reader: LayerReader = PostgisReader(spec)
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


