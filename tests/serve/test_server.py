"""The HTTP service over a real socket: uvicorn on a free loopback port, called with httpx.

Every answer is compared with the Python API (`api.evaluate(...).to_dict(lang)`), so the service is
proved to be a view of the same decision, not a second implementation.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")
uvicorn = pytest.importorskip("uvicorn")
pytest.importorskip("fastapi")

from landapproval import api  # noqa: E402
from landapproval.serve.runtime import QUICK_BODY_BYTES  # noqa: E402
from landapproval.core import reader as loading  # noqa: E402
from landapproval.law import Law  # noqa: E402
from landapproval.serve import app as server  # noqa: E402
from landapproval.serve.body import MAX_BODY_BYTES  # noqa: E402
from landapproval.views import schemas  # noqa: E402
from landapproval.views import text as render  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CASES = sorted(ROOT.glob("cases/review/*.yaml")) + sorted(ROOT.glob("cases/*.yaml"))
APPROVABLE = ROOT / "cases/review/complete-approvable.yaml"
YAML = "application/yaml"
JSON = "application/json"


# --------------------------------------------------------------------------------------------
# helpers

def to_json(data) -> str:
    """Plain data (with Decimal) as JSON whose numbers keep every digit (no binary float)."""
    marked = json.dumps(data, ensure_ascii=False,
                        default=lambda v: f"@@{v}@@" if isinstance(v, Decimal) else str(v))
    return re.sub(r'"@@([^"@]+)@@"', r"\1", marked)


def case_data(path: Path) -> dict:
    return loading.parse_bytes(path.read_bytes(), str(path))


def expected(path: Path, lang: str = "zh", **kwargs) -> dict:
    """What the service must answer: the API's decision, through JSON."""
    return json.loads(json.dumps(api.evaluate(path, **kwargs).to_dict(lang), default=str))


def answer_of(answer) -> dict:
    """A decision answered over HTTP with its request id taken out of the audit block (`law`), to be
    compared with the API's decision; the id must be there, and be the response's X-Request-ID."""
    if isinstance(answer, (bytes, str)):
        data, header = json.loads(answer), None
    else:
        data, header = answer.json(), answer.headers.get("x-request-id")
    given = data.get("law", {}).pop("request_id", None)
    assert given and (header is None or given == header), (given, header)
    return data


def problem_paths(response) -> list[str]:
    return [p["path"] for p in response.json()["problems"]]


def assert_error(response, status: int, error: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["error"] == error
    assert body["message"]
    assert "Traceback" not in response.text
    return body


# --------------------------------------------------------------------------------------------
# the server: uvicorn in a background thread, on a socket bound before it starts (no port race)

@contextmanager
def running(app, http=None):
    """A real server for `app` on a free loopback port (bound before uvicorn starts: no port race);
    yields its base URL once /readyz answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_config=None, access_log=False,
                            log_level="warning", lifespan="on", **({"http": http} if http else {}))
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not come up"
        time.sleep(0.05)
    try:
        yield url
    finally:
        instance.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="module")
def base_url():
    with running(server.create_app(server.Settings())) as url:
        yield url


@pytest.fixture(scope="module")
def client(base_url):
    with httpx.Client(base_url=base_url, timeout=30) as c:
        yield c


def post(client, route: str, body, content_type: str | None, **params):
    headers = {"content-type": content_type} if content_type else {}
    return client.post(route, content=body, headers=headers, params=params)


# --------------------------------------------------------------------------------------------
# reference routes

def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_schema_is_the_models_schema(client):
    response = client.get("/v1/schema")
    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(schemas.case_schema()))
    land = response.json()["$defs"]["Land"]["properties"]["cultivated"]
    assert land["type"] == "number" and land["default"] == 0     # typed for generated clients


def test_rules_are_the_rule_book(client):
    response = client.get("/v1/rules")
    assert response.status_code == 200
    book = Law.default().as_of()
    want = [render.rule_dict(rule, book.catalogue) for rule in book.rules.values()]
    assert response.json() == json.loads(json.dumps(want, default=str))
    assert len(response.json()) == len(Law.default().book.rules) > 0


def test_openapi_document_and_docs(client):
    document = client.get("/openapi.json").json()
    assert {"/v1/evaluate", "/v1/validate", "/v1/schema", "/v1/rules", "/healthz"} <= set(document["paths"])
    body = document["paths"]["/v1/evaluate"]["post"]["requestBody"]["content"]
    assert {JSON, YAML, "application/x-yaml", "text/yaml"} <= set(body)
    assert body[JSON]["schema"] == {"$ref": "#/components/schemas/Case"}
    schemas = document["components"]["schemas"]
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(document)))
    assert refs <= set(schemas), f"dangling references: {refs - set(schemas)}"
    assert {p["name"] for p in document["paths"]["/v1/evaluate"]["post"]["parameters"]} == {"as_of", "lang"}
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_unknown_route_and_wrong_method_are_json(client):
    assert_error(client.get("/v1/nothing"), 404, "not_found")
    assert_error(client.get("/v1/evaluate"), 405, "method_not_allowed")


# --------------------------------------------------------------------------------------------
# evaluate: bodies, parameters

@pytest.mark.parametrize("content_type", [YAML, "application/x-yaml", "text/yaml", "text/yaml; charset=utf-8"])
def test_yaml_body_gives_the_api_decision(client, content_type):
    response = post(client, "/v1/evaluate", APPROVABLE.read_bytes(), content_type)
    assert response.status_code == 200, response.text
    assert answer_of(response) == expected(APPROVABLE)
    assert response.json()["approvable"] is True


@pytest.mark.parametrize("path", [CASES[0], APPROVABLE], ids=lambda p: p.stem)
def test_json_body_gives_the_api_decision(client, path):
    response = post(client, "/v1/evaluate", to_json(case_data(path)).encode(), JSON)
    assert response.status_code == 200, response.text
    assert answer_of(response) == expected(path)


def test_json_areas_stay_exact_decimals(client):
    # 350 parcels of 0.1000 ha of cultivated land are exactly 35 ha (a float sum is 35.00000000000x)
    data = case_data(APPROVABLE)
    parcel = data["parcels"][0]
    data["parcels"] = [{**parcel, "id": f"P{i}",
                        "land": {"permanent_basic_farmland": 0, "cultivated": Decimal("0.1"),
                                 "other_agricultural": 0, "construction": 0, "unused": 0}}
                       for i in range(350)]
    body = to_json(data)
    assert '"cultivated": 0.1' in body
    response = post(client, "/v1/evaluate", body.encode(), JSON)
    assert response.status_code == 200, response.text
    assert response.json()["totals"]["expropriation"]["cultivated"] == "35.0000"
    assert answer_of(response) == json.loads(json.dumps(
        api.evaluate(data).to_dict("zh"), default=str))


def test_as_of_and_lang_parameters(client):
    raw = APPROVABLE.read_bytes()
    default = post(client, "/v1/evaluate", raw, YAML).json()
    english = answer_of(post(client, "/v1/evaluate", raw, YAML, lang="en"))
    before = post(client, "/v1/evaluate", raw, YAML, as_of="2024-06-21", lang="en")
    assert before.status_code == 200, before.text
    assert english == expected(APPROVABLE, "en")
    assert answer_of(before) == expected(APPROVABLE, "en", as_of=__import__("datetime").date(2024, 6, 21))
    # the case records the city's decision of 2024-09-25: that day's law applies, whatever the evaluation
    # day (issue 19 item 4) ...
    assert before.json()["as_of"] == "2024-09-25" and before.json()["as_of_source"] == "workflow.decided_on"
    # ... while a fresh filing is decided under the evaluation day's law: before the delegation took
    # effect (2024-06-22) the city approves nothing
    fresh = post(client, "/v1/evaluate", (ROOT / "cases/review/incomplete-new-filing.yaml").read_bytes(), YAML,
                 as_of="2024-06-21").json()
    assert fresh["as_of"] == "2024-06-21" and fresh["as_of_source"] == "--as-of"
    assert fresh["authority"]["conversion"]["level"] != "city"
    assert default["authority"]["conversion"]["reasons"] != english["authority"]["conversion"]["reasons"]


@pytest.mark.parametrize("params, path", [
    ({"as_of": "2024-13-01"}, "as_of"),
    ({"as_of": "20240910"}, "as_of"),
    ({"as_of": "1990-01-01"}, "as_of"),       # before the earliest law in the parameters
    ({"lang": "fr"}, "lang"),
    ({"asof": "2024-09-10"}, "asof"),         # a typo must not silently change the decision
])
def test_bad_query_parameters_are_422(client, params, path):
    response = post(client, "/v1/evaluate", APPROVABLE.read_bytes(), YAML, **params)
    assert_error(response, 422, "invalid_input")
    assert path in problem_paths(response)


# --------------------------------------------------------------------------------------------
# evaluate: bad input is a 4xx JSON error naming the field, never a 500

def test_malformed_json_is_400(client):
    response = post(client, "/v1/evaluate", b'{"id": "QW-1", "county": ', JSON, lang="en")
    body = assert_error(response, 400, "invalid_input")
    assert body["problems"][0]["path"] == ""
    assert "not valid JSON (line 1" in body["problems"][0]["message"]
    chinese = assert_error(post(client, "/v1/evaluate", b'{"id": "QW-1", "county": ', JSON), 400, "invalid_input")
    assert "不是有效的 JSON：第 1 行" in chinese["problems"][0]["message"]  # Chinese by default


def test_malformed_yaml_is_400(client):
    response = post(client, "/v1/evaluate", b"id: QW-1\ncounty: [quwo\nkind: batch\n", YAML, lang="en")
    body = assert_error(response, 400, "invalid_input")
    assert "not valid YAML" in body["message"]


@pytest.mark.parametrize("raw, content_type", [
    (b"a: &x 1\nb: *x\n", YAML),                                # aliases refused
    (b"!!python/object/apply:os.system [echo hi]", YAML),       # no arbitrary tags
    (b'{"id": "a", "id": "b"}', JSON),                          # repeated keys refused
    ("id: 曲沃".encode("gbk"), YAML),                            # not UTF-8
    (b"[" * 40 + b"]" * 40, JSON),                              # too deep
])
def test_unsafe_or_undecodable_bodies_are_400(client, raw, content_type):
    assert_error(post(client, "/v1/evaluate", raw, content_type), 400, "invalid_input")


@pytest.mark.parametrize("raw, content_type", [
    (b"[1, 2]", JSON), (b"- a\n- b\n", YAML), (b"", YAML), (b"42", JSON),
])
def test_non_mapping_body_is_422(client, raw, content_type):
    body = assert_error(post(client, "/v1/evaluate", raw, content_type, lang="en"), 422, "invalid_input")
    assert body["problems"][0]["path"] == ""
    assert "mapping" in body["problems"][0]["message"]
    chinese = assert_error(post(client, "/v1/evaluate", raw, content_type), 422, "invalid_input")
    assert "案件文件应为一组“字段: 值”" in chinese["problems"][0]["message"]


def test_a_text_body_is_never_read_as_a_server_path(client):
    # api.load_case reads a str as a file path; a body that is a YAML string must not reach it
    response = post(client, "/v1/evaluate", str(APPROVABLE).encode(), YAML, lang="en")
    body = assert_error(response, 422, "invalid_input")
    assert "mapping" in body["problems"][0]["message"]
    assert_error(post(client, "/v1/validate", b'"/etc/passwd"', JSON), 422, "invalid_input")


def test_validation_error_names_the_field_path(client):
    data = case_data(APPROVABLE)
    data["parcels"][0]["land"]["cultivated"] = Decimal("-1.5")
    data["parcels"][1]["land"]["cultivated"] = Decimal("1.12345")
    data["colour"] = "red"
    response = post(client, "/v1/evaluate", to_json(data).encode(), JSON)
    body = assert_error(response, 422, "invalid_input")
    assert body["source"] == "request body"
    paths = problem_paths(response)
    assert "parcels[0].land.cultivated" in paths
    assert "parcels[1].land.cultivated" in paths
    assert "colour" in paths
    assert all(set(p) == {"path", "message"} and p["message"] for p in body["problems"])


def test_unknown_county_is_422(client):
    data = case_data(APPROVABLE)
    data["county"] = "北京"
    response = post(client, "/v1/evaluate", to_json(data).encode(), JSON)
    assert_error(response, 422, "invalid_input")
    assert problem_paths(response) == ["county"]


def test_unknown_calendar_year_stops_only_its_deadline(client):
    # issue 12 item 14: S6's due date is unknown with a finding naming 2039 and the fix; the rest is decided
    data = case_data(APPROVABLE)
    data["workflow"]["approval_issued_on"] = "2039-03-01"
    data["workflow"]["archived_on"] = None
    response = post(client, "/v1/evaluate", to_json(data).encode(), JSON)
    assert response.status_code == 200
    s6 = response.json()["workflow"]["steps"][5]
    assert s6["due"] is None
    assert [f["code"] for f in s6["findings"]] == ["S6.calendar_year_missing"]
    assert "2039" in s6["findings"][0]["message"] and s6["findings"][0]["missing"] == ["rules/calendar/2039.yaml"]


def test_a_date_at_the_end_of_time_is_422_not_500(client):
    data = case_data(APPROVABLE)
    data["workflow"]["approval_issued_on"] = "9999-12-31"
    data["workflow"]["archived_on"] = None
    assert_error(post(client, "/v1/evaluate", to_json(data).encode(), JSON), 422, "invalid_input")


def test_oversized_body_is_413(client):
    too_big = b"#" * (MAX_BODY_BYTES + 1)
    body = assert_error(post(client, "/v1/evaluate", too_big, YAML), 413, "too_large")
    assert f"{MAX_BODY_BYTES:,}" in body["message"]


def test_oversized_streamed_body_is_413_while_reading(client):
    # chunked, no Content-Length: the limit is enforced while the stream is read
    def chunks():
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b"#" * 65536
    response = client.post("/v1/evaluate", content=chunks(), headers={"content-type": YAML})
    assert_error(response, 413, "too_large")


def test_body_at_the_limit_is_read(client):
    assert MAX_BODY_BYTES == loading.MAX_FILE_BYTES
    raw = APPROVABLE.read_bytes()
    padded = raw + b"\n" + b"#" * (MAX_BODY_BYTES - len(raw) - 2) + b"\n"
    assert len(padded) == MAX_BODY_BYTES
    response = post(client, "/v1/evaluate", padded, YAML)
    assert response.status_code == 200, response.text
    assert answer_of(response) == expected(APPROVABLE)


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", None,
                                          "application/json; charset=gbk"])
def test_unsupported_content_type_is_415(client, content_type):
    response = post(client, "/v1/evaluate", APPROVABLE.read_bytes(), content_type)
    assert_error(response, 415, "unsupported_media_type")
    assert_error(post(client, "/v1/validate", b"{}", content_type), 415, "unsupported_media_type")


def test_unexpected_error_is_500_json_without_traceback(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")
    monkeypatch.setattr(api, "evaluate", broken)
    response = post(client, "/v1/evaluate", APPROVABLE.read_bytes(), YAML)
    body = assert_error(response, 500, "internal")
    assert "secret" not in response.text and "RuntimeError" not in response.text
    assert body["id"] in body["message"]


# --------------------------------------------------------------------------------------------
# validate

def test_validate_ok(client):
    response = post(client, "/v1/validate", APPROVABLE.read_bytes(), YAML)
    assert response.status_code == 200
    assert response.json() == {"ok": True, "case": "QW-2024-03"}
    response = post(client, "/v1/validate", to_json(case_data(APPROVABLE)).encode(), JSON)
    assert response.json() == {"ok": True, "case": "QW-2024-03"}


def test_validate_error(client):
    data = case_data(APPROVABLE)
    data["parcels"][2]["expropriate"] = True      # state land is never expropriated
    data["kind"] = "factory"
    response = post(client, "/v1/validate", to_json(data).encode(), JSON)
    assert_error(response, 422, "invalid_input")
    assert "kind" in problem_paths(response)
    assert any(p.startswith("parcels[2]") for p in problem_paths(response))
    assert_error(post(client, "/v1/validate", b"{", JSON), 400, "invalid_input")
    assert_error(post(client, "/v1/validate", APPROVABLE.read_bytes(), YAML, lang="en"), 422, "invalid_input")


# --------------------------------------------------------------------------------------------
# concurrency: durable_rules has no locking of its own

def test_50_concurrent_evaluations_equal_sequential_results(base_url):
    jobs = []
    for i in range(50):
        path = CASES[i % len(CASES)]
        lang = "en" if i % 3 == 0 else "zh"
        if i % 2:
            jobs.append((path, lang, to_json(case_data(path)).encode(), JSON))
        else:
            jobs.append((path, lang, path.read_bytes(), YAML))
    want = [expected(path, lang) for path, lang, _, _ in jobs]      # sequential, in-process
    assert len({w["case"] + str(w["approvable"]) + str(w["blocking"]) for w in want}) >= len(CASES) > 5

    barrier = threading.Barrier(len(jobs))

    def call(job):
        path, lang, body, content_type = job
        with httpx.Client(base_url=base_url, timeout=60) as c:
            barrier.wait(timeout=30)
            return c.post("/v1/evaluate", content=body, headers={"content-type": content_type},
                          params={"lang": lang})

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        responses = list(pool.map(call, jobs))
    assert [r.status_code for r in responses] == [200] * len(jobs)
    for (path, lang, _, _), response, want_one in zip(jobs, responses, want):
        assert answer_of(response) == want_one, f"{path.name} ({lang}) differs under concurrency"


def test_evaluations_run_in_the_threadpool_not_on_the_event_loop(client, base_url, monkeypatch):
    # hold every evaluation at a gate: if they ran on the event loop, the second request (and
    # /healthz) could not even start; in the thread pools they all wait side by side — a small case
    # in the quick lane (one thread, `runtime.QUICK_BODY_BYTES`), larger ones in the `threads` pool
    real = api.evaluate
    gate = threading.Event()
    lock = threading.Lock()
    inside = [0]

    def held(*args, **kwargs):
        with lock:
            inside[0] += 1
        try:
            assert gate.wait(timeout=20), "the gate was never opened"
            return real(*args, **kwargs)
        finally:
            with lock:
                inside[0] -= 1

    monkeypatch.setattr(api, "evaluate", held)
    raw = APPROVABLE.read_bytes()
    large = raw + b"\n# " + b"x" * (QUICK_BODY_BYTES + 1) + b"\n"    # the same case, past the quick lane's size
    assert len(raw) <= QUICK_BODY_BYTES

    def call(body):
        with httpx.Client(base_url=base_url, timeout=30) as c:
            return c.post("/v1/evaluate", content=body, headers={"content-type": YAML})

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(call, body) for body in (raw, large, large, large)]
        deadline = time.monotonic() + 10
        while inside[0] < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
        concurrent = inside[0]
        health = client.get("/healthz", timeout=5)        # the loop is free while they wait
        gate.set()
        results = [f.result() for f in futures]
    assert concurrent == 4, f"only {concurrent} evaluations were in flight at once"
    assert health.status_code == 200
    assert all(r.status_code == 200 and answer_of(r) == expected(APPROVABLE) for r in results)


def test_small_cases_take_the_quick_lane_one_at_a_time(client, base_url, monkeypatch):
    # the quick lane is one thread: a second small case waits for the first (and is answered)
    real = api.evaluate
    gate = threading.Event()
    lock = threading.Lock()
    inside, most = [0], [0]

    def held(*args, **kwargs):
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        try:
            assert gate.wait(timeout=20), "the gate was never opened"
            return real(*args, **kwargs)
        finally:
            with lock:
                inside[0] -= 1

    monkeypatch.setattr(api, "evaluate", held)
    raw = APPROVABLE.read_bytes()

    def call(_):
        with httpx.Client(base_url=base_url, timeout=30) as c:
            return c.post("/v1/evaluate", content=raw, headers={"content-type": YAML})

    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = [pool.submit(call, i) for i in range(3)]
        deadline = time.monotonic() + 10
        while inside[0] < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.5)                                   # time for the others to start, were they able to
        held_at_once = most[0]
        gate.set()
        results = [f.result() for f in futures]
    assert held_at_once == 1
    assert all(r.status_code == 200 and answer_of(r) == expected(APPROVABLE) for r in results)


# --------------------------------------------------------------------------------------------
# the command line

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_cli_serve_starts_the_service():
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "landapproval.cli", "serve", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.stdout.read().decode()
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                if response.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "landapproval serve did not come up within 30 s"
            time.sleep(0.1)
        response = httpx.post(f"http://127.0.0.1:{port}/v1/evaluate", content=APPROVABLE.read_bytes(),
                              headers={"content-type": YAML})
        assert answer_of(response) == expected(APPROVABLE)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            process.kill()
            process.wait()


def test_evaluate_command_never_imports_the_web_stack():
    code = ("import sys; from click.testing import CliRunner; from landapproval import cli; "
            f"r = CliRunner().invoke(cli.main, ['evaluate', '--format', 'json', {str(APPROVABLE)!r}]); "
            "assert r.exit_code == 0, r.output; "
            "assert not {'fastapi', 'uvicorn', 'starlette', 'landapproval.serve.app'} & set(sys.modules), "
            "sorted(m for m in sys.modules if m.split('.')[0] in ('fastapi', 'uvicorn', 'starlette'))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr


def test_serve_without_the_web_stack_says_what_to_install():
    code = ("import sys; sys.modules['uvicorn'] = None; from landapproval.cli import main; "
            "main(['serve'])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                            timeout=60, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert result.returncode == 2
    assert "pip install 'landapproval[server]'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("route", ["/v1/evaluate", "/v1/validate"])
@pytest.mark.parametrize("boundary", ["/etc/passwd", "cases/gis/qw-2024-03.txt#QW-2024-03-1", "../x.geojson"])
def test_a_request_cannot_make_the_server_open_a_boundary_file(client, route, boundary):
    data = case_data(APPROVABLE)
    data["parcels"][1]["boundary"] = boundary
    response = post(client, route, to_json(data).encode(), JSON)
    body = assert_error(response, 422, "invalid_input")
    assert problem_paths(response) == ["parcels[1].boundary"]
    assert body["source"] == "request body"
    assert "passwd" not in json.dumps(body["problems"]) and "root" not in response.text
