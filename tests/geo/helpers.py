"""Builders of boundary files the way real ones arrive (zone prefixes, X = northing)."""

from __future__ import annotations

from contextlib import contextmanager

# A point in 曲沃县 (≈111.47° E, 35.64° N) in EPSG:4525: easting with the zone prefix 37.
E0, N0 = 37_542_000.0, 3_945_000.0

HEADER = "[属性描述]\n格式版本号=1.01\n坐标系=2000国家大地坐标系\n几度分带=3\n投影类型=高斯克吕格\n计量单位=米\n带号={zone}\n精度=0.001\n[地块坐标]\n"


def rect(e, n, w, h):
    """Closed ring, counter-clockwise, as (easting, northing) corners."""
    return [(e, n), (e + w, n), (e + w, n + h), (e, n + h), (e, n)]


def jzd(parcels, zone="37", swap=False, fmt="{:.3f}"):
    """Exchange-file text. parcels: list of (code, name, [ring, ...], count or None, area or '')."""
    out = [HEADER.format(zone=zone)]
    for code, name, rings, count, area in parcels:
        n = sum(len(r) for r in rings) if count is None else count
        out.append(f"{n},{area},{code},{name},面,,城镇建设用地,,@\n")
        k = 0
        for ring_no, ring in enumerate(rings, start=1):
            for i, (e, nn) in enumerate(ring):
                label = f"J{k + (i % (len(ring) - 1)) + 1}"
                x, y = (nn, e) if not swap else (e, nn)  # X = northing, Y = easting
                out.append(f"{label},{ring_no},{fmt.format(x)},{fmt.format(y)}\n")
            k += len(ring) - 1
    return "".join(out)


def write_layer(path, geoms, fields=None, layer=None, crs="EPSG:4525", encoding=None, **options):
    """Write polygons (+ string/int columns) with pyogrio; shapefile, GeoPackage, GeoJSON, FileGDB
    (.gdb), FlatGeobuf; `options` are the driver's layer creation options."""
    import numpy as np
    import shapely
    from pyogrio import raw

    fields = fields or {}
    raw.write(str(path), shapely.to_wkb(np.asarray(geoms, dtype=object)),
              [np.asarray(v, dtype=object) for v in fields.values()], fields=list(fields),
              geometry_type="MultiPolygon" if any(g.geom_type == "MultiPolygon" for g in geoms) else "Polygon",
              crs=crs, layer=layer, encoding=encoding, layer_options=options or None,
              driver="OpenFileGDB" if str(path).endswith(".gdb") else None)
    return path


#: Column names of the sample layers, as the layers files below name them.
SAMPLE_ENTRIES = {
    "permanent_basic_farmland": {"layer": "pbf"},
    "ecological_red_line": {"layer": "red_line"},
    "construction_scale": {"layer": "scale"},
    "development_zones": {"layer": "zones", "name": "ZONE_NAME", "level": "ZONE_LEVEL"},
    "protected_areas": {"layer": "protected", "name": "NAME", "kind": "KIND"},
    "land_survey": {"layer": "dltb", "land_type": "DLBM", "ownership": "QSXZ"},
}
SAMPLE_CODES = ["0103", "0101", "0201", "0301", "0702", "1006", "1104A", "1206", "0404", "0601"]


def sample_layers(cols=40, rows=40, cell=25.0):
    """A small 三调-like data set around (E0, N0), EPSG:4525: every survey cell split into two
    triangles (2·cols·rows features, codes and ownership cycling), PBF rectangles on a third of the
    cells, one red line, construction scale, zone and protected area. {key: (geoms, {column: values})}."""
    import numpy as np
    import shapely

    i = np.arange(cols * rows)
    x0, y0 = E0 + (i % cols) * cell, N0 + (i // cols) * cell
    x1, y1 = x0 + cell, y0 + cell
    lower = shapely.polygons(np.stack([np.column_stack(p) for p in
                                       ((x0, y0), (x1, y0), (x1, y1), (x0, y0))], axis=1))
    upper = shapely.polygons(np.stack([np.column_stack(p) for p in
                                       ((x0, y0), (x1, y1), (x0, y1), (x0, y0))], axis=1))
    survey = np.concatenate([lower, upper])
    n = len(survey)
    codes = [SAMPLE_CODES[k % len(SAMPLE_CODES)] for k in range(n)]
    owners = ["30" if k % 3 else "10" for k in range(n)]
    pbf_cells = i[i % 3 == 0]
    pbf = shapely.box(x0[pbf_cells] + 2, y0[pbf_cells] + 2, x1[pbf_cells] - 2, y1[pbf_cells] - 2)
    w, h = cols * cell, rows * cell
    return {
        "land_survey": (survey, {"DLBM": codes, "QSXZ": owners}),
        "permanent_basic_farmland": (pbf, {}),
        "ecological_red_line": ([shapely.box(E0 + 0.2 * w, N0 + 0.2 * h, E0 + 0.3 * w, N0 + 0.5 * h)], {}),
        "construction_scale": ([shapely.box(E0, N0, E0 + 0.6 * w, N0 + h)], {}),
        "development_zones": ([shapely.box(E0 + 0.5 * w, N0, E0 + w, N0 + 0.5 * h)],
                              {"ZONE_NAME": ["曲沃经济技术开发区"], "ZONE_LEVEL": ["省级"]}),
        "protected_areas": ([shapely.box(E0 + 0.3 * w, N0 + 0.3 * h, E0 + 0.4 * w, N0 + 0.4 * h)],
                            {"NAME": ["曲沃县饮用水水源保护区"], "KIND": ["饮用水水源保护区"]}),
    }


def sample_parcels(cell=25.0):
    """Two parcels across many survey cells at coordinates off the grid; the first has a hole."""
    from shapely.geometry import Polygon

    def at(x, y):
        return (E0 + x * cell, N0 + y * cell)

    p1 = Polygon([at(3.3, 4.1), at(17.7, 3.2), at(19.1, 18.6), at(4.2, 16.9)],
                 [[at(8.1, 8.2), at(11.4, 8.3), at(11.2, 11.7), at(8.3, 11.5)]])
    p2 = Polygon([at(22.6, 2.3), at(36.2, 5.4), at(33.8, 14.9), at(24.1, 12.2)])
    return [("P1", p1), ("P2", p2)]


@contextmanager
def raises_en(pattern: str):
    """Like pytest.raises(InputError, match=...), on the English message (`describe("en")`)."""
    import re

    import pytest

    from landapproval.core.errors import InputError

    with pytest.raises(InputError) as err:
        yield err
    english = err.value.describe("en")
    assert re.search(pattern, english), english
