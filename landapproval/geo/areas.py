"""Area on the Gauss-Krüger plane and on the CGCS2000 ellipsoid, and how far apart they may be.

Approval figures are plane areas (勘测定界 works in projected coordinates); land-survey (三调)
figures are ellipsoidal areas. In zone 37 the scale factor makes them differ by up to ~0.05 % at
the zone edge, so any comparison of areas needs a tolerance; AREA_TOLERANCE is that tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from landapproval.geo.crs import GEOGRAPHIC_CRS, TARGET_CRS, transformer

#: Edges are cut to at most this length before the inverse projection, so that the geodesic
#: polygon follows the straight plane edge closely (a 50 m chord bends by far less than 1 mm).
DENSIFY_M = 50.0


@dataclass(frozen=True)
class Tolerance:
    """Two areas agree when they differ by at most max(relative × area, absolute_m2).

    0.1 % is twice the largest plane-vs-ellipsoid difference in zone 37 (~0.05 %), so a figure
    taken from either surface passes; 1 m² (0.0001 ha) is the contract's precision, below which
    a difference cannot even be written down.
    """
    relative: Decimal = Decimal("0.001")
    absolute_m2: Decimal = Decimal("1")

    def allowed_m2(self, area_m2: float | Decimal) -> Decimal:
        return max(self.relative * Decimal(repr(float(area_m2))), self.absolute_m2)

    def agree(self, a_m2: float | Decimal, b_m2: float | Decimal) -> bool:
        diff = abs(Decimal(repr(float(a_m2))) - Decimal(repr(float(b_m2))))
        return diff <= self.allowed_m2(max(abs(float(a_m2)), abs(float(b_m2))))


AREA_TOLERANCE = Tolerance()


@lru_cache(maxsize=1)
def _geod() -> pyproj.Geod:
    return pyproj.Geod(ellps="GRS80")  # CGCS2000's ellipsoid (GRS80 to within 0.1 mm)


def plane_area_m2(geom: BaseGeometry) -> float:
    return float(shapely.area(geom))


def ellipsoid_area_m2(geom: BaseGeometry) -> float:
    """Geodesic area on GRS80 of a (Multi)Polygon given in EPSG:4525 (holes subtracted)."""
    if geom.is_empty:
        return 0.0
    to_lonlat = transformer(TARGET_CRS, GEOGRAPHIC_CRS)
    geod = _geod()
    total = 0.0
    for poly in shapely.get_parts(shapely.segmentize(geom, DENSIFY_M)):
        for k, ring in enumerate([poly.exterior, *poly.interiors]):
            xy = shapely.get_coordinates(ring)
            lon, lat = to_lonlat.transform(xy[:, 0], xy[:, 1])
            area = abs(geod.polygon_area_perimeter(np.asarray(lon), np.asarray(lat))[0])
            total += area if k == 0 else -area
    return total
