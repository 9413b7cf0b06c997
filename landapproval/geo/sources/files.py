"""Layers in files pyogrio reads (GeoPackage, shapefile, FileGDB …), through the file's spatial index."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pyogrio
import shapely

from landapproval.core.errors import InputError, Text, UnavailableError
from landapproval.geo.sources.base import (LAYER_NAMES_ZH, Box, Layer, LayerSpec, _box_in, _check_columns, _source_crs,
                                           _unreadable, finish)


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

    def total_bounds(self) -> Any:  # pyogrio's read_info: a float array, or None without an extent
        return self.info["total_bounds"]

    def read(self, box: Box | None) -> tuple[np.ndarray, Layer]:
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
            if box is None:              # opening the layers: the layers file's problem (exit 2)
                raise spec.error(_unreadable(spec, exc)) from None
            # read by box while cases are measured: the file was read when the layers were opened
            # and went away or went bad since — the server's problem, said without its paths
            key = spec.key
            raise UnavailableError(Text(f"图层 {key}（{LAYER_NAMES_ZH.get(key, key)}）的数据暂时无法读取，请稍后重试；"
                                        "这不是案件的问题",
                                        f"layer {key} cannot be read at the moment; retry later — nothing is wrong "
                                        "with the case"), f"layers.{key}", retry_after=5,
                                   detail=_unreadable(spec, exc).en) from None
        columns = dict(zip(_meta["fields"], values))
        return finish(spec, self.crs, np.asarray(fids), shapely.from_wkb(wkb), columns)
