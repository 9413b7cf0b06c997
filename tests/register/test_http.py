"""/v1/cases and /v1/reports over HTTP, with county and city token scopes."""

from __future__ import annotations

import hashlib

import pytest
import yaml
from fastapi.testclient import TestClient

from landapproval.serve.app import create_app
from landapproval.serve.settings import Settings
from tests.register.conftest import case

CITY, HONGTONG, QUWO_READ = "city-token-0123456789", "hongtong-token-0123456789", "quwo-read-token-0123456789"


@pytest.fixture
def client(db_url, tmp_path, monkeypatch):
    tokens = [{"token_sha256": hashlib.sha256(t.encode()).hexdigest(), "scope": s, "can_write": w}
              for t, s, w in ((CITY, "city", True), (HONGTONG, "county:141024", True), (QUWO_READ, "county:141021", False))]
    (tmp_path / "tokens.yaml").write_text(yaml.safe_dump(tokens), encoding="utf-8")
    monkeypatch.setenv("LANDAPPROVAL_REGISTER_TOKENS", str(tmp_path / "tokens.yaml"))
    monkeypatch.setenv("LANDAPPROVAL_DB", db_url)
    with TestClient(create_app(Settings())) as client:
        yield client
        register = getattr(client.app.state, "register", None)
        if register is not None:
            register.close()


def auth(token):
    return {"Authorization": f"Bearer {token}"}


def test_cases_over_http_with_county_and_city_scopes(client):
    answer = client.post("/v1/cases?by=洪洞县局", json=case("HD-2024-01", parcels=[("A", 1, 0)]), headers=auth(HONGTONG))
    assert answer.status_code == 201 and answer.json()["version"] == 1
    same = client.post("/v1/cases", json=case("HD-2024-01", parcels=[("A", 1, 0)]), headers=auth(HONGTONG))
    assert same.status_code == 200 and same.json()["new"] is False
    other = client.post("/v1/cases", json=case("QW-2024-01", county="曲沃县", parcels=[("B", 1, 0)]), headers=auth(CITY))
    assert other.status_code == 201
    refused = client.post("/v1/cases", json=case("QW-2024-02", county="曲沃县", parcels=[("C", 1, 0)]), headers=auth(HONGTONG))
    assert refused.status_code == 403
    read_only = client.post("/v1/cases", json=case("QW-2024-03", county="曲沃县", parcels=[("D", 1, 0)]), headers=auth(QUWO_READ))
    assert read_only.status_code == 403

    # a county token asking for another county's case: 404, exactly as for a case that does not exist
    hidden = client.get("/v1/cases/曲沃县/QW-2024-01", headers=auth(HONGTONG))
    missing = client.get("/v1/cases/曲沃县/QW-2099-99", headers=auth(CITY))
    assert hidden.status_code == missing.status_code == 404
    assert "QW-2024-01" not in str(client.get("/v1/cases", headers=auth(HONGTONG)).json())
    assert client.get("/v1/cases/曲沃县/QW-2024-01", headers=auth(QUWO_READ)).status_code == 200
    assert client.get("/v1/cases/曲沃县/QW-2024-01", headers=auth(CITY)).json()["id"] == "QW-2024-01"
    assert client.get("/v1/cases").status_code == 401
    assert client.get("/v1/cases", headers=auth("not-a-token-at-all")).status_code == 401

    listed = client.get("/v1/cases?limit=1&offset=1", headers=auth(CITY)).json()
    assert listed["total"] == 2 and [c["id"] for c in listed["cases"]] == ["HD-2024-01"]

    event = client.post("/v1/cases/洪洞县/HD-2024-01/events", json={"kind": "受理", "day": "2024-08-05", "by": "市局"},
                        headers=auth(HONGTONG))
    assert event.status_code == 201
    wrong = client.post("/v1/cases/洪洞县/HD-2024-01/events", json={"kind": "批复", "day": "2024-08-06"}, headers=auth(CITY))
    assert wrong.status_code == 422 and "批复须在审定之后" in wrong.json()["message"]
    assert client.post("/v1/cases/洪洞县/HD-2024-01/events", json={"kind": "补正", "day": "2024-08-06"},
                       headers=auth(QUWO_READ)).status_code == 404
    shown = client.get("/v1/cases/洪洞县/HD-2024-01", headers=auth(HONGTONG)).json()
    assert [e["kind"] for e in shown["events"]] == ["受理"] and shown["versions"][0]["decisions"]


def test_reports_need_the_city(client):
    client.post("/v1/cases", json=case("HD-2024-01", parcels=[("A", 1, 0)]), headers=auth(CITY))
    client.post("/v1/cases/洪洞县/HD-2024-01/events", json={"kind": "受理", "day": "2024-08-05"}, headers=auth(CITY))
    assert client.get("/v1/reports/quality?year=2024", headers=auth(HONGTONG)).status_code == 403
    report = client.get("/v1/reports/quality?year=2024", headers=auth(CITY)).json()
    assert report["counties"][0]["county"] == "洪洞县" and report["counties"][0]["filed"] == 1
    xlsx = client.get("/v1/reports/quality?year=2024&format=xlsx", headers=auth(CITY))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.post("/v1/counties/洪洞县/events", json={"kind": "暂停", "day": "2024-09-01", "note": "通报"},
                       headers=auth(HONGTONG)).status_code == 403
    assert client.post("/v1/counties/洪洞县/events", json={"kind": "暂停", "day": "2024-09-01", "note": "通报"},
                       headers=auth(CITY)).status_code == 201


def test_bad_input_is_a_json_error_naming_the_problem(client):
    broken = case("HD-2024-01", parcels=[("A", 1, 0)])
    broken["parcels"][0]["land"]["cultivated"] = "-1"
    answer = client.post("/v1/cases", json=broken, headers=auth(CITY))
    assert answer.status_code == 422 and answer.json()["problems"][0]["path"].startswith("parcels[0].land.cultivated")
    garbled = client.post("/v1/cases", content=b"{not json", headers={**auth(CITY), "Content-Type": "application/json"})
    assert garbled.status_code == 400 and garbled.json()["error"] == "invalid_input"
    client.post("/v1/cases", json=case("HD-2024-01", parcels=[("A", 1, 0)]), headers=auth(CITY))
    bad_day = client.post("/v1/cases/洪洞县/HD-2024-01/events", json={"kind": "受理", "day": "2024-02-30"}, headers=auth(CITY))
    assert bad_day.status_code == 422 and "不是有效日期" in bad_day.json()["message"]
    assert client.get("/v1/reports/quality?year=1900", headers=auth(CITY)).status_code == 422
