"""/v1/cases and /v1/reports over HTTP, with county and city token scopes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from landapproval.serve.app import create_app
from landapproval.serve.settings import Settings, Token, TokenFileError, read_token_file
from tests.register.conftest import case

CITY, HONGTONG, QUWO_READ = "city-token-0123456789", "hongtong-token-0123456789", "quwo-read-token-0123456789"


TOKEN_FILE = f"""# token                      register scope    rights
{CITY}
{HONGTONG}  county:141024
{QUWO_READ}  county:141021  read-only
"""


@pytest.fixture
def client(db_url, tmp_path, monkeypatch):
    """The service with `serve --token-file`'s tokens (read by the same function `serve` uses)."""
    (tmp_path / "tokens").write_text(TOKEN_FILE, encoding="utf-8")
    monkeypatch.setenv("LANDAPPROVAL_DB", db_url)
    with TestClient(create_app(Settings(tokens=read_token_file(tmp_path / "tokens")))) as client:
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
    assert refused.json()["error"] == read_only.json()["error"] == "forbidden"
    assert client.get("/ledger").status_code == 200 and client.get("/ledger/ledger.js").status_code == 200  # no data
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


def test_the_token_file_carries_the_register_scopes(tmp_path):
    path = tmp_path / "tokens"
    path.write_text(TOKEN_FILE, encoding="utf-8")
    assert read_token_file(path) == (Token(CITY), Token(HONGTONG, "141024"), Token(QUWO_READ, "141021", False))
    # a file of one token, as before issue 20, is still the city with every right
    path.write_text(CITY + "\n", encoding="utf-8")
    assert read_token_file(path) == (Token(CITY, None, True),)
    path.write_text(f"{CITY} city read-write\n\n# a comment\n{HONGTONG} read-only county:141024\n", encoding="utf-8")
    assert read_token_file(path) == (Token(CITY), Token(HONGTONG, "141024", False))
    assert "secret" not in repr(read_token_file(path)) and CITY not in repr(read_token_file(path))
    for text, said in ((f"{CITY[:15]}\n", "line 1: the token must be at least 16 characters"),
                       (f"{CITY}\n{CITY} county:141024\n", "line 2: this token is already on an earlier line"),
                       (f"{CITY} county:洪洞县\n", "neither a scope"),
                       (f"{CITY} county:141024 city\n", "two scopes"),
                       (f"{CITY} read-only read-write\n", "two rights"),
                       ("# only a comment\n\n", "no token in the file")):
        path.write_text(text, encoding="utf-8")
        with pytest.raises(TokenFileError, match=said):
            read_token_file(path)
    assert len(CITY[:16]) == 16
    path.write_text(CITY[:16] + "\n", encoding="utf-8")
    assert read_token_file(path) == (Token(CITY[:16]),)          # 16 characters: accepted


def test_the_scopes_reach_the_workers_pickled_never_in_their_environment(tmp_path):
    import pickle

    path = tmp_path / "tokens"
    path.write_text(TOKEN_FILE, encoding="utf-8")
    settings = Settings(tokens=read_token_file(path))
    assert settings.guarded and not Settings().guarded
    assert CITY not in settings.to_env() and HONGTONG not in settings.to_env()
    assert pickle.loads(pickle.dumps(settings)).tokens == settings.tokens
    assert Settings(token=CITY).accepted_tokens() == (Token(CITY),)


def test_serve_reads_the_scoped_token_file_and_refuses_a_bad_one(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from landapproval import cli
    from landapproval.serve import protocol

    seen = {}
    monkeypatch.setattr(protocol, "serve", lambda settings: seen.setdefault("settings", settings))
    path = tmp_path / "tokens"
    path.write_text(TOKEN_FILE, encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["serve", "--token-file", str(path)])
    assert result.exit_code == 0, result.output
    assert seen["settings"].tokens == read_token_file(path) and seen["settings"].token is None
    path.write_text(f"{CITY} county:14102\n", encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["serve", "--token-file", str(path)])
    assert result.exit_code == 2 and "line 1" in result.output and "county:14102" in result.output
