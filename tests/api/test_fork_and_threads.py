"""Issue 21 items 2 and 8: a process forked while another thread evaluates has a usable engine
(before: 15 of 15 such children hung on the inherited engine lock), and a cold start with eight
threads builds the law once."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from pathlib import Path

import pytest

import landapproval
import landapproval.law as lawmod
from landapproval.law import Law

REPO = Path(__file__).resolve().parents[2]
C4 = REPO / "cases" / "review" / "c4-supplement-short.yaml"
CITY = REPO / "cases" / "city-authorized-batch.yaml"

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")


def _wait(pid: int, seconds: float) -> int | None:
    """The child's exit status, or None (after killing it) if it did not end in time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.01)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    return None


def _fork_and_evaluate(expected: str) -> int:
    pid = os.fork()
    if pid == 0:  # the child: evaluate once, exit 0 if the answer is right
        code = 1
        try:
            code = 0 if landapproval.evaluate(C4).to_json("en") == expected else 4
        finally:
            os._exit(code)
    return pid


class _Busy:
    """A thread evaluating as fast as it can until stopped."""

    def __init__(self, law: Law | None = None):
        self.stop = threading.Event()
        self.count = 0
        self.thread = threading.Thread(target=self._run, args=(law,), daemon=True)

    def _run(self, law):
        model = landapproval.load_case(CITY)[0]
        while not self.stop.is_set():
            landapproval.evaluate(model, law=law)
            self.count += 1

    def __enter__(self):
        self.thread.start()
        while self.count < 5:
            time.sleep(0.001)
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(10)


def test_forking_while_another_thread_evaluates_gives_children_a_working_engine():
    expected = landapproval.evaluate(C4).to_json("en")
    results = []
    with _Busy():
        for _ in range(12):
            results.append(_wait(_fork_and_evaluate(expected), 15))
    assert results == [0] * 12


def test_a_child_forked_while_the_engine_lock_is_stuck_builds_its_own_engine(monkeypatch):
    """A thread that never leaves the engine (simulated: the lock held for good): the fork waits
    `_FORK_WAIT`, then the child replaces the lock and compiles a fresh engine."""
    expected = landapproval.evaluate(C4).to_json("en")
    engine = Law.default().engine
    monkeypatch.setattr(lawmod, "_FORK_WAIT", 0.2)
    taken, release = threading.Event(), threading.Event()

    def stuck():
        with engine._lock:
            taken.set()
            release.wait(30)

    holder = threading.Thread(target=stuck, daemon=True)
    holder.start()
    taken.wait(5)
    try:
        started = time.monotonic()
        pid = _fork_and_evaluate(expected)
        waited = time.monotonic() - started
        assert _wait(pid, 60) == 0
        assert 0.15 < waited < 5
    finally:
        release.set()
        holder.join(5)
    # the parent's engine is the same one, still working, its lock free again
    assert Law.default().engine is engine
    assert landapproval.evaluate(C4).to_json("en") == expected


def _pool_job(_: int) -> str:
    return landapproval.evaluate(C4).to_json("en")


def test_a_fork_pool_started_while_a_thread_evaluates_answers_correctly():
    expected = landapproval.evaluate(C4).to_json("en")
    with _Busy():
        context = multiprocessing.get_context("fork")
        with context.Pool(2) as pool:
            answers = pool.map_async(_pool_job, range(8)).get(timeout=60)
    assert answers == [expected] * 8


def test_eight_threads_starting_cold_build_the_law_and_its_engine_once(tmp_path, monkeypatch):
    """A cold process: eight threads evaluate at once; the rules compile once, the engine once."""
    script = tmp_path / "cold.py"
    script.write_text(f"""
import threading, landapproval, landapproval.law as L
counts = {{"book": 0, "engine": 0}}
compile_book, engine_init = L.compile_book, L.Engine.__init__
def counted_book(*a):
    counts["book"] += 1
    return compile_book(*a)
def counted_engine(self, *a):
    counts["engine"] += 1
    engine_init(self, *a)
L.compile_book, L.Engine.__init__ = counted_book, counted_engine
barrier = threading.Barrier(8)
answers = []
def run():
    barrier.wait()
    answers.append(landapproval.evaluate({str(C4)!r}).to_json("en"))
threads = [threading.Thread(target=run) for _ in range(8)]
[t.start() for t in threads]; [t.join() for t in threads]
assert len(set(answers)) == 1 and len(answers) == 8, answers
print(counts["book"], counts["engine"])
""")
    import subprocess

    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1", "1"]
