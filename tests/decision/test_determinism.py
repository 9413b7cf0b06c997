"""Determinism: the same case gives byte-identical output, every time, everywhere.

A decision is evidence in an administrative file: two runs on the same case must not differ by a
single byte — not within one process (caches warm or cold), not between processes, and not with a
different string-hash seed (PYTHONHASHSEED changes set and dict-of-str iteration in code that
relies on it by accident). Checked for the realistic complete case and for every case file in
cases/, through the API, click's CliRunner and real `landapproval evaluate` processes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import landapproval
from landapproval.cli import main
from landapproval.core.reader import read_document
from helpers import all_case_files as case_files

REPO = Path(__file__).resolve().parents[2]
COMPLETE = REPO / "cases" / "review" / "complete-approvable.yaml"
HASH_SEEDS = ("0", "1", "42", "4294967295", "random")


def cli_command() -> list[str]:
    """`landapproval` as installed beside this interpreter (the console script), else `python -m`."""
    script = Path(sys.executable).parent / "landapproval"
    if script.exists():
        return [str(script)]
    found = shutil.which("landapproval")
    return [found] if found else [sys.executable, "-m", "landapproval.cli"]


def run(args: list[str], hash_seed: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}
    if hash_seed is not None:
        env["PYTHONHASHSEED"] = hash_seed
    proc = subprocess.run(cli_command() + args, capture_output=True, cwd=REPO, env=env, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in proc.stderr
    return proc


def dump(decision, lang: str = "zh") -> str:
    return json.dumps(decision.to_dict(lang), ensure_ascii=False, indent=2)


# --------------------------------------------------------------------------- one process

@pytest.mark.parametrize("path", case_files(), ids=lambda p: str(p.relative_to(REPO / "cases")))
def test_same_case_same_bytes_within_one_process(path):
    data = read_document(path)
    from_path = [dump(landapproval.evaluate(path)) for _ in range(5)]
    from_dict = [dump(landapproval.evaluate(data, base_dir=path.parent)) for _ in range(5)]
    assert len(set(from_path)) == 1, f"{path}: the API gave different decisions for the same file"
    assert set(from_dict) == set(from_path), f"{path}: a dict and the file gave different decisions"


def test_same_bytes_from_the_cli_within_one_process():
    runner = CliRunner()
    outputs = set()
    for fmt in ("json", "text", "jsonl", "csv"):
        seen = {runner.invoke(main, ["evaluate", str(COMPLETE), "--format", fmt]).stdout_bytes for _ in range(5)}
        assert len(seen) == 1, f"--format {fmt} changed between runs"
        outputs |= seen
    json_out = runner.invoke(main, ["evaluate", str(COMPLETE), "--format", "json"]).stdout
    assert json_out == dump(landapproval.evaluate(COMPLETE)) + "\n"


def test_same_bytes_in_english_too():
    assert len({dump(landapproval.evaluate(COMPLETE), "en") for _ in range(5)}) == 1


def test_batch_order_and_bytes_do_not_depend_on_jobs():
    files = [str(p) for p in case_files()]
    runner = CliRunner()
    one = runner.invoke(main, ["evaluate", *files, "--format", "jsonl", "--jobs", "1"])
    two = runner.invoke(main, ["evaluate", *files, "--format", "jsonl", "--jobs", "2"])
    assert one.exit_code in (0, 1) and one.stdout.count("\n") == len(files), one.output
    assert one.stdout_bytes == two.stdout_bytes


# --------------------------------------------------------------------------- separate processes

@pytest.fixture(scope="module")
def in_process_json() -> bytes:
    return (dump(landapproval.evaluate(COMPLETE)) + "\n").encode("utf-8")


def test_two_processes_give_the_same_bytes(in_process_json):
    first = run(["evaluate", str(COMPLETE), "--format", "json"])
    second = run(["evaluate", str(COMPLETE), "--format", "json"])
    assert first.stdout == second.stdout
    assert first.stdout == in_process_json, "a separate process and this one disagree"


@pytest.mark.parametrize("seed", HASH_SEEDS)
def test_hash_seed_does_not_change_the_decision(seed, in_process_json):
    proc = run(["evaluate", str(COMPLETE), "--format", "json"], hash_seed=seed)
    assert proc.stdout == in_process_json, f"PYTHONHASHSEED={seed} changed the output"


def test_hash_seed_does_not_change_any_case_file():
    """Every case file, in one process per seed (jsonl: one decision per line)."""
    files = [str(p) for p in case_files()]
    outputs = {seed: run(["evaluate", *files, "--format", "jsonl"], hash_seed=seed).stdout
               for seed in ("0", "1", "2024")}
    reference = outputs["0"]
    assert reference.count(b"\n") == len(files)
    for seed, out in outputs.items():
        if out != reference:
            for a, b in zip(reference.splitlines(), out.splitlines()):
                assert a == b, f"PYTHONHASHSEED={seed} changed:\n{a[:400]!r}\n{b[:400]!r}"


@pytest.mark.parametrize("fmt", ["text", "csv"])
def test_hash_seed_does_not_change_other_formats(fmt):
    outs = {run(["evaluate", str(COMPLETE), "--format", fmt, "--lang", "en"], hash_seed=seed).stdout
            for seed in ("0", "77")}
    assert len(outs) == 1
