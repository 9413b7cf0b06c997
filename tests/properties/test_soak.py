"""Soak: many evaluations in one process must not leak memory or change the answer.

The engine keeps per-case state in durable_rules' C core (one session per evaluation, deleted
afterwards); a session left behind, a growing cache or a reference cycle would show up here as
resident memory that climbs with the number of evaluations. The complete case is read once and
evaluated from its dict (validate + authority + C1–C8 + S1–S6), after a warm-up that fills every
cache, with the resident set size read from /proc/self/statm before and after.

Default: 10,000 evaluations. Slow (`--run-slow` when tests/conftest.py defines it, or
LANDAPPROVAL_SLOW=1): 100,000. Goal: growth < 10 %.
"""

from __future__ import annotations

import gc
import json
import os
import resource
from pathlib import Path

import pytest

import landapproval
from landapproval.core.reader import read_document

REPO = Path(__file__).resolve().parents[2]
COMPLETE = REPO / "cases" / "review" / "complete-approvable.yaml"
PAGE = resource.getpagesize()
GROWTH_LIMIT = 0.10


def slow_enabled(config) -> bool:
    try:
        if config.getoption("--run-slow"):
            return True
    except ValueError:  # no tests/conftest.py defining the option yet
        pass
    return os.environ.get("LANDAPPROVAL_SLOW") == "1"


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def soak(n: int, warmup: int = 2_000) -> dict:
    data = read_document(COMPLETE)
    reference = json.dumps(landapproval.evaluate(data).to_dict(), ensure_ascii=False)
    for _ in range(warmup):
        landapproval.evaluate(data)
    gc.collect()
    before = rss_bytes()
    for i in range(n):
        decision = landapproval.evaluate(data)
        if i % 997 == 0:  # the answer never drifts
            assert json.dumps(decision.to_dict(), ensure_ascii=False) == reference, f"evaluation {i} differs"
    del decision
    gc.collect()
    after = rss_bytes()
    return {"n": n, "before": before, "after": after, "growth": (after - before) / before}


def _check(result: dict) -> None:
    mb = 1024 * 1024
    print(f"\nsoak: {result['n']:,} evaluations; RSS {result['before'] / mb:.1f} MB -> "
          f"{result['after'] / mb:.1f} MB ({result['growth']:+.2%})")
    assert result["growth"] < GROWTH_LIMIT, (
        f"RSS grew {result['growth']:.1%} over {result['n']:,} evaluations "
        f"({result['before']:,} -> {result['after']:,} bytes)")


def test_soak_10_000_evaluations():
    _check(soak(10_000))


@pytest.mark.slow
def test_soak_100_000_evaluations(request):
    if not slow_enabled(request.config):
        pytest.skip("slow: run with --run-slow (or LANDAPPROVAL_SLOW=1)")
    _check(soak(100_000))
