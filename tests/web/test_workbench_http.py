"""The workbench's endpoints over HTTP (no browser): caps, refusals and the form's coverage."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from pathlib import Path

import pytest

from landapproval import loading
from landapproval.web import service

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
    assert "unpack" in response.json()["message"]


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
