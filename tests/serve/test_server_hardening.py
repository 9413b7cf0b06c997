"""The HTTP API under fuzzed bodies and load (issue 6): never a 5xx, and the same answers as the CLI.

Hypothesis generates case documents from mutations of the example cases (dropped and extra keys,
wrong types, huge numbers, unicode), posts them to a real server on a loopback socket, and checks
that every answer is a decision (200) or a JSON error with field paths (4xx). The load test sends
a thousand requests from 8 threads and compares every decision with `landapproval evaluate
--format json` run once per case.
"""

import copy
import json
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from landapproval.cli import main
from landapproval.core.reader import read_document
from test_server import answer_of, base_url, client  # noqa: F401 - the real server fixtures

REPO = Path(__file__).resolve().parents[2]
CASES = sorted((REPO / "cases" / "review").glob("*.yaml")) + sorted((REPO / "cases").glob("*.yaml"))
DOCUMENTS = [read_document(p) for p in CASES]

ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.sampled_from(["2024-02-30", "9999-12-31", "1:30", "0x24", "036", "曲沃", "\u202e", "🙂"]),
)


def _paths(node, prefix=()):
    """Every (path) to a value inside a document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield prefix + (key,)
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield prefix + (index,)
            yield from _paths(value, prefix + (index,))


@st.composite
def mutated_documents(draw):
    document = copy.deepcopy(draw(st.sampled_from(DOCUMENTS)))
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(document))
        path = draw(st.sampled_from(paths))
        parent = document
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "extra"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "extra" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = draw(ODD_VALUES)
        else:
            parent[path[-1]] = draw(ODD_VALUES)
    return document


def _json(document) -> bytes:
    return json.dumps(document, ensure_ascii=False, default=str).encode("utf-8")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=mutated_documents(), lang=st.sampled_from(["zh", "en"]))
def test_fuzzed_bodies_never_get_a_5xx(client, document, lang):  # noqa: F811
    response = client.post("/v1/evaluate", content=_json(document),
                           headers={"content-type": "application/json"}, params={"lang": lang})
    assert response.status_code < 500, response.text
    body = response.json()
    if response.status_code == 200:
        assert {"case", "authority", "checks", "workflow", "approvable"} <= set(body)
    else:
        assert response.status_code in (400, 413, 415, 422)
        assert body["problems"] and all("path" in p and "message" in p for p in body["problems"])


def test_a_thousand_requests_from_8_threads_equal_the_cli(client):  # noqa: F811
    expected = {}
    for path in CASES:
        result = CliRunner().invoke(main, ["evaluate", str(path), "--format", "json"])
        assert result.exit_code in (0, 1), result.output
        expected[path] = json.loads(result.stdout)
    bodies = {path: _json(doc) for path, doc in zip(CASES, DOCUMENTS)}

    def call(index):
        path = CASES[index % len(CASES)]
        response = client.post("/v1/evaluate", content=bodies[path], headers={"content-type": "application/json"})
        return path, response.status_code, answer_of(response)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(call, range(1000)))
    assert all(status == 200 for _, status, _ in results)
    for path, _, decision in results:
        assert decision == expected[path], path


def test_exact_decimals_survive_the_wire(client):  # noqa: F811
    document = copy.deepcopy(DOCUMENTS[0])
    document["parcels"] = [{"id": f"P{i}", "ownership": "collective", "land": {"cultivated": "0.1"}}
                           for i in range(350)]
    response = client.post("/v1/evaluate", content=_json(document), headers={"content-type": "application/json"})
    decision = response.json()
    assert Decimal(decision["totals"]["expropriation"]["cultivated"]) == Decimal("35")
    assert decision["authority"]["expropriation"]["level"] == "city"
