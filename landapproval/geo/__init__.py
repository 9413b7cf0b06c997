"""Geometry: boundary files and GIS layers turned into the same facts a user could declare.

Imports shapely, pyproj and pyogrio; `import landapproval` does not import this package, so the
CLI pays for them only when a case has boundaries or `--layers` is given.

    from landapproval.geo import read_boundary, LayerSet, measure, compare
    b = read_boundary("parcels/qw.txt#QW-1", base_dir=case_dir)   # Boundary, EPSG:4525
    layers = LayerSet.load("layers.yaml")                          # once, reused for many cases
    result = measure([("P1", b.geometry)], layers)                 # or measure([b], layers)
    result.to_json()                                               # the contract's `geometry`
    # what the measured facts mean is decided by rules/map.yaml (landapproval/geofacts.py)
"""

from landapproval.geo.areas import AREA_TOLERANCE, Tolerance, ellipsoid_area_m2, plane_area_m2
from landapproval.geo.boundary import Boundary, read_boundary, read_boundary_file, read_inline_boundary
from landapproval.geo.crs import LINFEN_BBOX, TARGET_CRS
from landapproval.geo.land_classes import land_class
from landapproval.geo.layers import Layer, LayerSet
from landapproval.geo.measure import GeometryResult, ParcelResult, measure

__all__ = [
    "AREA_TOLERANCE", "Boundary", "GeometryResult", "LINFEN_BBOX", "Layer", "LayerSet",
    "ParcelResult", "TARGET_CRS", "Tolerance", "ellipsoid_area_m2",
    "land_class", "measure", "plane_area_m2", "read_boundary", "read_boundary_file", "read_inline_boundary",
]
