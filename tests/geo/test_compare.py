"""Declared versus measured: within 0.1 % (or 1 m²) agrees, beyond it is a finding."""

from __future__ import annotations

from decimal import Decimal

from shapely.geometry import box

from landapproval.geo import AREA_TOLERANCE, LayerSet, compare, measure

from .helpers import E0, N0


def rect(x, y, w, h):
    return box(E0 + x, N0 + y, E0 + x + w, N0 + y + h)


def case(land, ownership="collective", **extra):
    return {"parcels": [{"id": "P1", "ownership": ownership, "land": land}], **extra}


SURVEY = LayerSet.from_geometries(
    permanent_basic_farmland=[rect(0, 0, 100, 100)],
    land_survey=([rect(0, 0, 200, 100), rect(200, 0, 100, 100)],
                 {"land_type": ["0103", "0702"], "ownership": ["collective", "collective"]}))


def codes(findings):
    return [f["code"] for f in findings]


def test_matching_declaration_gives_no_findings():
    m = measure([("P1", rect(0, 0, 300, 100))], SURVEY)
    land = {"permanent_basic_farmland": "1.0000", "cultivated": "1.0000", "construction": "1.0000"}
    assert compare(case(land), m) == []


def test_difference_within_point_one_percent_is_tolerated():
    m = measure([("P1", rect(0, 0, 1000, 1000))], LayerSet.from_geometries())
    assert compare(case({"construction": "100.0900"}), m) == []            # +0.09 %
    assert codes(compare(case({"construction": "100.1100"}), m)) == ["geo.compare.area_mismatch"]


def test_small_parcels_get_one_square_metre():
    m = measure([("P1", rect(0, 0, 10, 10))], LayerSet.from_geometries())   # 100 m²
    assert compare(case({"construction": "0.0101"}), m) == []               # 1 m² off
    assert codes(compare(case({"construction": "0.0102"}), m)) == ["geo.compare.area_mismatch"]
    assert AREA_TOLERANCE.allowed_m2(100) == Decimal(1)


def test_undeclared_permanent_basic_farmland_is_blocking():
    m = measure([("P1", rect(0, 0, 300, 100))], SURVEY)
    found = compare(case({"cultivated": "2.0000", "construction": "1.0000"}), m)
    pbf = [f for f in found if "permanent_basic_farmland" in f["message_en"]]
    assert pbf[0]["severity"] == "blocking"
    assert {f["severity"] for f in found if f not in pbf} == {"correctable"}


def test_state_declared_over_collective_survey_land():
    m = measure([("P1", rect(0, 0, 300, 100))], SURVEY)
    land = {"permanent_basic_farmland": "1.0000", "cultivated": "1.0000", "construction": "1.0000"}
    assert codes(compare(case(land, ownership="state"), m)) == ["geo.compare.ownership_mismatch"]


def test_scope_red_line_zone_and_protected_area():
    ls = LayerSet.from_geometries(
        construction_scale=[rect(0, 0, 90, 100)], ecological_red_line=[rect(0, 0, 10, 10)],
        development_zones=([rect(0, 0, 50, 50)], {"name": ["曲沃经济技术开发区"], "level": ["provincial"]}),
        protected_areas=([rect(0, 0, 5, 5)], {"name": ["某水源地"], "kind": ["饮用水水源保护区"]}))
    m = measure([("P1", rect(0, 0, 100, 100))], ls)
    declared = case({"construction": "1.0000"}, scope={"within_construction_scale": True, "development_zone": None},
                    review={"planning": {"occupies_ecological_red_line": False}, "protected_areas": []})
    found = {f["code"]: f["severity"] for f in compare(declared, m)}
    assert found == {"geo.compare.outside_construction_scale": "blocking",
                     "geo.compare.ecological_red_line": "blocking",
                     "geo.compare.development_zone_undeclared": "blocking",
                     "geo.compare.protected_area_undeclared": "correctable"}
    declared["scope"]["development_zone"] = {"name": "曲沃经济技术开发区", "level": "provincial"}
    declared["review"]["protected_areas"] = [{"name": "某水源地", "consent": True}]
    assert "geo.compare.development_zone_undeclared" not in codes(compare(declared, m))
    assert "geo.compare.protected_area_undeclared" not in codes(compare(declared, m))


def test_compare_is_pure():
    m = measure([("P1", rect(0, 0, 300, 100))], SURVEY)
    declared = case({"cultivated": "3.0000"})
    before = repr(declared), m.to_json()
    assert compare(declared, m) == compare(declared, m)
    assert (repr(declared), m.to_json()) == before
