"""Measured facts on hand-computable rectangles (1 m² = 0.0001 ha is the precision asked for)."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import pytest
import shapely
from shapely.geometry import box

from landapproval.core.errors import InputError
from landapproval.geo import LayerSet, measure
from landapproval.geo.units import hectares

from .helpers import E0, N0


def rect(x, y, w, h):
    return box(E0 + x, N0 + y, E0 + x + w, N0 + y + h)


@pytest.fixture(scope="module")
def layers():
    # survey: 0..100 旱地 (collective), 100..150 果园, 150..200 农村宅基地, 200..300 裸土地
    return LayerSet.from_geometries(
        permanent_basic_farmland=[rect(0, 0, 60, 100)],                     # 0.6 ha, all on 旱地
        land_survey=([rect(0, 0, 100, 100), rect(100, 0, 50, 100), rect(150, 0, 50, 100),
                      rect(200, 0, 100, 100)],
                     {"land_type": ["0103", "0201", "0702", "1206"],
                      "ownership": ["collective", "collective", "collective", "state"]}),
        ecological_red_line=[rect(290, 90, 20, 20)],                        # 10 x 10 inside the parcel
        construction_scale=[rect(-50, -50, 330, 200)],                      # parcel sticks out 20 m
        development_zones=([rect(250, 0, 100, 100), rect(150, 0, 100, 100)],
                           {"name": ["曲沃经济技术开发区", "曲沃经济技术开发区"], "level": ["provincial", "provincial"]}),
        protected_areas=([rect(0, 0, 30, 10)], {"name": ["曲沃县水源保护区"], "kind": ["饮用水水源保护区"]}),
    )


def test_overlay_of_rectangles_to_the_square_metre(layers):
    result = measure([("P1", rect(0, 0, 300, 100))], layers)
    j = result.to_json()
    assert j["parcels"] == [{"id": "P1", "area_plane": "3.0000", "area_ellipsoid": j["parcels"][0]["area_ellipsoid"]}]
    assert j["measured"] == {
        "land": {"permanent_basic_farmland": "0.6000", "cultivated": "0.4000",
                 "other_agricultural": "0.5000", "construction": "0.5000", "unused": "1.0000"},
        "outside_construction_scale": "0.2000",
        "ecological_red_line": "0.0100",
        "development_zones": [{"name": "曲沃经济技术开发区", "level": "provincial", "area": "1.5000"}],
        "protected_areas": [{"name": "曲沃县水源保护区", "kind": "饮用水水源保护区", "area": "0.0300"}],
    }
    assert result.findings == []
    assert result.parcels[0].ownership == {"collective": Decimal("2.0000"), "state": Decimal("1.0000")}


def test_areas_are_decimals_never_floats(layers):
    result = measure([("P1", rect(0, 0, 300, 100))], layers)
    assert all(isinstance(v, Decimal) for v in result.land.values())
    assert isinstance(result.parcels[0].area_plane, Decimal)


def test_ellipsoid_area_differs_from_plane_by_the_zone_scale_factor(layers):
    # 42 km east of the central meridian: plane area = ellipsoid area × k², k ≈ 1 + y²/(2R²)
    p = measure([("P1", rect(0, 0, 1000, 1000))], LayerSet.from_geometries()).parcels[0]
    y, radius = 42_000.0, 6_372_000.0
    assert p.area_plane_m2 / p.area_ellipsoid_m2 == pytest.approx(1 + y**2 / radius**2, abs=2e-6)
    assert p.area_plane - p.area_ellipsoid == Decimal("0.0044")


def test_half_a_square_metre_of_pbf_is_measured_as_it_is(layers):
    # what it means (below the digitising tolerance) is for rules/map.yaml; measure only measures
    pbf_only = LayerSet.from_geometries(permanent_basic_farmland=[rect(0, 0, 60, 100)])
    result = measure([("P9", rect(59.5, 50, 40, 1))], pbf_only)   # overlaps the patch by 0.5 m x 1 m
    assert result.parcels[0].raw["permanent_basic_farmland"] == pytest.approx(0.5)
    assert result.raw["permanent_basic_farmland"] == pytest.approx(0.5)
    assert result.to_json()["measured"]["land"] == {"permanent_basic_farmland": "0.0000"}  # half-even
    assert result.findings == []


def test_a_key_whose_layer_was_not_given_is_absent():
    only_red = LayerSet.from_geometries(ecological_red_line=[rect(0, 0, 10, 10)])
    assert measure([("P1", rect(0, 0, 100, 100))], only_red).to_json()["measured"] == {"ecological_red_line": "0.0100"}
    assert measure([("P1", rect(0, 0, 100, 100))], LayerSet.from_geometries()).to_json()["measured"] == {}


def test_survey_without_pbf_layer_measures_the_survey_classes_only():
    ls = LayerSet.from_geometries(land_survey=([rect(0, 0, 100, 100)], {"land_type": ["0101"]}))
    result = measure([("P1", rect(0, 0, 100, 100))], ls)
    assert result.to_json()["measured"]["land"] == {"cultivated": "1.0000", "other_agricultural": "0.0000",
                                                    "construction": "0.0000", "unused": "0.0000"}
    assert result.findings == []   # that PBF was not checked is said by rules/map.yaml


def test_survey_coverage_is_measured():
    ls = LayerSet.from_geometries(land_survey=([rect(0, 0, 50, 100)], {"land_type": ["0103"]}),
                                  permanent_basic_farmland=[])
    result = measure([("P1", rect(0, 0, 100, 100))], ls)
    assert result.parcels[0].raw["survey_covered"] == pytest.approx(5000.0)  # judged by map.survey_partial


def test_overlapping_parcels_are_counted_once_and_reported(layers):
    result = measure([("P1", rect(0, 0, 100, 100)), ("P2", rect(50, 0, 100, 100))], layers)
    assert result.land["permanent_basic_farmland"] == Decimal("0.6000")
    assert result.land["cultivated"] + result.land["other_agricultural"] == Decimal("0.9000")
    assert "geo.parcels_overlap" in [f["code"] for f in result.findings]


def test_totals_of_several_parcels_are_summed(layers):
    result = measure([("P1", rect(0, 0, 100, 100)), ("P2", rect(100, 0, 100, 100))], layers)
    assert result.land["construction"] == Decimal("0.5000") and result.land["cultivated"] == Decimal("0.4000")


def test_reader_findings_are_carried_over(layers):
    from landapproval.geo import Boundary
    f = {"code": "geo.boundary.axes_swapped", "severity": "correctable", "message_zh": "", "message_en": "",
         "citation": "", "remedy": ""}
    b = Boundary("QW-1", rect(0, 0, 10, 10), "x.txt", "EPSG:4525", [f])
    assert measure([b], LayerSet.from_geometries()).findings == [f]


def test_invalid_or_duplicate_parcels_are_input_errors():
    bow = shapely.Polygon([(E0, N0), (E0 + 1, N0 + 1), (E0 + 1, N0), (E0, N0 + 1)])
    with pytest.raises(InputError, match="Self-intersection"):
        measure([("P1", bow)], LayerSet.from_geometries())
    with pytest.raises(InputError, match="twice"):
        measure([("P1", rect(0, 0, 1, 1)), ("P1", rect(5, 0, 1, 1))], LayerSet.from_geometries())


def test_hectares_round_half_even_at_the_fourth_place():
    assert hectares(0.5) == Decimal("0.0000")      # 0.00005 -> even 0.0000
    assert hectares(1.5) == Decimal("0.0002")      # 0.00015 -> even 0.0002
    assert hectares(2.5) == Decimal("0.0002")
    assert hectares(-0.1) == Decimal("0.0000") and str(hectares(-0.1)) == "0.0000"
    # 350 parcels of exactly 0.1 ha sum exactly to 35 ha
    assert sum(hectares(1000.0) for _ in range(350)) == Decimal("35.0000")


def test_importing_landapproval_does_not_import_the_gis_stack():
    code = "import sys, landapproval; print(sorted(m for m in ('shapely','pyproj','pyogrio') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
