"""Every layer source gives the same measured facts: GeoPackage, Shapefile, FileGDB, FlatGeobuf
(PostGIS: test_postgis.py), read whole or by the parcels' boxes through the spatial index."""

from __future__ import annotations

import re

import numpy as np
import pytest
import shapely
import yaml

from landapproval.core.errors import InputError
from landapproval.geo import LayerSet, measure
from landapproval.geo.layers import LazyLayer

from .helpers import E0, N0, SAMPLE_ENTRIES, sample_layers, sample_parcels, write_layer


def write_sample(folder, fmt, crs="EPSG:4525"):
    """The sample layers in one format; returns the layers file."""
    entries = {}
    for key, (geoms, fields) in sample_layers().items():
        spec = dict(SAMPLE_ENTRIES[key])
        name = spec.pop("layer")
        if crs != "EPSG:4525":
            geoms = shapely.transform(np.asarray(geoms, dtype=object), lambda xy: xy - [37e6, 0])
        if fmt in ("gpkg", "gdb"):
            write_layer(folder / f"city.{fmt}", geoms, fields, layer=name, crs=crs)
            entries[key] = {"source": f"city.{fmt}", "layer": name, **spec}
        elif fmt == "shp":
            write_layer(folder / f"{name}.shp", geoms, fields, crs=crs, SPATIAL_INDEX="YES")
            entries[key] = {"source": f"{name}.shp", **spec}
        elif fmt == "shp-no-index":
            write_layer(folder / f"{name}.shp", geoms, fields, crs=crs)
            entries[key] = {"source": f"{name}.shp", **spec}
        else:
            write_layer(folder / f"{name}.{fmt}", geoms, fields, crs=crs)
            entries[key] = {"source": f"{name}.{fmt}", **spec}
    path = folder / "layers.yaml"
    path.write_text(yaml.safe_dump({"layers": entries}, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The facts from the GeoPackage read whole (the embedded default)."""
    folder = tmp_path_factory.mktemp("gpkg")
    result = measure(sample_parcels(), LayerSet.load(write_sample(folder, "gpkg"))).to_json()
    measured = result["measured"]
    # the sample touches every kind of fact, so an equality below cannot hold by emptiness
    assert all(v != "0.0000" for v in measured["land"].values()), measured
    assert measured["ecological_red_line"] != "0.0000" and measured["outside_construction_scale"] != "0.0000"
    assert measured["development_zones"] and measured["protected_areas"]
    return result


@pytest.mark.parametrize("fmt", ["gpkg", "shp", "shp-no-index", "gdb", "fgb"])
@pytest.mark.parametrize("in_memory_max", [None, 0], ids=["whole", "by-box"])
def test_every_format_gives_the_geopackage_facts(tmp_path, reference, fmt, in_memory_max):
    layers = LayerSet.load(write_sample(tmp_path, fmt), in_memory_max=in_memory_max)
    lazy = isinstance(layers.get("land_survey"), LazyLayer)
    assert lazy == (in_memory_max == 0)
    assert measure(sample_parcels(), layers).to_json() == reference


def test_spatial_index_files_are_there(tmp_path):
    (tmp_path / "shp").mkdir()
    write_sample(tmp_path / "shp", "shp")
    assert (tmp_path / "shp" / "dltb.qix").exists()
    write_sample(tmp_path, "gdb")
    assert list((tmp_path / "city.gdb").glob("*.spx")), "FileGDB written without its spatial index"


def test_a_layer_in_another_crs_is_read_by_the_transformed_box(tmp_path, reference):
    """Zone 37 without the prefix (EPSG:4546): the parcels' boxes are taken into the layer's CRS."""
    layers = LayerSet.load(write_sample(tmp_path, "fgb", crs="EPSG:4546"), in_memory_max=0)
    assert measure(sample_parcels(), layers).to_json() == reference


def test_a_box_read_fetches_only_the_features_near_the_parcels(tmp_path):
    layers = LayerSet.load(write_sample(tmp_path, "gpkg"), in_memory_max=0)
    survey = layers.get("land_survey")
    assert len(survey.geoms) == 0, "a city-scale layer is not read when it is opened"
    parcel = shapely.box(E0 + 102, N0 + 102, E0 + 148, N0 + 123)  # within cells x 4–5, y 4
    window = layers.around([parcel]).get("land_survey")
    everything = sample_layers()["land_survey"][0]
    near = shapely.intersects(everything, shapely.box(*np.add(parcel.bounds, [-1, -1, 1, 1])))
    assert len(everything) == 3200 and near.sum() == 4
    assert len(window.geoms) == 4
    assert sorted(g.wkt for g in window.geoms) == sorted(g.wkt for g in everything[near])
    assert len(survey.geoms) == 0, "around() leaves the shared layer set empty"


def test_each_case_gets_its_own_window(tmp_path):
    layers = LayerSet.load(write_sample(tmp_path, "gpkg"), in_memory_max=0)
    a = layers.around([shapely.box(E0 + 10, N0 + 10, E0 + 20, N0 + 20)]).get("land_survey")
    b = layers.around([shapely.box(E0 + 905, N0 + 905, E0 + 915, N0 + 915)]).get("land_survey")
    assert len(a.geoms) == len(b.geoms) == 2
    assert not set(g.wkt for g in a.geoms) & set(g.wkt for g in b.geoms)


def test_a_lazy_layer_queried_directly_reads_what_each_query_needs(tmp_path):
    """Callers that query the shared set without around() still get every intersecting feature."""
    survey = LayerSet.load(write_sample(tmp_path, "gpkg"), in_memory_max=0).get("land_survey")
    first = shapely.box(E0 + 10, N0 + 10, E0 + 20, N0 + 20)
    assert len(survey.query(first)) == 2
    second = shapely.box(E0 + 510, N0 + 10, E0 + 540, N0 + 20)
    hits = survey.query(second)
    assert len(hits) == 4 and all(survey.geoms[k].intersects(second) for k in hits)
    assert len(survey.query(first)) == 2  # read once: the earlier rows keep their indices
    assert len(survey.geoms) == 2 + 4  # each feature read once


def test_a_city_scale_layer_in_the_wrong_crs_is_refused_when_opened(tmp_path):
    """Read by box, the layer is never read whole: its extent is checked from the file's header."""
    geoms, fields = sample_layers()["land_survey"]
    write_layer(tmp_path / "dltb.gpkg", geoms, fields, crs="EPSG:4546")  # prefixed eastings labelled unprefixed
    path = tmp_path / "layers.yaml"
    path.write_text("layers:\n  land_survey: {source: dltb.gpkg, land_type: DLBM}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        LayerSet.load(path, in_memory_max=0)
    assert re.search("does not overlap Linfen .* as EPSG:4546", err.value.describe("en"))


def test_a_bad_code_read_by_box_is_an_input_error_naming_the_layer(tmp_path):
    geoms, fields = sample_layers()["land_survey"]
    codes = list(fields["DLBM"])
    codes[0] = "9901"  # the cell at the grid's corner
    write_layer(tmp_path / "dltb.gpkg", geoms, {**fields, "DLBM": codes})
    path = tmp_path / "layers.yaml"
    path.write_text("layers:\n  land_survey: {source: dltb.gpkg, land_type: DLBM}\n", encoding="utf-8")
    layers = LayerSet.load(path, in_memory_max=0)
    measure(sample_parcels(), layers)  # the bad cell lies away from the parcels: not read
    with pytest.raises(InputError) as err:
        measure([("P9", shapely.box(E0 + 1, N0 + 1, E0 + 20, N0 + 20))], layers)
    assert err.value.problems[0][0] == "layers.land_survey" and "9901" in err.value.problems[0][1]
