"""bench/http_load.py reads wrk's report line by line (issue 18 item 9): the `71.50%` that ends the
Latency line of the thread stats is never taken for the median, as it was in 2 of 3 runs."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

REPORT = """Running 10s test @ http://127.0.0.1:40123/v1/evaluate
  1 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     9.87ms    3.21ms  48.10ms   71.50%
    Req/Sec     1.02k    99.15     1.20k    68.00%
  Latency Distribution
     50%    9.12ms
     75%   11.40ms
     90%   13.90ms
     99%   21.30ms
  10177 requests in 10.00s, 35.19MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   1017.45
Transfer/sec:      3.52MB
"""


@pytest.fixture(scope="module")
def bench():
    pytest.importorskip("fastapi")
    spec = importlib.util.spec_from_file_location("http_load", ROOT / "bench" / "http_load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_median_is_the_distributions_not_the_stdev_percentage(bench):
    figures = bench.parse_wrk(REPORT, 10, 10)
    assert figures["p50_ms"] == 9.12 and figures["p99_ms"] == 21.30 and figures["max_ms"] == 48.10
    assert figures["requests"] == 10177 and figures["rps"] == 1017.45 and figures["errors"] == 3


def test_units_and_a_report_without_a_distribution(bench):
    figures = bench.parse_wrk(REPORT.replace("9.12ms", "912.00us").replace("21.30ms", "1.02s"), 10, 10)
    assert figures["p50_ms"] == pytest.approx(0.912) and figures["p99_ms"] == 1020.0
    with pytest.raises(SystemExit, match="latency distribution"):
        bench.parse_wrk(REPORT.split("  Latency Distribution")[0], 10, 10)
