"""What an integrator expects to watch (issue 18 item 10, build 6): /metrics in the Prometheus text
format, JSON log lines with the request id, traceparent / X-Correlation-ID accepted and echoed, a
configurable shutdown grace, and the token given to workers without their environment."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import wait_until_ready

httpx = pytest.importorskip("httpx")
prometheus_parser = pytest.importorskip("prometheus_client.parser")

from landapproval.serve import protocol  # noqa: E402
from landapproval.serve.settings import Settings  # noqa: E402
from test_server import (APPROVABLE, CASES, ROOT, YAML, _free_port, base_url, case_data, client,  # noqa: E402,F401
                         to_json)

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def families(text: str) -> dict:
    return {family.name: family for family in prometheus_parser.text_string_to_metric_families(text)}


def sample(family, **labels) -> float:
    return sum(s.value for s in family.samples
               if s.name == family.name + "_total" and all(s.labels.get(k) == v for k, v in labels.items()))


def test_metrics_parse_and_count_requests_latency_and_decisions(client):  # noqa: F811
    before = families(client.get("/metrics").text)
    approvable = client.post("/v1/evaluate", content=APPROVABLE.read_bytes(), headers={"content-type": YAML})
    assert approvable.status_code == 200 and approvable.json()["approvable"] is True
    assert client.post("/v1/evaluate", content=b"{}", headers={"content-type": "application/json"}).status_code == 422
    assert client.get("/no/such/route/123").status_code == 404
    answer = client.get("/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    after = families(answer.text)
    requests = after["landapproval_http_requests"]
    assert sample(requests, route="/v1/evaluate", method="POST", status="200") == \
        sample(before["landapproval_http_requests"], route="/v1/evaluate", method="POST", status="200") + 1
    assert sample(requests, route="/v1/evaluate", status="422") >= 1
    assert sample(requests, route="other", status="404") >= 1           # an unknown path never becomes a label
    assert not any("/no/such" in s.labels.get("route", "") for s in requests.samples)
    latency = after["landapproval_http_request_seconds"]
    assert latency.type == "histogram"
    count = [s.value for s in latency.samples if s.name.endswith("_count") and s.labels["route"] == "/v1/evaluate"]
    assert count and count[0] >= 2
    conversion = approvable.json()["authority"]["conversion"]["level"]
    expropriation = approvable.json()["authority"]["expropriation"]["level"]
    evaluations = after["landapproval_evaluations"]
    assert sample(evaluations, verdict="approvable", conversion=conversion, expropriation=expropriation) >= 1
    assert after["landapproval_http_in_flight"].type == "gauge"
    assert after["landapproval_http_in_flight"].samples[0].value >= 1   # the scrape itself
    assert "landapproval_layer_source_errors" in after and "landapproval_http_queued" in after


def test_traceparent_and_correlation_id_are_accepted_and_echoed(client):  # noqa: F811
    answer = client.post("/v1/evaluate", content=APPROVABLE.read_bytes(),
                         headers={"content-type": YAML, "traceparent": TRACEPARENT, "x-correlation-id": "case-sys/77"})
    assert answer.status_code == 200
    assert answer.headers["traceparent"] == TRACEPARENT
    assert answer.headers["x-correlation-id"] == "case-sys/77"
    assert answer.headers["x-request-id"] == "case-sys/77"     # no X-Request-ID: the correlation id is the request's
    both = client.get("/healthz", headers={"x-request-id": "r-1", "x-correlation-id": "c-1"})
    assert both.headers["x-request-id"] == "r-1" and both.headers["x-correlation-id"] == "c-1"
    bad = client.get("/healthz", headers={"traceparent": "not-a-trace", "x-correlation-id": "bad id\twith tab"})
    assert "traceparent" not in bad.headers and "x-correlation-id" not in bad.headers


def test_serve_passes_the_grace_and_keeps_the_token_out_of_the_environment(monkeypatch, tmp_path):
    seen = {}

    class Captured:
        def __init__(self, config):
            seen["config"] = config

        def run(self, sockets):
            seen["environment"] = os.environ.get(Settings.ENV)

    monkeypatch.setattr(protocol.uvicorn, "Server", Captured)
    monkeypatch.delenv(Settings.ENV, raising=False)
    token = "s3cret-token-0123456789"
    protocol.serve(Settings(port=0, token=token, shutdown_grace=3.5))
    config = seen["config"]
    assert config.timeout_graceful_shutdown == 3.5
    assert token not in seen["environment"] and json.loads(seen["environment"])["token"] is None
    assert config.app().state.settings.token == token                   # the factory carries it
    json_config = protocol.log_config("info", True, "json")
    assert json_config["formatters"]["default"] == {"()": "landapproval.serve.logs.JsonFormatter"}


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out += [int(child) for child in text]
    return out


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_two_workers_json_logs_and_no_token_in_their_environment(tmp_path):
    """A real `serve --workers 2 --token-file --log-format json --access-log`: every worker's
    /proc/PID/environ is free of the token, auth still works, and every log line is JSON with the
    request id."""
    token = "tok-" + "x" * 28
    token_file = tmp_path / "token"
    token_file.write_text(token + "\n")
    port = _free_port()
    log = (tmp_path / "out.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "landapproval.cli", "serve", "--port", str(port), "--workers", "2",
                                "--token-file", str(token_file), "--log-format", "json", "--access-log",
                                "--shutdown-grace", "2"], stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(process, url, lambda: (tmp_path / "out.log").read_text(), "serve")
        auth = {"authorization": f"Bearer {token}", "content-type": YAML, "x-request-id": "obs-42"}
        assert httpx.post(f"{url}/v1/evaluate", content=APPROVABLE.read_bytes(), headers=auth).status_code == 200
        assert httpx.post(f"{url}/v1/evaluate", content=APPROVABLE.read_bytes(),
                          headers={"content-type": YAML}).status_code == 401
        assert httpx.get(f"{url}/metrics", headers=auth).status_code == 200
        workers = _children(process.pid)
        assert len(workers) >= 2, workers
        for pid in [process.pid, *workers]:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
            assert token.encode() not in environ, f"the token is in the environment of {pid}"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:  # pragma: no cover
            process.kill()
            process.wait()
        log.close()
    lines = [line for line in (tmp_path / "out.log").read_text().splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines]            # every line is one JSON object
    access = [p for p in parsed if p.get("path") == "/v1/evaluate"]
    assert sorted(a["status"] for a in access) == [200, 401]     # two workers: either order
    assert [a["request_id"] for a in access if a["status"] == 200] == ["obs-42"]
    assert any(p.get("logger", "").startswith("uvicorn") for p in parsed)
    assert token not in (tmp_path / "out.log").read_text()


def test_the_request_id_is_in_the_decisions_audit_block(client):  # noqa: F811
    given = client.post("/v1/evaluate", content=APPROVABLE.read_bytes(),
                        headers={"content-type": YAML, "x-request-id": "audit-7"}).json()
    assert given["law"]["request_id"] == "audit-7" and len(given["law"]["rules_sha256"]) == 64
    made = client.post("/v1/evaluate", content=APPROVABLE.read_bytes(), headers={"content-type": YAML})
    assert made.json()["law"]["request_id"] == made.headers["x-request-id"]
    line = to_json(case_data(APPROVABLE)).encode()
    lines = client.post("/v1/batch", content=line + b"\n" + line,
                        headers={"content-type": "application/x-ndjson", "x-correlation-id": "batch-9"})
    assert [json.loads(line)["law"]["request_id"] for line in lines.text.splitlines()] == ["batch-9", "batch-9"]
