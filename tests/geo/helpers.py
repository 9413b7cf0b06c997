"""Builders of boundary files the way real ones arrive (zone prefixes, X = northing)."""

from __future__ import annotations

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


def write_layer(path, geoms, fields=None, layer=None, crs="EPSG:4525", encoding=None):
    """Write polygons (+ string/int columns) with pyogrio; shapefile, GeoPackage or GeoJSON."""
    import numpy as np
    import shapely
    from pyogrio import raw

    fields = fields or {}
    raw.write(str(path), shapely.to_wkb(np.asarray(geoms, dtype=object)),
              [np.asarray(v, dtype=object) for v in fields.values()], fields=list(fields),
              geometry_type="MultiPolygon" if any(g.geom_type == "MultiPolygon" for g in geoms) else "Polygon",
              crs=crs, layer=layer, encoding=encoding)
    return path
