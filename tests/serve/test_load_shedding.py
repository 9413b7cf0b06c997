"""Concurrency without refusal at ordinary load (issue 18 item 6, build 4).

- a request beyond the in-flight limit waits for a slot and is answered when one frees;
- 100 keep-alive clients on one worker at the defaults (`landapproval serve`, a real process) get
  no 503 at all (the issue measured 91 % refused);
- shedding, when the queue does not drain, is 503 with Retry-After (test_server_production).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest

from helpers import wait_until_ready

httpx = pytest.importorskip("httpx")

from landapproval import api  # noqa: E402
from landapproval.serve import app as server  # noqa: E402
from test_server import APPROVABLE, ROOT, YAML, _free_port, running  # noqa: E402

BODY = APPROVABLE.read_bytes()


def test_a_request_beyond_the_limit_waits_for_a_slot(monkeypatch):
    real, gate, inside = api.evaluate, threading.Event(), threading.Event()

    def held(*args, **kwargs):
        inside.set()
        assert gate.wait(timeout=20)
        return real(*args, **kwargs)

    monkeypatch.setattr(api, "evaluate", held)
    with running(server.create_app(server.Settings(max_in_flight=1, queue_timeout=10))) as url:
        with httpx.Client(base_url=url, timeout=30) as first, httpx.Client(base_url=url, timeout=30) as second:
            answers = {}
            holder = threading.Thread(target=lambda: answers.setdefault("first", first.post(
                "/v1/evaluate", content=BODY, headers={"content-type": YAML})))
            holder.start()
            assert inside.wait(timeout=10)
            waiter = threading.Thread(target=lambda: answers.setdefault("second", second.post(
                "/v1/evaluate", content=BODY, headers={"content-type": YAML})))
            waiter.start()
            time.sleep(0.5)
            assert "second" not in answers          # queued, not refused
            gate.set()
            holder.join(timeout=20)
            waiter.join(timeout=20)
    assert answers["first"].status_code == 200 and answers["second"].status_code == 200


def test_100_keep_alive_clients_on_one_worker_at_the_defaults_get_no_503():
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "landapproval.cli", "serve", "--port", str(port),
                                "--log-level", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(process, url, lambda: process.stderr.read().decode(), "landapproval serve")

        async def one_client(counts: Counter, requests: int):
            async with httpx.AsyncClient(base_url=url, timeout=60,
                                         limits=httpx.Limits(max_connections=1, max_keepalive_connections=1)) as c:
                for _ in range(requests):
                    answer = await c.post("/v1/evaluate", content=BODY, headers={"content-type": YAML})
                    counts[answer.status_code] += 1

        async def load() -> Counter:
            counts: Counter = Counter()
            await asyncio.gather(*(one_client(counts, 6) for _ in range(100)))
            return counts

        started = time.monotonic()
        counts = asyncio.run(load())
        seconds = time.monotonic() - started
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:  # pragma: no cover
            process.kill()
            process.wait()
    assert counts == Counter({200: 600}), f"{dict(counts)} in {seconds:.1f} s"
