"""Coordinate reference systems Linfen's boundary files arrive in, and the one we measure in.

Everything is measured in CGCS2000 / 3° Gauss-Krüger zone 37 with the zone prefix (EPSG:4525),
the zone the whole of Linfen lies in. Files come in that CRS, without the prefix (EPSG:4546),
occasionally in zone 38 (the eastern edge of 安泽县/浮山县 crosses 112.5° E), or as CGCS2000
lon/lat (EPSG:4490). Which one a bare coordinate list is in is decided from the magnitudes, which
cannot be confused at Linfen's latitude: northings are ~3.9e6, prefixed eastings 37.xe6/38.xe6,
plain eastings 1e5–9e5, longitudes ~111, latitudes ~36.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyproj

from landapproval.core.errors import FieldProblem

TARGET_CRS = "EPSG:4525"
GEOGRAPHIC_CRS = "EPSG:4490"
#: 3° zones that touch Linfen: zone 37 (CM 111° E) covers nearly all of it, zone 38 (CM 114° E)
#: its easternmost sliver. Prefixed and plain EPSG codes of each.
ZONES = {37: ("EPSG:4525", "EPSG:4546"), 38: ("EPSG:4526", "EPSG:4547")}

#: Linfen (临汾市) as lon/lat bounds in CGCS2000: (lon_min, lat_min, lon_max, lat_max).
#: The city spans about 110.4–112.6° E and 35.4–36.95° N (乡宁/吉县 on the Yellow River in the
#: west, 安泽 in the east, 侯马/翼城 in the south, 霍州/汾西 in the north); the box adds a margin
#: of a few kilometres so a parcel on the city boundary is never rejected. It is a sanity check
#: against wrong CRSs, swapped or truncated coordinates — not a jurisdiction test.
LINFEN_BBOX = (110.3, 35.3, 112.6, 37.0)

# Geographic CRSs accepted as CGCS2000 lon/lat. WGS84 (GeoJSON's default CRS84) differs from
# CGCS2000 by a few centimetres, far below the 1 m² area precision.
_GEOGRAPHIC_ALIASES = {4490, 4326, 4479, 4480}


def classify(east: np.ndarray, north: np.ndarray) -> np.ndarray:
    """Per point, what an (east, north) pair looks like: 'prefixed', 'plain', 'geographic' or ''."""
    east = np.asarray(east, dtype=float)
    north = np.asarray(north, dtype=float)
    kind = np.full(east.shape, "", dtype=object)
    northing = (north >= 3.0e6) & (north < 5.0e6)
    kind[northing & (east >= 37.0e6) & (east < 39.0e6)] = "prefixed"
    kind[northing & (east >= 1.0e5) & (east < 1.0e6)] = "plain"
    kind[(east >= 100) & (east <= 125) & (north >= 30) & (north <= 45)] = "geographic"
    return kind


def crs_for(kind: str, zone: int) -> str:
    if kind == "geographic":
        return GEOGRAPHIC_CRS
    prefixed, plain = ZONES[zone]
    return prefixed if kind == "prefixed" else plain


def kind_of_crs(crs: str) -> tuple[str, int | None]:
    """('prefixed'|'plain'|'geographic', zone) of an accepted CRS; for any other a ValueError
    (FieldProblem) whose `.text` says it in both languages."""
    try:
        epsg = pyproj.CRS.from_user_input(crs).to_epsg()
    except pyproj.exceptions.CRSError as exc:
        raise FieldProblem(f"无法识别的坐标系 {crs!r}：{exc}；应为 EPSG 代码，例如 EPSG:4525",
                           f"unknown CRS {crs!r}: {exc}") from None
    if epsg in _GEOGRAPHIC_ALIASES:
        return "geographic", None
    for zone, (prefixed, plain) in ZONES.items():
        if f"EPSG:{epsg}" == prefixed:
            return "prefixed", zone
        if f"EPSG:{epsg}" == plain:
            return "plain", zone
    raise FieldProblem(
        f"不接受坐标系 {crs!r}（EPSG:{epsg}）：应为 2000国家大地坐标系 3 度带第 37 带"
        "（带带号 EPSG:4525，不带带号 EPSG:4546）或 2000国家大地坐标系经纬度（EPSG:4490）",
        f"CRS {crs!r} (EPSG:{epsg}) is not accepted: use CGCS2000 3° Gauss-Krüger zone 37 "
        "(EPSG:4525 with the zone prefix, EPSG:4546 without) or CGCS2000 lon/lat (EPSG:4490)")


@lru_cache(maxsize=32)
def transformer(src: str, dst: str) -> pyproj.Transformer:
    # always_xy: we keep (easting, northing) / (lon, lat) order everywhere.
    return pyproj.Transformer.from_crs(src, dst, always_xy=True)


def transform_xy(xy: np.ndarray, src: str, dst: str) -> np.ndarray:
    if src == dst:
        return np.asarray(xy, dtype=float)
    x, y = transformer(src, dst).transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def outside_linfen(lonlat: np.ndarray) -> np.ndarray:
    """Boolean mask of lon/lat points outside LINFEN_BBOX."""
    lon_min, lat_min, lon_max, lat_max = LINFEN_BBOX
    lon, lat = lonlat[:, 0], lonlat[:, 1]
    return ~((lon >= lon_min) & (lon <= lon_max) & (lat >= lat_min) & (lat <= lat_max))
