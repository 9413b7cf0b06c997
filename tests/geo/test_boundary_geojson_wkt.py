"""GeoJSON and WKT boundaries: selection, CRS (declared or by magnitude), strict rings."""

from __future__ import annotations

import json

import pytest
import shapely
from pyproj import Transformer

from landapproval.core.errors import InputError
from landapproval.geo import read_boundary_file

from .helpers import E0, N0, rect, raises_en


def fc(features, crs=None):
    doc = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(doc, ensure_ascii=False)


def feat(fid, name, rings):
    return {"type": "Feature", "id": fid, "properties": {"name": name},
            "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in r] for r in rings]}}


def test_feature_collection_selected_by_id_or_name(write):
    text = fc([feat("A", "甲地块", [rect(E0, N0, 100, 100)]),
               feat("B", "乙地块", [rect(E0 + 500, N0, 50, 40), rect(E0 + 510, N0 + 10, 10, 10)])])
    path = write("p.geojson", text, encoding="utf-8", crlf=False)
    assert read_boundary_file(path, "A").geometry.area == pytest.approx(10_000)
    b = read_boundary_file(path, "乙地块")
    assert b.parcel_id == "B" and b.geometry.area == pytest.approx(2_000 - 100)


def test_declared_crs_4546_is_honoured(write):
    ring = [(e - 37_000_000, n) for e, n in rect(E0, N0, 100, 100)]
    path = write("p.geojson", fc([feat("A", "", [ring])], "urn:ogc:def:crs:EPSG::4546"), encoding="utf-8")
    b = read_boundary_file(path)
    assert b.source_crs.endswith("4546")
    assert b.geometry.bounds[:2] == pytest.approx((E0, N0))


def test_lon_lat_without_crs_is_recognised_as_4490(write):
    t = Transformer.from_crs(4525, 4490, always_xy=True)
    ring = [t.transform(e, n) for e, n in rect(E0, N0, 100, 100)]
    b = read_boundary_file(write("p.geojson", fc([feat("A", "", [ring])]), encoding="utf-8"))
    assert b.source_crs == "EPSG:4490" and b.geometry.area == pytest.approx(10_000, abs=0.01)


def test_declared_crs_contradicted_by_the_numbers_is_an_error(write):
    path = write("p.geojson", fc([feat("A", "", [rect(E0, N0, 100, 100)])], "EPSG:4490"), encoding="utf-8")
    with raises_en("not a EPSG:4490 coordinate"):
        read_boundary_file(path)


def test_unaccepted_crs_is_an_error(write):
    path = write("p.geojson", fc([feat("A", "", [rect(E0, N0, 100, 100)])], "EPSG:3857"), encoding="utf-8")
    with raises_en("not accepted"):
        read_boundary_file(path)


def test_geojson_lat_lon_order_is_swapped_and_reported(write):
    t = Transformer.from_crs(4525, 4490, always_xy=True)
    ring = [t.transform(e, n)[::-1] for e, n in rect(E0, N0, 100, 100)]
    b = read_boundary_file(write("p.geojson", fc([feat("A", "", [ring])]), encoding="utf-8"))
    assert b.findings[0]["code"] == "geo.boundary.axes_swapped"
    assert b.geometry.area == pytest.approx(10_000, abs=0.01)


def test_geojson_unclosed_ring_and_string_coordinate(write):
    with raises_en("not closed"):
        read_boundary_file(write("a.geojson", fc([feat("A", "", [rect(E0, N0, 100, 100)[:-1]])]), encoding="utf-8"))
    bad = feat("A", "", [rect(E0, N0, 100, 100)])
    bad["geometry"]["coordinates"][0][2][0] = "37542100,0"
    with pytest.raises(InputError) as err:
        read_boundary_file(write("b.geojson", fc([bad]), encoding="utf-8"))
    assert err.value.problems[0][0] == "features[0].geometry.coordinates[0][0][2]"


def test_geojson_hole_touching_nothing_but_outside_its_shell_is_invalid(write):
    rings = [rect(E0, N0, 100, 100), rect(E0 + 200, N0, 10, 10)]
    with raises_en("do not form a valid area: Hole lies outside shell"):
        read_boundary_file(write("h.geojson", fc([feat("A", "", rings)]), encoding="utf-8"))


def test_wkt_with_srid(write):
    g = shapely.Polygon(rect(E0, N0, 100, 50))
    b = read_boundary_file(write("p.wkt", f"SRID=4525;{g.wkt}", encoding="utf-8"))
    assert b.parcel_id == "p" and b.geometry.area == pytest.approx(5_000)


def test_wkt_multipolygon_without_srid(write):
    g = shapely.MultiPolygon([shapely.Polygon(rect(E0, N0, 10, 10)), shapely.Polygon(rect(E0 + 50, N0, 10, 10))])
    assert read_boundary_file(write("m.wkt", g.wkt, encoding="utf-8")).geometry.area == pytest.approx(200)


def test_wkt_self_intersection_and_unclosed(write):
    bow = f"POLYGON(({E0} {N0}, {E0+100} {N0+100}, {E0+100} {N0}, {E0} {N0+100}, {E0} {N0}))"
    with raises_en("vertex 1–vertex 2 meets segment vertex 3–vertex 4"):
        read_boundary_file(write("b.wkt", bow, encoding="utf-8"))
    open_ = f"POLYGON(({E0} {N0}, {E0+100} {N0}, {E0+100} {N0+100}, {E0} {N0+100}))"
    with raises_en("not closed"):
        read_boundary_file(write("o.wkt", open_, encoding="utf-8"))


def test_wkt_with_hash_id_is_an_error(write):
    with raises_en("one geometry"):
        read_boundary_file(write("p.wkt", shapely.Polygon(rect(E0, N0, 1, 1)).wkt, encoding="utf-8"), "X")
