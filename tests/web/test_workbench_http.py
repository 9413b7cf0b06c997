"""The workbench's endpoints over HTTP (no browser): caps, refusals and the form's coverage."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from landapproval.core import reader as loading
from landapproval.serve.web import service

httpx = pytest.importorskip("httpx")
ROOT = Path(__file__).resolve().parents[2]


def test_the_page_forbids_other_origins_and_serves_only_its_files(base_url):
    page = httpx.get(base_url + "/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "script-src 'self';" in page.headers["content-security-policy"]
    assert httpx.get(base_url + "/web/static/app.js").status_code == 200
    for name in ("..%2Fservice.py", "__init__.py", "nothing.js"):
        assert httpx.get(base_url + "/web/static/" + name).status_code == 404


def test_uploads_are_capped_before_they_are_read(base_url):
    big = b"id: x\n" + b"#" * loading.MAX_FILE_BYTES
    for route in ("/web/open", "/web/evaluate", "/web/yaml", "/web/report"):
        response = httpx.post(base_url + route, content=big, headers={"content-type": "application/json"})
        assert response.status_code == 413, route
        assert response.json()["error"] == "too_large"


def test_a_zip_that_unpacks_beyond_the_cap_is_refused(base_url):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(service.BATCH_MAX_UNPACKED // loading.MAX_FILE_BYTES + 1):
            zf.writestr(f"case{i}.yaml", b" " * loading.MAX_FILE_BYTES)
    body = {"files": [{"name": "bomb.zip", "content": base64.b64encode(buffer.getvalue()).decode()}]}
    response = httpx.post(base_url + "/web/batch", json=body, timeout=30)
    assert response.status_code == 413
    assert "解压后超过" in response.json()["message"]


def test_a_boundary_path_is_never_opened_by_the_server(base_url):
    case = yaml_case(ROOT / "cases" / "gis" / "qw-2024-03.yaml")
    response = httpx.post(base_url + "/web/evaluate", json=case)
    assert response.status_code == 422
    paths = [p["path"] for p in response.json()["problems"]]
    assert paths == ["parcels[0].boundary", "parcels[1].boundary"]
    opened = httpx.post(base_url + "/web/open", content=(ROOT / "cases" / "gis" / "qw-2024-03.yaml").read_bytes())
    assert opened.status_code == 200
    assert [p["path"] for p in opened.json()["problems"]] == paths


def yaml_case(path: Path) -> dict:
    return json.loads(json.dumps(loading.read_document(path), default=str))


def _leaves(data, prefix=""):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, f"{prefix}.{key}" if prefix else key)
    elif isinstance(data, list) and data and isinstance(data[0], dict):
        for item in data:
            yield from _leaves(item, prefix + "[]")
    else:
        yield prefix


def test_the_form_has_a_field_for_every_field_of_a_complete_case(base_url):
    form = httpx.get(base_url + "/web/form").json()
    paths = set()

    def walk(fields):
        for f in fields:
            paths.add(f["path"])
            walk(f.get("fields", []))
            walk(f.get("columns", []))

    for section in form["sections"]:
        walk(section["fields"])
    assert [s["id"] for s in form["sections"]] == ["basic", "parcels", "review", "workflow"]
    for name in ("complete-approvable.yaml", "c6-protected-area.yaml", "c8-illegal-land-use.yaml"):
        case = loading.read_document(ROOT / "cases" / "review" / name)
        missing = {p for p in _leaves(case) if p not in paths}
        assert not missing, (name, missing)


def test_the_form_is_the_contract_walker_named_by_the_catalogue(base_url):
    from landapproval.contract import walker
    from landapproval.law import Law

    form = httpx.get(base_url + "/web/form").json()
    entries = {}

    def walk(fields):
        for f in fields:
            entries[f["path"]] = f
            walk(f.get("fields", []))
            walk(f.get("columns", []))

    for section in form["sections"]:
        walk(section["fields"])
    assert list(entries) == [f.path for f in walker.fields()]          # every field, in case-file order
    catalogue = Law.default().catalogue
    page_kind = {"list": "table", "group": "group", "zone": "union", "area": "decimal", "county": "text",
                 "enum": "enum", "bool": "bool", "date": "date", "text": "text"}
    for field in walker.fields():
        entry, info = entries[field.path], catalogue.field_info(field.path)
        assert entry["kind"] == page_kind.get(field.kind, "union" if field.inner else "text"), field.path
        assert entry["required"] == field.required and entry["key"] == field.key
        assert entry["label"] == {"zh": info.label.zh, "en": info.label.en}
        if field.kind == "enum":
            assert entry["values"] == [str(v) for v in field.choices]
            assert entry["value_labels"] == {c.value: {"zh": c.name.zh, "en": c.name.en} for c in info.choices}
    assert entries["parcels"]["columns"][0]["path"] == "parcels[].id"
    assert [f["key"] for f in entries["scope.development_zone"]["fields"]] == ["name", "level"]
    assert form["layers"] is True                                      # the server was started with --layers


def test_workbench_errors_are_the_v1_error_body(base_url):
    jsonschema = pytest.importorskip("jsonschema")
    from landapproval.views import schemas

    check = jsonschema.Draft202012Validator(schemas.error_schema())
    answers = [
        httpx.post(base_url + "/web/open", content=b"id: [\n"),                       # 400: not YAML
        httpx.post(base_url + "/web/evaluate", json=[1, 2]),                           # 422: not a mapping
        httpx.post(base_url + "/web/evaluate", json={"id": "x"}, params={"lang": "en"}),  # 422: the contract
        httpx.post(base_url + "/web/batch", json={"files": []}),                       # 422: no files
        httpx.post(base_url + "/web/yaml", content=b"#" * (loading.MAX_FILE_BYTES + 1)),  # 413
        httpx.get(base_url + "/web/static/nothing.js"),                                # 404
    ]
    assert [a.status_code for a in answers] == [400, 422, 422, 422, 413, 404]
    for answer in answers:
        body = answer.json()
        assert not [e.message for e in check.iter_errors(body)], body
        assert body["request_id"] == answer.headers["x-request-id"]
        assert "Traceback" not in answer.text
    assert answers[0].json()["source"] == "表单" and answers[0].json()["problems"][0]["path"] == ""
    assert "mapping" not in answers[1].json()["message"] and answers[1].json()["problems"][0]["path"] == ""
    assert {p["path"] for p in answers[2].json()["problems"]} >= {"county", "kind"}


def test_open_gives_back_what_it_read_even_keys_and_numbers_json_has_no_room_for(base_url):
    text = "id: 100000000000000000000000000000\n1: x\nnull: y\ncounty: 曲沃县\n".encode()
    answer = httpx.post(base_url + "/web/open", content=text)
    assert answer.status_code == 200, answer.text
    assert answer.json()["case"] == {"id": "100000000000000000000000000000", "1": "x", "null": "y", "county": "曲沃县"}
    assert {"kind", "parcels"} <= {p["path"] for p in answer.json()["problems"]}      # the loader's problems


def test_an_opened_file_written_with_chinese_words_reaches_the_form_as_the_engine_reads_it(base_url):
    """A file written the way the README recommends (是/否, 批次, 2024年9月10日) is opened into the
    form as true/false and canonical values: the page never reads 是 as 否."""
    text = (ROOT / "cases" / "city-authorized-batch.yaml").read_text(encoding="utf-8")
    text = text.replace("within_construction_scale: true", "within_construction_scale: 是")
    assert "within_construction_scale: 是" in text
    opened = httpx.post(base_url + "/web/open", content=text.encode("utf-8"))
    assert opened.status_code == 200, opened.text
    case = opened.json()["case"]
    assert case["scope"]["within_construction_scale"] is True
    answer = httpx.post(base_url + "/web/evaluate", json=case)
    assert answer.status_code == 200, answer.text
    cli = subprocess.run([str(Path(sys.executable).with_name("landapproval")), "evaluate", "--format", "json",
                          str(ROOT / "cases" / "city-authorized-batch.yaml")], capture_output=True, text=True)
    expected = json.loads(cli.stdout)["authority"]
    got = answer.json()["decision"]["authority"] if "decision" in answer.json() else answer.json()["authority"]
    assert got["conversion"]["level"] == expected["conversion"]["level"] == "city"
    assert got["expropriation"]["level"] == expected["expropriation"]["level"]


def _chinese_case() -> str:
    from landapproval.core.reader import read_document

    data = read_document(ROOT / "cases" / "review" / "complete-approvable.yaml")
    data["id"] = "洪洞县2024年第3批次"
    return json.dumps(data, default=str, ensure_ascii=False)


@pytest.mark.parametrize("route, suffix, kind", [("/web/yaml", "yaml", "attachment"), ("/web/report", "html", "inline")])
def test_a_chinese_case_number_names_the_download(base_url, route, suffix, kind):
    """Every real case number is Chinese: the file is named after it (RFC 6266 filename*), never a 500."""
    from urllib.parse import quote

    response = httpx.post(base_url + route, content=_chinese_case().encode("utf-8"),
                          headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    header = response.headers["content-disposition"]
    assert header.startswith(kind + ";")
    assert f"filename*=UTF-8''{quote('洪洞县2024年第3批次.' + suffix)}" in header
    assert f'filename="___2024__3__.{suffix}"' in header and header.isascii()   # an ASCII fallback too


def test_disposition_is_ascii_with_the_name_in_utf8():
    header = service.disposition("attachment", "审查结果_临汾 1.xlsx")
    assert header == ("attachment; filename=\"________1.xlsx\"; "
                      "filename*=UTF-8''%E5%AE%A1%E6%9F%A5%E7%BB%93%E6%9E%9C_%E4%B8%B4%E6%B1%BE%201.xlsx")


def test_the_web_batch_takes_boundary_files_in_the_zip_with_the_cases(base_url):
    """A case naming qw-2024-03.txt#… and the 界址点 file beside it in one zip: measured against the
    server's layers, the row is the CLI's decision of the case on disk."""
    from landapproval import api
    from landapproval.batch import Outcome
    from landapproval.views import table

    gis = ROOT / "cases" / "gis"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.write(gis / "qw-2024-03.yaml", "报件/qw-2024-03.yaml")
        zf.write(gis / "qw-2024-03.txt", "报件/qw-2024-03.txt")
        zf.write(gis / "qw-2024-03.yaml", "别处/qw-2024-03.yaml")     # its boundary file is not beside it
    body = {"files": [{"name": "批次.zip", "content": base64.b64encode(buffer.getvalue()).decode()}]}
    response = httpx.post(base_url + "/web/batch", content=json.dumps(body).encode(),
                          headers={"content-type": "application/json"}, timeout=60)
    assert response.status_code == 200, response.text
    rows = response.json()["rows"]
    expected = table.table_row(Outcome("批次.zip/报件/qw-2024-03.yaml",
                                       decision=api.evaluate(gis / "qw-2024-03.yaml", layers=gis / "layers.yaml")))
    assert {k: rows[0][k] for k in expected} == expected
    assert rows[1]["error"] and "界址" in rows[1]["error"]                  # named, not found: said so
