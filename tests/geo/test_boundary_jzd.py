"""The 界址点坐标 exchange file: every way real files go wrong, and what the reader does about it."""

from __future__ import annotations

import pytest
import shapely

from landapproval.core.errors import InputError
from landapproval.geo import read_boundary, read_boundary_file
from .helpers import E0, N0, jzd, rect, raises_en


def two_parcels():
    return [("QW-1", "一号地块", [rect(E0, N0, 200, 100)], None, "2.0000"),
            ("QW-2", "二号地块", [rect(E0, N0 + 500, 100, 100), rect(E0 + 40, N0 + 540, 20, 20)], None, "0.9600")]


def test_gbk_crlf_file_with_two_parcels_is_read_by_id(write):
    path = write("qw.txt", jzd(two_parcels()), encoding="gbk", crlf=True)
    assert b"\r\n" in path.read_bytes() and "一号地块".encode("gbk") in path.read_bytes()
    b = read_boundary_file(path, "QW-1")
    assert b.parcel_id == "QW-1" and b.source_crs == "EPSG:4525"
    assert b.geometry.area == pytest.approx(20_000.0, abs=1e-6)
    assert b.findings == []


def test_parcel_can_be_picked_by_its_name_too(write):
    path = write("qw.txt", jzd(two_parcels()))
    assert read_boundary_file(path, "二号地块").parcel_id == "QW-2"


def test_utf8_with_bom_is_read(write):
    path = write("qw.txt", jzd(two_parcels()), encoding="utf-8", bom=True, crlf=False)
    assert read_boundary_file(path, "QW-2").geometry.area == pytest.approx(9_600.0)


def test_reference_relative_to_case_file_with_hash_id(write, tmp_path):
    write("qw.txt", jzd(two_parcels()))
    assert read_boundary("qw.txt#QW-2", tmp_path).geometry.area == pytest.approx(9_600.0)


def test_several_parcels_without_id_is_an_error_listing_them(write):
    path = write("qw.txt", jzd(two_parcels()))
    with raises_en(r"holds 2 parcels \(QW-1, QW-2\)"):
        read_boundary_file(path)


def test_unknown_id_is_an_error(write):
    path = write("qw.txt", jzd(two_parcels()))
    with raises_en("no parcels match 'QW-9'"):
        read_boundary_file(path, "QW-9")


def test_missing_file_names_the_case_field(tmp_path):
    with pytest.raises(InputError) as err:
        read_boundary("nope.txt#1", tmp_path, case_file="case.yaml", field_path="parcels[0].boundary")
    assert err.value.source == "case.yaml" and err.value.problems[0][0] == "parcels[0].boundary"


def test_hole_is_decided_by_containment_not_ring_number(write):
    # the hole is listed first, as 圈1: still a hole, because it lies inside the other ring
    inner, outer = rect(E0 + 40, N0 + 40, 20, 20), rect(E0, N0, 100, 100)
    path = write("h.txt", jzd([("H", "", [inner, outer], None, "")]))
    g = read_boundary_file(path).geometry
    assert g.geom_type == "Polygon" and len(g.interiors) == 1
    assert g.area == pytest.approx(10_000 - 400)


def test_two_disjoint_rings_are_two_parts(write):
    path = write("m.txt", jzd([("M", "", [rect(E0, N0, 100, 100), rect(E0 + 300, N0, 50, 50)], None, "")]))
    g = read_boundary_file(path).geometry
    assert g.geom_type == "MultiPolygon" and g.area == pytest.approx(12_500)


def test_island_inside_a_hole_is_a_part(write):
    rings = [rect(E0, N0, 100, 100), rect(E0 + 20, N0 + 20, 60, 60), rect(E0 + 40, N0 + 40, 20, 20)]
    g = read_boundary_file(write("i.txt", jzd([("I", "", rings, None, "")]))).geometry
    assert g.geom_type == "MultiPolygon" and g.area == pytest.approx(10_000 - 3_600 + 400)


def test_swapped_axes_are_swapped_back_and_reported(write):
    normal = read_boundary_file(write("n.txt", jzd(two_parcels())), "QW-2").geometry
    b = read_boundary_file(write("s.txt", jzd(two_parcels(), swap=True)), "QW-2")
    assert shapely.equals(b.geometry, normal)
    assert [f["code"] for f in b.findings] == ["geo.boundary.axes_swapped"]
    assert b.findings[0]["severity"] == "correctable"


def test_axis_order_changing_inside_a_file_is_an_error(write):
    text = jzd([("A", "", [rect(E0, N0, 100, 100)], None, "")])
    lines = text.splitlines()
    x, y = lines[-3].split(",")[2:]
    lines[-3] = ",".join(lines[-3].split(",")[:2] + [y, x])  # one point written Y,X
    with raises_en("other order"):
        read_boundary_file(write("x.txt", "\n".join(lines) + "\n"))


def test_wrong_zone_number_is_an_error(write):
    path = write("z.txt", jzd([("Z", "", [rect(E0, N0, 100, 100)], None, "")], zone="38"))
    with raises_en("带号=38 .* prefix 37"):
        read_boundary_file(path)


def test_point_count_mismatch_is_a_warning_not_an_error(write):
    path = write("c.txt", jzd([("C", "", [rect(E0, N0, 100, 100)], 9, "")]))
    b = read_boundary_file(path)
    assert b.geometry.area == pytest.approx(10_000)
    (f,) = b.findings
    assert f["code"] == "geo.boundary.point_count_mismatch" and f["severity"] == "warning"
    assert "9" in f["message_en"] and "5" in f["message_en"]


def test_point_count_without_closing_points_is_accepted(write):
    path = write("c.txt", jzd([("C", "", [rect(E0, N0, 100, 100)], 4, "")]))
    assert read_boundary_file(path).findings == []


def test_unparsable_number_is_rejected_never_zero(write):
    text = jzd([("U", "", [rect(E0, N0, 100, 100)], None, "")]).replace("3945100.000", "39451OO.000", 1)
    with pytest.raises(InputError) as err:
        read_boundary_file(write("u.txt", text))
    assert "'39451OO.000'" in err.value.describe("en") and "is not a number" in err.value.describe("en")
    assert "不是数字" in str(err.value)
    assert err.value.problems[0].line is not None and "line " in err.value.problems[0].message("en")


def test_unparsable_area_in_header_is_rejected(write):
    text = jzd([("U", "", [rect(E0, N0, 100, 100)], None, "1,5")])
    with pytest.raises(InputError):
        read_boundary_file(write("u.txt", text.replace(",1,5,", ",1.5x,")))


def test_self_intersecting_ring_names_the_points(write):
    bowtie = [(E0, N0), (E0 + 100, N0 + 100), (E0 + 100, N0), (E0, N0 + 100), (E0, N0)]
    with pytest.raises(InputError) as err:
        read_boundary_file(write("b.txt", jzd([("B", "", [bowtie], None, "")])))
    msg = err.value.describe("en")
    assert "parcel B" in msg and "crosses itself" in msg and "J1–J2" in msg and "J3–J4" in msg


def test_unclosed_ring_is_an_error_not_closed_for_you(write):
    ring = rect(E0, N0, 100, 100)[:-1]
    with raises_en("not closed: first point J1"):
        read_boundary_file(write("o.txt", jzd([("O", "", [ring], None, "")])))


def test_ring_with_too_few_points_is_an_error(write):
    ring = [(E0, N0), (E0 + 100, N0), (E0, N0)]
    with raises_en("at least 3 distinct corners"):
        read_boundary_file(write("f.txt", jzd([("F", "", [ring], None, "")])))


def test_overlapping_rings_are_an_error(write):
    rings = [rect(E0, N0, 100, 100), rect(E0 + 50, N0 + 50, 100, 100)]
    with raises_en("overlap"):
        read_boundary_file(write("r.txt", jzd([("R", "", rings, None, "")])))


def test_coordinates_outside_linfen_are_an_error_that_says_so(write):
    # a valid zone-37 coordinate, but 200 km north: in 吕梁/太原, not Linfen
    ring = rect(E0, N0 + 200_000, 100, 100)
    with raises_en("outside Linfen"):
        read_boundary_file(write("far.txt", jzd([("F", "", [ring], None, "")])))


def test_epsg_4546_without_zone_prefix_is_shifted_into_4525(write):
    ring = [(e - 37_000_000, n) for e, n in rect(E0, N0, 100, 100)]
    b = read_boundary_file(write("p.txt", jzd([("P", "", [ring], None, "")])))
    assert b.source_crs == "EPSG:4546"
    assert shapely.equals_exact(b.geometry, shapely.Polygon(rect(E0, N0, 100, 100)), tolerance=1e-6)


def test_epsg_4490_lon_lat_is_projected_to_4525(write):
    from pyproj import Transformer
    t = Transformer.from_crs(4525, 4490, always_xy=True)
    ring = [t.transform(e, n) for e, n in rect(E0, N0, 100, 100)]
    b = read_boundary_file(write("g.txt", jzd([("G", "", [ring], None, "")], fmt="{:.10f}")))
    assert b.source_crs == "EPSG:4490"
    assert b.geometry.area == pytest.approx(10_000, abs=0.01)
    assert b.geometry.bounds[0] == pytest.approx(E0, abs=0.001)


def test_xian80_coordinates_are_refused(write):
    text = jzd([("X", "", [rect(E0, N0, 100, 100)], None, "")]).replace("2000国家大地坐标系", "1980西安坐标系")
    with raises_en("only CGCS2000"):
        read_boundary_file(write("x.txt", text))


def test_file_area_that_disagrees_is_a_warning(write):
    b = read_boundary_file(write("a.txt", jzd([("A", "", [rect(E0, N0, 100, 100)], None, "1.2000")])))
    assert [f["code"] for f in b.findings] == ["geo.boundary.file_area_mismatch"]
