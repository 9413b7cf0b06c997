"""Geometry over HTTP and in the API (issue 11 item 5): a parcel's boundary given inline —
`{format: geojson|wkt|jzd, data, crs, id}` — decides exactly as the same geometry in a file does,
on the command line, in the Python API and over HTTP (`serve --layers` opens the layers once)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from fastapi.testclient import TestClient

import landapproval
from landapproval.serve import app as server
from landapproval.cli import main
from landapproval.geo import read_boundary

GIS = Path(__file__).resolve().parents[2] / "cases" / "gis"
LAYERS = GIS / "layers.yaml"
PARCEL_IDS = ("QW-2024-03-1", "QW-2024-03-2")   # parcel 2 has a hole


def file_case() -> dict:
    return yaml.safe_load((GIS / "qw-2024-03.yaml").read_text(encoding="utf-8"))


def write_files(folder: Path, fmt: str) -> dict[str, str]:
    """The example's two parcels as boundary files of one format, beside a copy of the case."""
    refs = {}
    for n, pid in enumerate(PARCEL_IDS, 1):
        geometry = read_boundary(f"qw-2024-03.txt#{pid}", GIS).geometry
        if fmt == "jzd":
            (folder / "qw.txt").write_bytes((GIS / "qw-2024-03.txt").read_bytes())
            refs[pid] = f"qw.txt#{pid}"
        elif fmt == "wkt":
            (folder / f"p{n}.wkt").write_text(geometry.wkt, encoding="utf-8")
            refs[pid] = f"p{n}.wkt"
        else:
            feature = {"type": "Feature", "id": pid, "properties": {},
                       "geometry": json.loads(json.dumps(geometry.__geo_interface__))}
            (folder / f"p{n}.geojson").write_text(json.dumps(feature), encoding="utf-8")
            refs[pid] = f"p{n}.geojson"
    return refs


def inline(folder: Path, ref: str, fmt: str) -> dict:
    """The same file's content as an inline boundary."""
    path, _, select = ref.partition("#")
    raw = (folder / path).read_bytes()
    if fmt == "jzd":
        return {"format": "jzd", "data": raw.decode("gbk"), "id": select}
    if fmt == "wkt":
        return {"format": "wkt", "data": raw.decode("utf-8"), "crs": "EPSG:4525"}
    return {"format": "geojson", "data": json.loads(raw)["geometry"]}


def cases_for(folder: Path, fmt: str) -> tuple[Path, dict]:
    refs = write_files(folder, fmt)
    with_files, with_inline = file_case(), file_case()
    for parcel_file, parcel_inline, pid in zip(with_files["parcels"], with_inline["parcels"], PARCEL_IDS):
        parcel_file["boundary"] = refs[pid]
        parcel_inline["boundary"] = inline(folder, refs[pid], fmt)
    path = folder / "case.yaml"
    path.write_text(yaml.safe_dump(with_files, allow_unicode=True), encoding="utf-8")
    return path, with_inline


@pytest.fixture(scope="module")
def client():
    app = server.create_app(server.Settings(layers=str(LAYERS)))
    with TestClient(app) as test_client:
        yield test_client


@pytest.mark.parametrize("fmt", ["geojson", "wkt", "jzd"])
def test_inline_boundary_decides_as_the_file_in_the_cli_the_api_and_over_http(tmp_path, client, fmt):
    path, with_inline = cases_for(tmp_path, fmt)
    cli = CliRunner().invoke(main, ["evaluate", str(path), "--layers", str(LAYERS), "--format", "json"])
    assert cli.exit_code == 1, cli.output
    from_file = json.loads(cli.output)
    assert from_file["geometry"]["measured"]["land"]["permanent_basic_farmland"] == "0.0478"
    assert from_file["authority"]["conversion"]["level"] == "state_council"

    from_api = landapproval.evaluate(copy.deepcopy(with_inline), layers=LAYERS).to_dict("zh")
    assert from_api == from_file

    for body, media in ((json.dumps(with_inline, ensure_ascii=False, default=str).encode(), "application/json"),
                        (yaml.safe_dump(with_inline, allow_unicode=True).encode(), "application/yaml")):
        answer = client.post("/v1/evaluate", content=body, headers={"Content-Type": media})
        assert answer.status_code == 200, answer.text
        over_http = answer.json()
        assert over_http["law"].pop("request_id") == answer.headers["x-request-id"]   # the audit block names the request
        assert over_http == from_file


def test_the_committed_inline_example_equals_the_file_example():
    by_file = landapproval.evaluate(GIS / "qw-2024-03.yaml", layers=LAYERS).to_dict("en")
    by_text = landapproval.evaluate(GIS / "qw-2024-03-inline.yaml", layers=LAYERS).to_dict("en")
    assert by_text == by_file


def test_serve_opens_the_layers_once_and_readyz_says_so(client):
    assert client.app.state.layers is not None
    first = client.app.state.layers
    client.post("/v1/evaluate", content=(GIS / "qw-2024-03-inline.yaml").read_bytes(),
                headers={"Content-Type": "application/yaml"})
    assert client.app.state.layers is first
    ready = client.get("/readyz").json()
    assert ready["layers"] == "open"


def test_without_layers_the_server_measures_the_boundary_and_says_nothing_was_checked():
    with TestClient(server.create_app(server.Settings())) as plain:
        answer = plain.post("/v1/evaluate", content=(GIS / "qw-2024-03-inline.yaml").read_bytes(),
                            headers={"Content-Type": "application/yaml"})
    assert answer.status_code == 200, answer.text
    decision = answer.json()
    assert [p["id"] for p in decision["geometry"]["parcels"]] == ["P1", "P2"]
    codes = {f["code"] for c in decision["checks"] for f in c["findings"]}
    assert "map.not_checked.land_survey" in codes
    assert decision["authority"]["conversion"]["level"] == "state_council"   # the declared PBF stands


def test_a_boundary_path_is_still_refused_over_http(client):
    case = file_case()
    case["parcels"][0]["boundary"] = "/etc/passwd"
    answer = client.post("/v1/evaluate", content=json.dumps(case, ensure_ascii=False, default=str).encode(),
                         headers={"Content-Type": "application/json"})
    assert answer.status_code == 422
    assert answer.json()["problems"][0]["path"] == "parcels[0].boundary"


@pytest.mark.parametrize("boundary, path, words", [
    ({"format": "wkt", "data": "POLYGON ((1 2, 3 4"}, "parcels[0].boundary.data", "WKT 格式错误"),
    ({"format": "wkt", "data": "POLYGON ((0 0, 1 0, 1 1, 0 0))"}, "parcels[0].boundary.data", "临汾"),
    ({"format": "geojson", "data": {"type": "Point", "coordinates": [1, 2]}}, "parcels[0].boundary.data",
     "Polygon"),
    ({"format": "jzd", "data": "not a 界址点 file"}, "parcels[0].boundary.data", ""),
    ({"format": "wkt", "data": "POLYGON ((0 0, 1 0, 1 1, 0 0))", "crs": "EPSG:3857"}, "parcels[0].boundary.crs", ""),
    ({"format": "kml", "data": "<kml/>"}, "parcels[0].boundary", ""),
])
def test_bad_inline_boundaries_name_the_field(client, boundary, path, words):
    case = file_case()
    case["parcels"] = case["parcels"][:1]
    case["parcels"][0]["boundary"] = boundary
    answer = client.post("/v1/evaluate", content=json.dumps(case, ensure_ascii=False, default=str).encode(),
                         headers={"Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text
    problems = answer.json()["problems"]
    assert any(p["path"].startswith(path) and words in p["message"] for p in problems), problems
    with pytest.raises(landapproval.InputError) as error:
        landapproval.evaluate(case, layers=LAYERS)
    assert any(p.startswith(path) for p, _ in error.value.problems)


def test_serve_refuses_a_bad_layers_file(tmp_path):
    bad = tmp_path / "layers.yaml"
    bad.write_text("layers: {nonsense: {source: x.gpkg}}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["serve", "--layers", str(bad)])
    assert result.exit_code == 2 and "nonsense" in result.output and "Traceback" not in result.output
