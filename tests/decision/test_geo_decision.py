"""The map in the decision (issue 4): measured facts checked against the declared ones.

Layers are built in memory in EPSG:4525 near 曲沃县 (111.46°E, 35.63°N), so every area below is
hand-computable from the rectangles.
"""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from shapely.geometry import box

import landapproval
from landapproval.cli import main
from landapproval.geo import LayerSet

X0, Y0 = 37_541_000.0, 3_944_000.0  # easting with the zone-37 prefix, northing
REPO = Path(__file__).resolve().parents[2]


def square(x: float, y: float, size: float):
    return box(X0 + x, Y0 + y, X0 + x + size, Y0 + y + size)


def wkt_file(tmp_path: Path, name: str, geometry) -> str:
    (tmp_path / f"{name}.wkt").write_text(geometry.wkt, encoding="utf-8")
    return f"{name}.wkt"


def batch_case(boundary: str, hectares: str = "1", zone=None) -> dict:
    return {
        "id": "QW-GEO-1", "county": "曲沃县", "kind": "batch", "filed_on": "2024-09-10",
        "scope": {"within_construction_scale": True, "development_zone": zone},
        "parcels": [{"id": "P1", "ownership": "collective", "boundary": boundary,
                     "land": {"cultivated": hectares}}],
    }


def survey(*geoms_codes):
    geoms = [g for g, _ in geoms_codes]
    return (geoms, {"land_type": [c for _, c in geoms_codes], "ownership": ["30"] * len(geoms)})


def test_undeclared_provincial_zone_routes_to_the_province_with_a_finding(tmp_path):
    parcel = square(0, 0, 100)  # exactly 1 ha of 耕地 (0103 旱地)
    layers = LayerSet.from_geometries(
        development_zones=([square(-500, -500, 2000)], {"name": ["曲沃经济技术开发区"], "level": ["provincial"]}),
        construction_scale=[square(-1000, -1000, 3000)],
        land_survey=survey((square(-1000, -1000, 3000), "0103")),
        permanent_basic_farmland=[square(5000, 5000, 10)],
    )
    case = batch_case(wkt_file(tmp_path, "p1", parcel), "1")
    declared_only = landapproval.evaluate(case, base_dir=tmp_path)
    assert declared_only.conversion.level == "city"

    decision = landapproval.evaluate(case, base_dir=tmp_path, layers=layers)
    assert (decision.conversion.level, decision.conversion.mode) == ("province", "statutory")
    assert decision.expropriation.level == "province"
    codes = [f.code for c in decision.checks for f in c.findings]
    assert "map.authority_from_measured" in codes
    zones = decision.geometry["measured"]["development_zones"]
    assert zones == [{"name": "曲沃经济技术开发区", "level": "provincial", "area": "1.0000"}]


def test_zone_outside_the_parcel_changes_nothing(tmp_path):
    parcel = square(0, 0, 100)
    layers = LayerSet.from_geometries(
        development_zones=([square(300, 300, 500)], {"name": ["曲沃经济技术开发区"], "level": ["provincial"]}),
        construction_scale=[square(-1000, -1000, 3000)],
    )
    decision = landapproval.evaluate(batch_case(wkt_file(tmp_path, "p1", parcel)), base_dir=tmp_path, layers=layers)
    assert decision.conversion.level == "city"
    assert decision.geometry["measured"]["development_zones"] == []
    assert not any(f.code == "map.authority_from_measured" for c in decision.checks for f in c.findings)


def test_half_a_square_metre_of_pbf_is_reported_but_not_routed_to_the_state_council(tmp_path):
    parcel = square(0, 0, 100)
    sliver = box(X0 + 99.5, Y0 + 10, X0 + 100.5, Y0 + 11)  # 0.5 m² inside the parcel
    layers = LayerSet.from_geometries(
        permanent_basic_farmland=[sliver],
        construction_scale=[square(-1000, -1000, 3000)],
        land_survey=survey((square(-1000, -1000, 3000), "0103")),
    )
    decision = landapproval.evaluate(batch_case(wkt_file(tmp_path, "p1", parcel)), base_dir=tmp_path, layers=layers)
    assert decision.conversion.level == "city"
    assert decision.geometry["measured"]["land"]["permanent_basic_farmland"] == "0.0000"
    (c1,) = [c for c in decision.checks if c.id == "C1"]
    assert "map.permanent_basic_farmland_within_tolerance" in [f.code for f in c1.findings]


def test_two_square_metres_of_pbf_route_to_the_state_council(tmp_path):
    parcel = square(0, 0, 100)
    patch = box(X0 + 98, Y0 + 10, X0 + 100, Y0 + 11)  # 2 m² inside the parcel
    layers = LayerSet.from_geometries(
        permanent_basic_farmland=[patch],
        construction_scale=[square(-1000, -1000, 3000)],
        land_survey=survey((square(-1000, -1000, 3000), "0103")),
    )
    decision = landapproval.evaluate(batch_case(wkt_file(tmp_path, "p1", parcel)), base_dir=tmp_path, layers=layers)
    assert decision.geometry["measured"]["land"]["permanent_basic_farmland"] == "0.0002"
    assert decision.conversion.level == "state_council"
    assert decision.expropriation.level == "state_council"


def test_area_outside_the_construction_scale_routes_to_the_province(tmp_path):
    parcel = square(0, 0, 100)
    layers = LayerSet.from_geometries(construction_scale=[square(0, 0, 50)],  # half the parcel
                                      land_survey=survey((square(-1000, -1000, 3000), "0103")))
    decision = landapproval.evaluate(batch_case(wkt_file(tmp_path, "p1", parcel)), base_dir=tmp_path, layers=layers)
    assert decision.geometry["measured"]["outside_construction_scale"] == "0.7500"
    assert decision.conversion.rule == "conversion.province.outside_scale"


def test_cli_evaluates_the_example_with_layers():
    result = CliRunner().invoke(main, ["evaluate", str(REPO / "cases/gis/qw-2024-03.yaml"),
                                       "--layers", str(REPO / "cases/gis/layers.yaml"), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    decision = json.loads(result.output)
    assert decision["geometry"]["parcels"][0]["id"] == "P1"
    assert decision["geometry"]["measured"]["development_zones"][0]["level"] == "provincial"
    # the example's 0.0478 ha of permanent basic farmland sends both parts to the State Council
    assert decision["authority"]["conversion"]["level"] == "state_council"


def test_missing_boundary_file_is_an_input_error_naming_the_field(tmp_path):
    case = batch_case("nowhere.wkt")
    path = tmp_path / "case.yaml"
    path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["evaluate", str(path)])
    assert result.exit_code == 2
    assert "parcels[0].boundary" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("importer", ["shapely", "pyproj", "pyogrio"])
def test_plain_cases_do_not_import_the_geometry_stack(importer):
    import subprocess
    import sys

    code = ("import sys, landapproval; landapproval.evaluate('cases/review/complete-approvable.yaml'); "
            f"print({importer!r} in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_undeclared_land_classes_are_taken_from_the_survey(tmp_path):
    parcel = square(0, 0, 100)
    layers = LayerSet.from_geometries(
        construction_scale=[square(-1000, -1000, 3000)],
        land_survey=survey((box(X0 - 1000, Y0 - 1000, X0 + 50, Y0 + 2000), "0103"),
                           (box(X0 + 50, Y0 - 1000, X0 + 2000, Y0 + 2000), "0301")),
    )
    case = batch_case(wkt_file(tmp_path, "p1", parcel))
    case["parcels"][0]["land"] = {}
    decision = landapproval.evaluate(case, base_dir=tmp_path, layers=layers)
    # west half 旱地 (耕地), east half 乔木林地 (other agricultural): 0.5 ha each, measured
    assert str(decision.totals["expropriation"]["cultivated"]) == "0.5000"
    assert str(decision.totals["expropriation"]["other"]) == "0.5000"
    assert decision.conversion.level == "city"
