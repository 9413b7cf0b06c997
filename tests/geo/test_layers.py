"""Loading the layers file: formats, attributes, CRS sanity, and the shapefile mojibake trap."""

from __future__ import annotations

import re

import pytest
from shapely.geometry import box

from landapproval.core.errors import InputError
from landapproval.geo import LayerSet

from .helpers import E0, N0, write_layer


def yaml_file(tmp_path, text):
    path = tmp_path / "layers.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_geopackage_layers_and_attributes(tmp_path):
    gpkg = tmp_path / "gis.gpkg"
    write_layer(gpkg, [box(E0, N0, E0 + 10, N0 + 10)], layer="pbf")
    write_layer(gpkg, [box(E0, N0, E0 + 10, N0 + 10), box(E0 + 10, N0, E0 + 20, N0 + 10)],
                {"DLBM": ["0103", "1104A"], "QSXZ": ["30", "10"]}, layer="dltb")
    write_layer(gpkg, [box(E0, N0, E0 + 50, N0 + 50)], {"ZONE_NAME": ["曲沃经济技术开发区"], "ZONE_LEVEL": ["省级"]}, layer="zones")
    path = yaml_file(tmp_path, """
crs: EPSG:4525
layers:
  permanent_basic_farmland: {source: gis.gpkg, layer: pbf}
  land_survey: {source: gis.gpkg, layer: dltb, land_type: DLBM, ownership: QSXZ}
  development_zones: {source: gis.gpkg, layer: zones, name: ZONE_NAME, level: ZONE_LEVEL}
""")
    ls = LayerSet.load(path)
    assert len(ls.get("permanent_basic_farmland").geoms) == 1
    survey = ls.get("land_survey")
    assert list(survey.attrs["land_class"]) == ["cultivated", "other_agricultural"]
    assert list(survey.attrs["ownership"]) == ["collective", "state"]
    assert list(ls.get("development_zones").attrs["level"]) == ["provincial"]
    assert "ecological_red_line" not in ls


def test_geojson_layer_in_4546_is_brought_to_4525(tmp_path):
    write_layer(tmp_path / "red.geojson", [box(E0 - 37e6, N0, E0 - 37e6 + 10, N0 + 10)], crs="EPSG:4546")
    ls = LayerSet.load(yaml_file(tmp_path, "layers:\n  ecological_red_line: {source: red.geojson}\n"))
    assert ls.get("ecological_red_line").geoms[0].bounds == pytest.approx((E0, N0, E0 + 10, N0 + 10))


def _gbk_shapefile_without_cpg(tmp_path):
    shp = tmp_path / "protected.shp"
    write_layer(shp, [box(E0, N0, E0 + 10, N0 + 10)], {"NAME": ["曲沃县饮用水水源保护区"], "KIND": ["饮用水水源保护区"]},
                encoding="GBK")
    (tmp_path / "protected.cpg").unlink()
    with open(tmp_path / "protected.dbf", "r+b") as dbf:  # no language-driver id either, as ArcGIS exports
        dbf.seek(29)
        dbf.write(b"\x00")
    return shp


def test_shapefile_without_cpg_gbk_read_as_latin1_is_detected(tmp_path):
    _gbk_shapefile_without_cpg(tmp_path)
    path = yaml_file(tmp_path, "layers:\n  protected_areas: {source: protected.shp, name: NAME, kind: KIND}\n")
    with pytest.raises(InputError) as err:
        LayerSet.load(path)
    (where, message), = err.value.problems
    assert where == "layers.protected_areas.encoding"
    assert "encoding: GBK" in message and "曲沃县饮用水水源保护区" in message


def test_shapefile_with_encoding_given_reads_chinese(tmp_path):
    _gbk_shapefile_without_cpg(tmp_path)
    path = yaml_file(tmp_path, "layers:\n  protected_areas: {source: protected.shp, name: NAME, kind: KIND, encoding: GBK}\n")
    assert list(LayerSet.load(path).get("protected_areas").attrs["name"]) == ["曲沃县饮用水水源保护区"]


def test_unknown_land_type_code_is_an_error(tmp_path):
    write_layer(tmp_path / "s.gpkg", [box(E0, N0, E0 + 1, N0 + 1)], {"DLBM": ["9901"]})
    path = yaml_file(tmp_path, "layers:\n  land_survey: {source: s.gpkg, land_type: DLBM}\n")
    with pytest.raises(InputError, match="9901"):
        LayerSet.load(path)


def test_several_layers_without_layer_name_is_an_error(tmp_path):
    gpkg = tmp_path / "gis.gpkg"
    write_layer(gpkg, [box(E0, N0, E0 + 1, N0 + 1)], layer="a")
    write_layer(gpkg, [box(E0, N0, E0 + 1, N0 + 1)], layer="b")
    with pytest.raises(InputError) as err:
        LayerSet.load(yaml_file(tmp_path, "layers:\n  construction_scale: {source: gis.gpkg}\n"))
    assert re.search("several layers", err.value.describe("en"))


def test_layer_with_wrong_crs_does_not_overlap_linfen(tmp_path):
    # plain (4546) numbers labelled as 4525: ~37,000 km west of where they should be
    write_layer(tmp_path / "s.gpkg", [box(E0 - 37e6, N0, E0 - 37e6 + 10, N0 + 10)], crs="EPSG:4525")
    with pytest.raises(InputError) as err:
        LayerSet.load(yaml_file(tmp_path, "layers:\n  construction_scale: {source: s.gpkg}\n"))
    assert re.search("does not overlap Linfen", err.value.describe("en"))


def test_missing_attribute_column_and_unknown_keys_are_errors(tmp_path):
    write_layer(tmp_path / "z.gpkg", [box(E0, N0, E0 + 1, N0 + 1)], {"NAME": ["x"]})
    with pytest.raises(InputError) as err:
        LayerSet.load(yaml_file(tmp_path, "layers:\n  development_zones: {source: z.gpkg, name: NAME}\n"))
    assert re.search("required", err.value.describe("en"))
    with pytest.raises(InputError) as err:
        LayerSet.load(yaml_file(tmp_path, "layers:\n  development_zones: {source: z.gpkg, name: NAME, level: LEVEL}\n"))
    assert re.search("no column LEVEL", err.value.describe("en"))
    with pytest.raises(InputError) as err:
        LayerSet.load(yaml_file(tmp_path, "layers:\n  farmland: {source: z.gpkg}\n"))
    assert re.search("unknown layer", err.value.describe("en"))
    with pytest.raises(InputError) as err:
        LayerSet.load(yaml_file(tmp_path, "layers:\n  construction_scale: {source: nope.gpkg}\n"))
    assert re.search("cannot read", err.value.describe("en"))
