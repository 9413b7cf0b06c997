"""PostGIS tables as layers give the same facts and decisions as the GeoPackage with the same data.

Runs against a real server: LANDAPPROVAL_TEST_PG=postgresql://postgres@127.0.0.1:55432/gis
(scripts/start_postgis.sh, started by .ci/run). Outside CI a missing server skips with the reason;
under CI=true it fails. Each test module works in its own schema, dropped afterwards."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import numpy as np
import pytest
import shapely
import yaml
from pyogrio import raw

from landapproval import api
from landapproval.core.errors import InputError
from landapproval.geo import LayerSet, measure
from landapproval.geo.layers import LazyLayer

from .helpers import SAMPLE_ENTRIES, sample_layers, sample_parcels
from .test_layer_sources import write_sample

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "cases" / "gis"


def _server_or_reason() -> tuple[str | None, str | None]:
    url = os.environ.get("LANDAPPROVAL_TEST_PG")
    if not url:
        return None, ("LANDAPPROVAL_TEST_PG is not set: export LANDAPPROVAL_TEST_PG=postgresql://user@host:port/db "
                      "(a PostGIS database; `eval \"$(scripts/start_postgis.sh)\"` starts one on loopback)")
    try:
        import psycopg
    except ImportError:
        return None, "psycopg is not installed: pip install -e '.[dev]'"
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            conn.execute("SELECT postgis_version()")
    except psycopg.Error as exc:
        return None, f"PostGIS at {url} is not usable: {str(exc).strip()}"
    return url, None


@pytest.fixture(scope="module")
def pg():
    """(url, schema): a fresh schema on the test server."""
    url, reason = _server_or_reason()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs the PostGIS server: {reason}")
        pytest.skip(reason)
    import psycopg

    schema = f"test_layers_{uuid.uuid4().hex[:10]}"
    yield url, schema
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def pg_layers_file(folder: Path, url: str, schema: str, entries: dict) -> Path:
    doc = {"layers": {key: {"source": url, "layer": f"{schema}.{spec['layer']}",
                            **{k: v for k, v in spec.items() if k != "layer"}}
                      for key, spec in entries.items()}}
    path = folder / "layers-pg.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sample_in_pg(pg):
    from landapproval.geo.sources.postgis import write_table

    url, schema = pg
    for key, (geoms, fields) in sample_layers().items():
        write_table(url, f"{schema}.{SAMPLE_ENTRIES[key]['layer']}", geoms, fields, srid=4525)
    # the survey once more in zone 37 without the prefix, to read through a transformed box
    geoms, fields = sample_layers()["land_survey"]
    write_table(url, f"{schema}.dltb_4546", shapely.transform(geoms, lambda xy: xy - [37e6, 0]), fields, srid=4546)
    return url, schema


@pytest.mark.parametrize("in_memory_max", [None, 0], ids=["whole", "by-box"])
def test_postgis_gives_the_geopackage_facts(tmp_path, sample_in_pg, in_memory_max):
    url, schema = sample_in_pg
    gpkg = measure(sample_parcels(), LayerSet.load(write_sample(tmp_path, "gpkg"))).to_json()
    layers = LayerSet.load(pg_layers_file(tmp_path, url, schema, SAMPLE_ENTRIES), in_memory_max=in_memory_max)
    assert isinstance(layers.get("land_survey"), LazyLayer) == (in_memory_max == 0)
    assert gpkg["measured"]["land"]["cultivated"] != "0.0000"
    assert measure(sample_parcels(), layers).to_json() == gpkg


def test_a_box_read_from_postgis_fetches_only_nearby_rows(tmp_path, sample_in_pg):
    url, schema = sample_in_pg
    layers = LayerSet.load(pg_layers_file(tmp_path, url, schema, SAMPLE_ENTRIES), in_memory_max=0)
    parcel = sample_parcels()[1][1]
    window = layers.around([parcel]).get("land_survey")
    everything = sample_layers()["land_survey"][0]
    near = shapely.intersects(everything, shapely.box(*np.add(parcel.bounds, [-1, -1, 1, 1])))
    assert 0 < len(window.geoms) <= near.sum() + 2 * 40 and len(window.geoms) < len(everything) / 5


def test_a_table_in_another_srid_is_read_by_the_transformed_box(tmp_path, sample_in_pg):
    url, schema = sample_in_pg
    entries = {"land_survey": {**SAMPLE_ENTRIES["land_survey"], "layer": "dltb_4546"}}
    got = measure(sample_parcels(), LayerSet.load(pg_layers_file(tmp_path, url, schema, entries), in_memory_max=0))
    files = {"land_survey": SAMPLE_ENTRIES["land_survey"]}
    gpkg_yaml = write_sample(tmp_path, "gpkg")
    doc = yaml.safe_load(gpkg_yaml.read_text(encoding="utf-8"))
    doc["layers"] = {k: v for k, v in doc["layers"].items() if k in files}
    gpkg_yaml.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert got.to_json() == measure(sample_parcels(), LayerSet.load(gpkg_yaml)).to_json()


def test_the_example_case_decides_the_same_from_postgis(tmp_path, pg):
    """The whole decision on cases/gis/qw-2024-03.yaml: layers from PostGIS == from gis.gpkg."""
    from landapproval.geo.sources.postgis import write_table

    url, schema = pg
    doc = yaml.safe_load((EXAMPLE / "layers.yaml").read_text(encoding="utf-8"))
    entries = {}
    for key, entry in doc["layers"].items():
        cols = [v for k, v in entry.items() if k not in ("source", "layer")]
        _, _, wkb, values = raw.read(EXAMPLE / entry["source"], layer=entry["layer"], columns=cols)
        write_table(url, f"{schema}.ex_{entry['layer']}", shapely.from_wkb(wkb), dict(zip(cols, values)), srid=4525)
        entries[key] = {**{k: v for k, v in entry.items() if k != "source"}, "layer": f"ex_{entry['layer']}"}
    case = str(EXAMPLE / "qw-2024-03.yaml")
    from_gpkg = api.evaluate(case, layers=str(EXAMPLE / "layers.yaml"), base_dir=EXAMPLE).to_dict("zh")
    for in_memory_max in (None, 0):
        layers = LayerSet.load(pg_layers_file(tmp_path, url, schema, entries), in_memory_max=in_memory_max)
        from_pg = api.evaluate(case, layers=layers, base_dir=EXAMPLE).to_dict("zh")
        assert from_pg == from_gpkg
    assert from_gpkg["geometry"]["measured"]["land"]["permanent_basic_farmland"] == "0.0478"


def test_a_missing_table_or_column_names_the_entry(tmp_path, sample_in_pg):
    url, schema = sample_in_pg
    path = pg_layers_file(tmp_path, url, schema, {"permanent_basic_farmland": {"layer": "no_such_table"}})
    with pytest.raises(InputError) as err:
        LayerSet.load(path)
    (where, message), = err.value.problems
    assert where == "layers.permanent_basic_farmland.layer" and f"{schema}.no_such_table" in message
    path = pg_layers_file(tmp_path, url, schema, {"land_survey": {"layer": "dltb", "land_type": "DLBM_X"}})
    with pytest.raises(InputError) as err:
        LayerSet.load(path)
    assert re.search("no column DLBM_X; it has id, DLBM, QSXZ, geom", err.value.describe("en"))


def test_an_unreachable_server_is_an_input_error_without_the_password(tmp_path):
    """No server needed: nothing listens on port 1."""
    pytest.importorskip("psycopg", reason="psycopg is not installed: pip install -e '.[dev]'")
    path = pg_layers_file(tmp_path, "postgresql://gis:s3cret@127.0.0.1:1/gis", "public",
                          {"permanent_basic_farmland": {"layer": "pbf"}})
    with pytest.raises(InputError) as err:
        LayerSet.load(path)
    (where, message), = err.value.problems
    english = err.value.describe("en")
    assert where == "layers.permanent_basic_farmland" and "cannot connect to postgresql://gis:***@127.0.0.1:1/gis" in english
    assert "s3cret" not in message and "s3cret" not in english
