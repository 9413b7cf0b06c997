"""The rule engine under load: threads, a fact set nothing matches, a failing action, and memory
over many evaluations (durable_rules keeps sessions in C; a leak would show in RSS)."""

from __future__ import annotations

import itertools
import json
import resource
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import landapproval
import landapproval.law.engine as engine_module
from landapproval import EngineError
from landapproval.law import Law
from landapproval.core.reader import read_document

from helpers import DELEGATED_CODES, ROOT, case_files, make_case, parcel

PAGE = resource.getpagesize()


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def _inputs() -> list[dict]:
    """The example cases plus generated variants over counties, kinds, zones and thresholds."""
    cases = [read_document(p) for p in case_files()]
    kinds = ("batch", "single_site", "village_housing")
    zones = (None, {"name": "某园区", "level": "county"}, {"name": "某开发区", "level": "provincial"})
    areas = ("0.5000", "35.0000", "35.0001")
    for i, (kind, zone, area, pbf) in enumerate(itertools.product(kinds, zones, areas, ("0", "0.2000"))):
        county = DELEGATED_CODES[i % len(DELEGATED_CODES)] if i % 5 else "yaodu"
        cases.append(make_case(county=county, kind=kind, zone=zone, case_id=f"GEN-{i}",
                               filed_on="2024-06-21" if i % 7 == 0 else "2024-09-10",
                               parcels=[parcel("P1", cultivated=area, permanent_basic_farmland=pbf),
                                        parcel("P2", ownership="state", other_agricultural="1.2500")]))
    return cases


def _answer(case) -> str:
    return json.dumps(landapproval.evaluate(case).to_dict(), ensure_ascii=False)


def test_eight_threads_give_the_sequential_answers():
    cases = _inputs()
    expected = [_answer(c) for c in cases]
    rounds = 3
    barrier = threading.Barrier(8)
    results: dict[int, list[str]] = {}
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        order = list(range(len(cases)))
        order = order[worker:] + order[:worker]          # each thread walks the cases from elsewhere
        try:
            barrier.wait(timeout=30)
            got = {}
            for _ in range(rounds):
                for index in order:
                    answer = _answer(cases[index])
                    assert got.setdefault(index, answer) == answer
            results[worker] = [got[i] for i in range(len(cases))]
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung (a lock not released?)"
    assert not errors, errors[:3]
    assert len(results) == 8
    for worker, answers in results.items():
        assert answers == expected, f"thread {worker} disagrees with the sequential run"


def test_threads_in_a_fresh_process_agree_from_the_first_evaluation():
    """The engine and the rule book are built lazily; 8 threads racing to build them must agree."""
    script = textwrap.dedent("""
        import json, sys, threading
        sys.path.insert(0, "tests")
        import landapproval
        from landapproval.core.reader import read_document
        from helpers import case_files
        cases = [read_document(p) for p in case_files()]
        barrier = threading.Barrier(8)
        out, errors = {}, []
        def work(i):
            try:
                barrier.wait()
                out[i] = [json.dumps(landapproval.evaluate(c).to_dict(), ensure_ascii=False) for c in cases]
            except Exception as error:
                errors.append(repr(error))
        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        sequential = [json.dumps(landapproval.evaluate(c).to_dict(), ensure_ascii=False) for c in cases]
        print(json.dumps({"errors": errors, "threads": len(out), "same": all(v == sequential for v in out.values())}))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report == {"errors": [], "threads": 8, "same": True}


def test_routing_facts_with_no_routing_rule_give_no_rule():
    # every routing rule needs a fact this set does not have: nothing but the session marker fires
    assert Law.default().engine.fire("authority", {"case.evaluated": True}) == []
    assert Law.default().engine.fire("review", {"case.evaluated": True}) == []


def test_a_fact_set_no_rule_matches_is_a_normal_answer():
    """engine.py promises: "a fact set no rule matches is a normal answer (no rule fired)".

    Run in a child process: if durable_rules crashes on it (SIGSEGV / free(): invalid size) that
    must fail this test, not kill the whole test run."""
    script = textwrap.dedent("""
        import json
        from landapproval.law import Law
        results = [
            Law.default().engine.fire("authority", {"county.code": "999999"}),
            Law.default().engine.fire("authority", {"case.evaluated": False}),
            Law.default().engine.fire("review", {}),
        ]
        print(json.dumps(results))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 0, (f"the process died with {proc.returncode} "
                                  f"(negative = killed by signal) on a fact set no rule matches: {proc.stderr[-500:]}")
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == [[], [], []]


@pytest.mark.parametrize("target", ["_action_name", "core.update_state", "core.complete_and_start_action",
                                    "core.assert_fact"])
def test_an_exception_inside_the_engine_surfaces_as_engine_error(monkeypatch, target):
    case = read_document(case_files()[0])
    good = _answer(case)

    def boom(*args, **kwargs):
        raise RuntimeError("boom inside an action")

    owner = engine_module.core if target.startswith("core.") else engine_module
    monkeypatch.setattr(owner, target.split(".")[-1], boom)
    for _ in range(3):
        with pytest.raises(EngineError) as caught:
            landapproval.evaluate(case)
        assert "boom inside an action" in str(caught.value)
    monkeypatch.undo()
    # the lock was released and the failed sessions deleted: more than the engine's 1,024 live
    # sessions later, answers are still right
    for _ in range(1100):
        assert _answer(case) == good


def test_engine_error_never_returns_a_partial_decision(monkeypatch):
    calls = {"n": 0}
    original = engine_module.core.update_state

    def fail_on_the_third_firing(*args):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("boom after two firings")
        return original(*args)

    monkeypatch.setattr(engine_module.core, "update_state", fail_on_the_third_firing)
    with pytest.raises(EngineError):
        landapproval.evaluate(read_document(case_files()[0]))


def _loop(cases, count):
    started = time.perf_counter()
    for i in range(count):
        decision = landapproval.evaluate(cases[i % len(cases)])
        assert decision.checks
    return time.perf_counter() - started


def test_ten_thousand_evaluations_with_bounded_memory(capsys):
    cases = _inputs()
    _loop(cases, 1000)                        # warm-up: caches, allocator arenas
    before = rss_bytes()
    elapsed = _loop(cases, 10_000)
    after = rss_bytes()
    growth = (after - before) / before
    with capsys.disabled():
        print(f"\n[engine] 10,000 evaluations in {elapsed:.2f} s = {10_000 / elapsed:,.0f} evaluations/s; "
              f"RSS {before / 2**20:.1f} → {after / 2**20:.1f} MiB ({growth:+.1%})")
    assert growth < 0.10, f"RSS grew {growth:.1%} over 10,000 evaluations"


@pytest.mark.slow
def test_hundred_thousand_evaluation_soak(capsys):
    cases = _inputs()
    _loop(cases, 2000)
    before = rss_bytes()
    elapsed = _loop(cases, 100_000)
    after = rss_bytes()
    growth = (after - before) / before
    with capsys.disabled():
        print(f"\n[engine] 100,000 evaluations in {elapsed:.1f} s = {100_000 / elapsed:,.0f} evaluations/s; "
              f"RSS {before / 2**20:.1f} → {after / 2**20:.1f} MiB ({growth:+.1%})")
    assert growth < 0.10, f"RSS grew {growth:.1%} over 100,000 evaluations"


def test_slow_soak_is_opt_in(pytestconfig):
    """The soak runs only with --run-slow (or LANDAPPROVAL_SLOW=1); the option must exist."""
    assert pytestconfig.getoption("--run-slow") in (True, False)
