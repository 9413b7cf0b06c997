"""The OpenAPI document checked against the service's real answers (issue 18, build 1).

Every example case's `/v1/evaluate` and `/v1/explain` answer, every kind of error answer and every
line of a `/v1/batch` answer is validated (jsonschema, draft 2020-12) against the schema that
`/openapi.json` itself declares for that route, status and media type — not against the pydantic
models, so a renamed or shadowed component shows here. schemathesis then fuzzes the document
(positive and negative data), bounded in time.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

jsonschema = pytest.importorskip("jsonschema")
httpx = pytest.importorskip("httpx")
pytest.importorskip("fastapi")

from landapproval.serve.body import MAX_BODY_BYTES  # noqa: E402
from test_server import APPROVABLE, CASES, client, running  # noqa: E402,F401 - the real server fixtures

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI") == "true"
YAML = "application/yaml"
JSON = "application/json"
NDJSON = "application/x-ndjson"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    """The real server, its case register (issue 20) a SQLite file of this test's own — never the
    checkout's ./landapproval-register.sqlite, which schemathesis would otherwise fill."""
    from landapproval.serve import app as server

    register = tmp_path_factory.mktemp("register") / "台账.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LANDAPPROVAL_DB", str(register))
        with running(server.create_app(server.Settings())) as url:
            yield url


@pytest.fixture(scope="module")
def document(client):  # noqa: F811
    return client.get("/openapi.json").json()


def _pointer(*parts: str) -> str:
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def validator(document: dict, *parts: str) -> jsonschema.Draft202012Validator:
    """A validator for the schema at `parts` inside the OpenAPI document, its `$ref`s resolved in
    the document itself (OpenAPI 3.1 schemas are JSON Schema 2020-12)."""
    return jsonschema.Draft202012Validator({**document, "$ref": _pointer(*parts)},
                                           format_checker=jsonschema.FormatChecker())


def response_validator(document: dict, route: str, status: int, media: str = JSON, key: str = "schema",
                       method: str = "post"):
    return validator(document, "paths", route, method, "responses", str(status), "content", media, key)


def errors_of(check, instance) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in check.iter_errors(instance)][:3]


# --------------------------------------------------------------------------------------------
# one meaning per component

def _refs(node) -> set[str]:
    found = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def _closure(names: set[str], components: dict) -> set[str]:
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(_refs(components[name]))
    return seen


def test_input_and_output_models_never_share_a_component(document):
    components = document["components"]["schemas"]
    inputs, outputs = set(), set()
    for route in document["paths"].values():
        for operation in route.values():
            inputs |= _refs(operation.get("requestBody", {})) | _refs(operation.get("parameters", []))
            outputs |= _refs(operation.get("responses", {}))
    inputs, outputs = _closure(inputs, components), _closure(outputs, components)
    assert "Case" in inputs and "Decision" in outputs and "BatchLine" in outputs
    assert not inputs & outputs, f"components used both as input and output: {sorted(inputs & outputs)}"
    # the decision's workflow is the steps S1–S6 and next, not the case's workflow dates
    workflow = document["components"]["schemas"]["Decision"]["properties"]["workflow"]["$ref"].rsplit("/", 1)[1]
    assert set(components[workflow]["properties"]) == {"steps", "next"}
    assert "steps" not in components["Workflow"]["properties"]


# --------------------------------------------------------------------------------------------
# real answers against the document

@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_every_example_answer_matches_the_openapi_document(client, document, path):  # noqa: F811
    for route in ("/v1/evaluate", "/v1/explain"):
        for lang in ("zh", "en"):
            answer = client.post(route, content=path.read_bytes(), headers={"content-type": YAML},
                                 params={"lang": lang})
            assert answer.status_code == 200, answer.text
            problems = errors_of(response_validator(document, route, 200), answer.json())
            assert not problems, f"{route} {path.name} ({lang}) breaks /openapi.json: {problems}"


def test_the_decision_answer_keeps_the_steps_a_typed_client_reads(client, document):  # noqa: F811
    decision = client.post("/v1/evaluate", content=APPROVABLE.read_bytes(), headers={"content-type": YAML}).json()
    assert [step["id"] for step in decision["workflow"]["steps"]] == ["S1", "S2", "S3", "S4", "S5", "S6"]
    check = response_validator(document, "/v1/evaluate", 200)
    broken = {**decision, "workflow": {"steps": decision["workflow"]["steps"], "next": None, "filed_on": "2024-01-01"}}
    assert errors_of(check, broken), "a decision's workflow with a case field must not pass"


ERROR_REQUESTS = [
    (400, "/v1/evaluate", b'{"case": ', JSON, {}),
    (400, "/v1/explain", b"a: [1\n", YAML, {}),
    (413, "/v1/evaluate", b" " * (MAX_BODY_BYTES + 10), JSON, {}),
    (415, "/v1/evaluate", b"{}", "text/plain", {}),
    (415, "/v1/batch", b"{}", JSON, {}),
    (422, "/v1/evaluate", b'{"schema": "landapproval/v1"}', JSON, {}),
    (422, "/v1/evaluate", b"[1, 2]", JSON, {}),
    (422, "/v1/explain", APPROVABLE.read_bytes(), YAML, {"lang": "fr"}),
    (422, "/v1/validate", b'{"county": "nowhere"}', JSON, {}),
]


@pytest.mark.parametrize("status, route, raw, media, params", ERROR_REQUESTS,
                         ids=[f"{s}-{r}-{i}" for i, (s, r, *_) in enumerate(ERROR_REQUESTS)])
def test_every_error_answer_matches_the_openapi_document(client, document, status, route, raw, media, params):  # noqa: F811
    answer = client.post(route, content=raw, headers={"content-type": media}, params=params)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(JSON)
    problems = errors_of(response_validator(document, route, status), answer.json())
    assert not problems, f"{status} on {route} breaks /openapi.json: {problems}"


def test_every_batch_line_matches_the_declared_item_schema(client, document):  # noqa: F811
    from test_server import case_data, to_json

    lines = [to_json(case_data(path)) for path in CASES[:4]] + ['{"broken": ', '{"schema": "landapproval/v1"}']
    answer = client.post("/v1/batch", content="\n".join(lines).encode(), headers={"content-type": NDJSON})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(NDJSON)
    declared = document["paths"]["/v1/batch"]["post"]["responses"]["200"]["content"]
    assert list(declared) == [NDJSON], "the only answer a generated client may expect is JSON Lines"
    check = response_validator(document, "/v1/batch", 200, NDJSON, "x-item-schema")
    answers = [json.loads(line) for line in answer.text.splitlines()]
    assert [a["line"] for a in answers] == list(range(1, len(lines) + 1))
    assert [("error" in a) for a in answers] == [False] * 4 + [True, True]
    for item in answers:
        assert not errors_of(check, item), item
    assert errors_of(check, {"line": 1, "case": "x"})        # neither a decision nor an error
    request = document["paths"]["/v1/batch"]["post"]["requestBody"]["content"]
    assert next(iter(request)) == NDJSON and request[NDJSON]["x-item-schema"] == {"$ref": "#/components/schemas/Case"}


def test_an_inline_boundary_needs_data(document):
    from test_server import case_data, to_json

    case = json.loads(to_json(case_data(APPROVABLE)))
    check = validator(document, "components", "schemas", "Case")
    assert not errors_of(check, case)
    parcel = case["parcels"][0]
    for data, ok in ((None, False), (5, False), ("", False), ("POLYGON ((0 0, 1 0, 1 1, 0 0))", True),
                     ({"type": "Polygon", "coordinates": []}, True)):
        boundary = {"format": "wkt", "data": data}
        broken = {**case, "parcels": [{**parcel, "boundary": boundary}, *case["parcels"][1:]]}
        assert (not errors_of(check, broken)) == ok, data


# --------------------------------------------------------------------------------------------
# the case register's routes (issue 20): every answer as its route declares it

def _register_case(case_id: str) -> dict:
    from tests.register.conftest import case

    return case(case_id, county="霍州市", parcels=[("A", 1, 0)])


def _declared(document, route: str, method: str, status: int, answer) -> list[str]:
    media = answer.headers["content-type"].split(";")[0].strip()
    declared = document["paths"][route][method]["responses"].get(str(status))
    assert declared is not None, f"{method.upper()} {route} answered {status}, which it does not declare"
    assert media in declared["content"], f"{method.upper()} {route} {status} answered {media}, not declared"
    if media != JSON:
        return []
    return errors_of(response_validator(document, route, status, media, method=method), answer.json())


def test_every_register_answer_matches_the_openapi_document(client, document):  # noqa: F811
    """Add a case (new, then the same again), list, show, post a case event and a county event, the
    report in every format, the quota ledger, and the errors of each: all as /openapi.json says."""
    calls = [
        (201, "post", "/v1/cases", "/v1/cases", {"json": _register_case("CT-2024-01")}),
        (200, "post", "/v1/cases", "/v1/cases", {"json": _register_case("CT-2024-01")}),
        (400, "post", "/v1/cases", "/v1/cases", {"content": b"{", "headers": {"content-type": JSON}}),
        (422, "post", "/v1/cases", "/v1/cases", {"json": {**_register_case("CT-2024-02"), "county": "nowhere"}}),
        (413, "post", "/v1/cases", "/v1/cases", {"content": b" " * (MAX_BODY_BYTES + 10), "headers": {"content-type": JSON}}),
        (415, "post", "/v1/cases", "/v1/cases", {"json": {}, "headers": {"content-encoding": "gzip"}}),
        (200, "get", "/v1/cases", "/v1/cases?county=霍州市&limit=5", {}),
        (422, "get", "/v1/cases", "/v1/cases?offset=10244271217227200118915072&year=2076", {}),
        (422, "get", "/v1/cases", "/v1/cases?limit=0", {}),
        (200, "get", "/v1/cases/{county}/{case_id}", "/v1/cases/霍州市/CT-2024-01", {}),
        (404, "get", "/v1/cases/{county}/{case_id}", "/v1/cases/霍州市/CT-2099-99", {}),
        (422, "get", "/v1/cases/{county}/{case_id}", "/v1/cases/nowhere/CT-2024-01", {}),
        (201, "post", "/v1/cases/{county}/{case_id}/events", "/v1/cases/霍州市/CT-2024-01/events",
         {"json": {"kind": "受理", "day": "2024-08-05", "by": "市局"}}),
        (422, "post", "/v1/cases/{county}/{case_id}/events", "/v1/cases/霍州市/CT-2024-01/events",
         {"json": {"kind": "批复", "day": "2024-08-06"}}),
        (404, "post", "/v1/cases/{county}/{case_id}/events", "/v1/cases/霍州市/CT-2099-99/events",
         {"json": {"kind": "受理", "day": "2024-08-05"}}),
        (201, "post", "/v1/counties/{county}/events", "/v1/counties/霍州市/events",
         {"json": {"kind": "暂停", "day": "2024-09-01", "note": "通报"}}),
        (400, "post", "/v1/counties/{county}/events", "/v1/counties/霍州市/events", {"content": b""}),
        (200, "get", "/v1/reports/quality", "/v1/reports/quality?year=2024", {}),
        (200, "get", "/v1/reports/quality", "/v1/reports/quality?year=2024&format=csv", {}),
        (200, "get", "/v1/reports/quality", "/v1/reports/quality?year=2024&format=html", {}),
        (200, "get", "/v1/reports/quality", "/v1/reports/quality?year=2024&format=xlsx", {}),
        (422, "get", "/v1/reports/quality", "/v1/reports/quality?year=1900", {}),
        (404, "get", "/v1/reports/quota", "/v1/reports/quota?county=霍州市&year=2024", {}),
    ]
    for status, method, route, url, options in calls:
        answer = client.request(method.upper(), url, **options)
        assert answer.status_code == status, (method, url, answer.text[:500])
        problems = _declared(document, route, method, status, answer)
        assert not problems, f"{method.upper()} {url} {status} breaks /openapi.json: {problems}"
    shown = client.get("/v1/cases/霍州市/CT-2024-01").json()
    assert [e["kind"] for e in shown["events"]] == ["受理"] and len(shown["versions"]) == 1
    # the declared schemas can fail: a list without its total, a history without its events
    listed = client.get("/v1/cases").json()
    assert errors_of(response_validator(document, "/v1/cases", 200, method="get"), {**listed, "total": "1"})
    check = response_validator(document, "/v1/cases/{county}/{case_id}", 200, method="get")
    assert errors_of(check, {k: v for k, v in shown.items() if k != "events"})


# --------------------------------------------------------------------------------------------
# schemathesis, bounded in time

def _schemathesis() -> str | None:
    found = Path(sys.executable).with_name("st")
    return str(found) if found.exists() else shutil.which("st")


def test_schemathesis_finds_nothing_positive_or_negative(base_url, tmp_path):  # noqa: F811
    """Every operation fuzzed with data that fits the document and data that breaks it: no 5xx, and
    every status, media type, header and body as declared. ~40 s.

    Not checked: that every schema-breaking body is refused (`negative_data_rejection`) — the service
    reads a case as leniently as the command line does by design (the contract's official words:
    是/否 and 0/1 for a yes/no, areas as text), so some bodies the schema calls wrong are answered."""
    st = _schemathesis()
    if st is None:
        if IN_CI:
            pytest.fail("schemathesis is not installed (it is in the dev extra)")
        pytest.skip("schemathesis is not installed: pip install -e '.[dev]'")
    command = [st, "run", f"{base_url}/openapi.json", "--mode", "all", "--max-examples", "25",
               "--phases", "examples,coverage,fuzzing", "--seed", "18", "--no-shrink", "--workers", "2",
               "--request-timeout", "20", "--max-time", "40",
               "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                           "response_headers_conformance,response_schema_conformance",
               "--suppress-health-check", "all", "--warnings", "off",
               "--report", "junit", "--report-dir", str(tmp_path)]
    env = {**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_TELEMETRY": "false", "SCHEMATHESIS_HOOKS": "schemathesis_hooks",
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")])}
    for attempt in range(2):
        result = subprocess.run(command, capture_output=True, text=True, timeout=150, cwd=tmp_path,  # its cache there
                                env=env)
        said = result.stdout + result.stderr
        # CPython 3.11 can crash inside the fuzzer's own data generation ("SystemError: AST constructor
        # recursion depth mismatch", python/cpython#106905): an error of the tool, not a finding about
        # the service. Only then, and only when it found no failure, run once more.
        found = re.search(r"\b\d+ failures?\b", said.split("Seed:")[-1])
        if result.returncode == 0 or "recursion depth mismatch" not in said or found:
            break
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
