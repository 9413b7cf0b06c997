"""The GIS layers a case is measured against (`--layers LAYERS.yaml`), loaded once, indexed once.

A LayerSet is built from the layers file (format: CONTRACT.md "Geometry") with pyogrio, every
geometry brought to EPSG:4525 and put in a shapely STRtree; it is then reused for any number of
cases. Attribute columns named in the file are read and checked here (a level or 地类编码 that
means nothing is an InputError), so measuring never meets a surprise.

A shapefile without .cpg has its GBK names read as Latin-1 by GDAL, silently. That mojibake
(e.g. 'ÇúÎÖ' for 曲沃) is detected and turned into an InputError asking for `encoding:`.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyogrio
import pyproj
import shapely
import yaml

from ..errors import InputError
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

_CJK = re.compile(r"[\u4e00-\u9fff]")
_HIGH_LATIN1 = re.compile(r"[\u0080-\u00ff]")


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


class LayerSet:
    """The layers of one layers file; keys absent from the file are absent here."""

    def __init__(self, layers: dict[str, Layer], source: str = "<memory>"):
        unknown = set(layers) - set(LAYER_KEYS)
        if unknown:
            raise ValueError(f"unknown layer keys {sorted(unknown)}")
        self.layers = layers
        self.source = source

    def get(self, key: str) -> Layer | None:
        return self.layers.get(key)

    def __contains__(self, key: str) -> bool:
        return key in self.layers

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
    def load(cls, path: str | Path) -> "LayerSet":
        path = Path(path)
        source = str(path)
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise InputError(source, [("", f"cannot read: {exc.strerror}")]) from None
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise InputError(source, [("", f"not valid YAML: {exc}")]) from None
        if not isinstance(doc, dict):
            raise InputError(source, [("", "expected a mapping with `crs` and `layers`")])
        extra = set(doc) - {"crs", "layers"}
        if extra:
            raise InputError(source, [(k, "unknown key") for k in sorted(extra)])
        default_crs = doc.get("crs")
        entries = doc.get("layers") or {}
        if not isinstance(entries, dict):
            raise InputError(source, [("layers", "expected a mapping of layer entries")])
        problems = [(f"layers.{k}", f"unknown layer; known: {', '.join(LAYER_KEYS)}")
                    for k in entries if k not in LAYER_KEYS]
        if problems:
            raise InputError(source, problems)
        layers = {key: _load_layer(key, entry, path.parent, default_crs, source)
                  for key, entry in entries.items()}
        return cls(layers, source)


def _load_layer(key: str, entry, base: Path, default_crs, yaml_source: str) -> Layer:
    where = f"layers.{key}"
    if not isinstance(entry, dict) or "source" not in entry:
        raise InputError(yaml_source, [(where, "expected {source: FILE, ...}")])
    required = REQUIRED_ATTRS.get(key, ())
    allowed = {"source", "layer", "encoding", *required, *OPTIONAL_ATTRS.get(key, ())}
    problems = [(f"{where}.{k}", "unknown key") for k in entry if k not in allowed]
    problems += [(f"{where}.{k}", "required: the column that holds it") for k in required if k not in entry]
    if problems:
        raise InputError(yaml_source, problems)
    file = base / str(entry["source"])
    src = str(file)
    attr_cols = {k: str(entry[k]) for k in (*required, *OPTIONAL_ATTRS.get(key, ())) if k in entry}
    encoding = entry.get("encoding")
    layer_name = entry.get("layer")
    try:
        if layer_name is None and len(pyogrio.list_layers(file)) > 1:
            names = ", ".join(pyogrio.list_layers(file)[:, 0])
            raise InputError(yaml_source, [(f"{where}.layer", f"{src} has several layers ({names}): say which")])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pyogrio warns about measured geometries etc.
            meta, _fids, wkb, values = pyogrio.raw.read(
                file, layer=layer_name, columns=list(dict.fromkeys(attr_cols.values())),
                encoding=encoding, return_fids=True)
    except InputError:
        raise
    except Exception as exc:  # pyogrio/GDAL errors: missing file, layer, column, bad encoding
        raise InputError(yaml_source, [(where, f"cannot read {src}: {exc}")]) from None
    columns = dict(zip(meta["fields"], values))
    missing = [c for c in attr_cols.values() if c not in columns]
    if missing:
        raise InputError(yaml_source, [(where, f"{src} has no column {', '.join(missing)}; it has "
                                               f"{', '.join(meta['fields']) or 'no columns'}")])
    if encoding is None:
        _check_mojibake(src, where, yaml_source, {c: columns[c] for c in attr_cols.values()})
    geoms = shapely.from_wkb(wkb)
    keep = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    kinds = set(shapely.get_type_id(geoms[keep]).tolist()) - {3, 6}  # Polygon, MultiPolygon
    if kinds:
        raise InputError(yaml_source, [(where, f"{src}: {key} must hold polygons, found "
                                               f"geometry types {sorted(kinds)}")])
    geoms = geoms[keep]
    attrs = {k: np.asarray(columns[c], dtype=object)[keep] for k, c in attr_cols.items()}
    src_crs = meta["crs"] or default_crs
    if src_crs is None:
        raise InputError(yaml_source, [(where, f"{src} carries no CRS: set `crs:` in the layers file")])
    geoms = _to_target(geoms, src_crs, src, where, yaml_source)
    geoms, repaired = _make_valid(geoms)
    attrs = _check_attrs(key, attrs, src, where, yaml_source)
    return Layer(key, src, geoms, attrs, repaired)


def _to_target(geoms, src_crs, src, where, yaml_source):
    try:
        same = pyproj.CRS.from_user_input(src_crs).equals(pyproj.CRS.from_user_input(TARGET_CRS))
    except pyproj.exceptions.CRSError as exc:
        raise InputError(yaml_source, [(where, f"{src}: unknown CRS: {exc}")]) from None
    if not same:
        crs_text = pyproj.CRS.from_user_input(src_crs).to_wkt()
        geoms = _transform_many(geoms, crs_text)
    if len(geoms):
        xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
        lon, lat = transformer(TARGET_CRS, GEOGRAPHIC_CRS).transform([xmin, xmax], [ymin, ymax])
        lon_min, lat_min, lon_max, lat_max = LINFEN_BBOX
        if max(lon) < lon_min or min(lon) > lon_max or max(lat) < lat_min or min(lat) > lat_max:
            raise InputError(yaml_source, [(where, f"{src} does not overlap Linfen (it spans "
                                                   f"{min(lon):.3f}–{max(lon):.3f}° E, "
                                                   f"{min(lat):.3f}–{max(lat):.3f}° N as {src_crs}); "
                                                   "is its CRS right?")])
    return geoms


def _transform_many(geoms, crs_text):
    t = transformer(crs_text, TARGET_CRS)
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


def _check_mojibake(src, where, yaml_source, columns):
    for col, values in columns.items():
        for value in values:
            if isinstance(value, str) and _HIGH_LATIN1.search(value) and not _CJK.search(value):
                try:
                    fixed = value.encode("latin-1").decode("gbk")
                except (UnicodeEncodeError, UnicodeDecodeError):
                    continue
                if _CJK.search(fixed):
                    raise InputError(yaml_source, [(f"{where}.encoding", (
                        f"{src}: column {col} reads {value!r}, which is GBK text decoded as "
                        f"Latin-1 ({fixed!r}); the shapefile has no (or a wrong) .cpg file: add "
                        "`encoding: GBK` to this layer entry"))])


def _check_attrs(key, attrs, src, where, yaml_source):
    problems = []
    if key == "development_zones":
        levels = [ZONE_LEVELS.get(str(v).strip()) for v in attrs["level"]]
        bad = sorted({str(v) for v, lv in zip(attrs["level"], levels) if lv is None})
        if bad:
            problems.append((where, f"{src}: unknown zone level(s) {bad}; use national, provincial, "
                                    "municipal or county (or 国家级/省级/市级/县级)"))
        attrs["level"] = np.array(levels, dtype=object)
    if key == "land_survey":
        classes = np.array([land_class(v) for v in attrs["land_type"]], dtype=object)
        bad = sorted({str(v) for v, c in zip(attrs["land_type"], classes) if c is None})
        if bad:
            problems.append((where, f"{src}: 地类编码 not in the 三调/GB/T 21010-2017 table "
                                    f"(landapproval/geo/land_classes.yaml): {bad[:10]}"))
        attrs["land_class"] = classes
        if "ownership" in attrs:
            owners = [_ownership(v) for v in attrs["ownership"]]
            bad = sorted({str(v) for v, o in zip(attrs["ownership"], owners) if o == "?"})
            if bad:
                problems.append((where, f"{src}: unknown 权属性质 value(s) {bad[:10]}"))
            attrs["ownership"] = np.array(owners, dtype=object)
    if problems:
        raise InputError(yaml_source, problems)
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
