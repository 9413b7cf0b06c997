"""Batches that lose nothing (issue 18 items 7 and 8, build 5).

- a worker process that dies costs only its file: retried once in a fresh process, then reported by
  name (exit 3), and every later file is still answered, in input order;
- every output format carries one row per input file, in input order, failed ones included;
- an output that cannot be written (no permission, disk full) is its own message and exit code 4,
  says how far the run got, and leaves no 0-byte or half-written report.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from landapproval import api
from landapproval.cli import main
from landapproval.core.errors import EXIT_INTERNAL, EXIT_UNAVAILABLE

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "cases").glob("*.yaml"))


def cases(folder: Path, count: int, special: dict[int, str] | None = None) -> list[str]:
    """`count` case files (the examples, cycled) named 01-… so their order is the input order;
    `special`: index → a word put in that file's name (poison, flaky, broken)."""
    special = special or {}
    out = []
    for i in range(count):
        source = EXAMPLES[i % len(EXAMPLES)]
        word = special.get(i, "case")
        path = folder / f"{i + 1:02d}-{word}-{source.name}"
        text = source.read_text(encoding="utf-8")
        if word == "broken":
            text = text.replace("county:", "county_typo:", 1)
        path.write_text(text, encoding="utf-8")
        out.append(str(path))
    return out


@pytest.fixture
def deadly(monkeypatch, tmp_path):
    """api.evaluate, as the forked workers inherit it: a file named *poison* kills its process every
    time, one named *flaky* only the first time (a marker file remembers)."""
    real = api.evaluate
    marker = tmp_path / "flaky-died-once"

    def evaluate(path, *args, **kwargs):
        name = Path(str(path)).name
        if "poison" in name or ("flaky" in name and not marker.exists()):
            marker.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(api, "evaluate", evaluate)
    return marker


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def rows_of(fmt: str, stdout: str) -> list[tuple[str, bool]]:
    """(file or case, failed) per row of an output."""
    if fmt == "jsonl":
        return [(d["file"], "error" in d) for d in map(json.loads, stdout.splitlines())]
    if fmt == "csv":
        return [(r[0], bool(r[-1])) for r in list(csv.reader(io.StringIO(stdout)))[1:]]
    if fmt == "json":
        return [(d.get("file") or d["case"], "error" in d) for d in json.loads(stdout)]
    raise AssertionError(fmt)


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "text"])
def test_a_killed_worker_loses_only_its_own_file(tmp_path, deadly, fmt):
    """31 files with --jobs 2, the worker evaluating file 15 is killed every time it tries: 30
    answers and one error naming file 15, in input order; exit 3."""
    paths = cases(tmp_path, 31, {14: "poison"})
    result = invoke("evaluate", *paths, "--jobs", "2", "--format", fmt, "--lang", "en")
    assert result.exit_code == EXIT_INTERNAL, result.output
    assert f"{paths[14]}: internal error: the worker process evaluating this file died (signal 9)" in result.stderr
    assert "Traceback" not in result.output
    if fmt == "text":
        blocks = [line for line in result.stdout.splitlines() if "not evaluated" in line]
        assert blocks == [f"{paths[14]}: not evaluated ({paths[14]}: internal error: the worker process evaluating "
                          f"this file died (signal 9), and again when retried once in a fresh process; the other "
                          "files are unaffected — a defect of landapproval or the machine running out of resources; "
                          "please report it)"]
        assert "Summary: 31 cases" in result.stdout
        return
    rows = rows_of(fmt, result.stdout)
    assert len(rows) == 31
    assert [failed for _, failed in rows] == [i == 14 for i in range(31)]
    if fmt != "csv":     # csv names the case id, the others the file of a failure
        assert rows[14][0] == paths[14]


def test_a_worker_that_dies_once_is_retried_in_a_fresh_process(tmp_path, deadly):
    paths = cases(tmp_path, 9, {4: "flaky"})
    result = invoke("evaluate", *paths, "--jobs", "3", "--format", "jsonl")
    assert deadly.exists()                                    # it did die once
    assert result.exit_code in (0, 1), result.output          # and was then answered
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == paths and not any("error" in line for line in lines)
    assert lines[4]["case"] == api.evaluate(paths[4]).case


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "text"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_every_format_keeps_a_row_for_a_file_that_fails(tmp_path, fmt, jobs):
    paths = cases(tmp_path, 5, {2: "broken"})
    result = invoke("evaluate", *paths, "--jobs", jobs, "--format", fmt, "--lang", "en")
    assert result.exit_code == 2, result.output
    if fmt == "text":
        assert f"{paths[2]}: not evaluated (" in result.stdout
        order = [result.stdout.index(api.evaluate(p).case) if i != 2 else result.stdout.index(paths[2])
                 for i, p in enumerate(paths)]
        assert order == sorted(order)
        return
    rows = rows_of(fmt, result.stdout)
    assert [failed for _, failed in rows] == [False, False, True, False, False]


# --------------------------------------------------------------------------------------------
# I/O errors

def _refuse(kind: int):
    def mkstemp(*args, **kwargs):
        raise OSError(kind, os.strerror(kind), kwargs.get("dir", "?"))
    return mkstemp


@pytest.mark.parametrize("kind, words", [(errno.EACCES, "permission denied"), (errno.ENOSPC, "no space left")])
def test_an_html_report_folder_that_cannot_be_written_is_an_io_error(tmp_path, monkeypatch, kind, words):
    """As root a read-only folder is still writable, so the refusal is the file system's answer
    given by tempfile.mkstemp (the first write of a report); test_a_read_only_out_folder_… below
    does it with real permissions when not run as root."""
    paths = cases(tmp_path, 3)
    out = tmp_path / "reports"
    out.mkdir()
    monkeypatch.setattr(tempfile, "mkstemp", _refuse(kind))
    result = invoke("evaluate", *paths, "--format", "html", "--out", out, "--lang", "en")
    assert result.exit_code == EXIT_UNAVAILABLE, result.output
    assert f"cannot write {out}" in result.stderr and words in result.stderr
    assert "the results of 0 of 3 cases were written" in result.stderr
    assert "internal error" not in result.stderr and "defect" not in result.stderr.replace("or with landapproval", "")
    assert list(out.iterdir()) == []                            # no 0-byte report, no temporary file


def test_a_workbook_that_cannot_be_written_is_an_io_error(tmp_path, monkeypatch):
    paths = cases(tmp_path, 2)
    out = tmp_path / "book"
    monkeypatch.setattr(tempfile, "mkstemp", _refuse(errno.ENOSPC))
    result = invoke("evaluate", *paths, "--format", "xlsx", "--out", out)
    assert result.exit_code == EXIT_UNAVAILABLE, result.output
    assert "磁盘已满" in result.stderr and "内部错误" not in result.stderr
    assert not out.exists() or [p for p in out.iterdir()] == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder anyway (the test above "
                                              "covers the refusal through tempfile)")
def test_a_read_only_out_folder_gives_the_io_message_and_no_empty_file(tmp_path):
    paths = cases(tmp_path, 2)
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    try:
        result = invoke("evaluate", *paths, "--format", "html", "--out", out)
    finally:
        out.chmod(0o755)
    assert result.exit_code == EXIT_UNAVAILABLE
    assert "没有写入权限" in result.stderr
    assert list(out.iterdir()) == []


def test_reports_are_written_whole(tmp_path):
    paths = cases(tmp_path, 3)
    out = tmp_path / "reports"
    result = invoke("evaluate", *paths, "--format", "html", "--out", out)
    assert result.exit_code in (0, 1), result.output
    files = sorted(out.iterdir())
    assert len(files) == 3 and all(f.suffix == ".html" and f.stat().st_size > 1000 for f in files)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json", "text"])
def test_a_full_disk_behind_stdout_is_an_io_error_not_a_defect(tmp_path, fmt):
    paths = cases(tmp_path, 4)
    exe = Path(sys.executable).parent / "landapproval"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "landapproval.cli"]
    with open("/dev/full", "w") as full:
        proc = subprocess.run([*command, "evaluate", *paths, "--format", fmt], stdout=full, stderr=subprocess.PIPE,
                              text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == EXIT_UNAVAILABLE, proc.stderr
    assert "无法写入 <stdout>：磁盘已满" in proc.stderr
    assert "已输出 0/4 件的结果" in proc.stderr
    assert "Traceback" not in proc.stderr and "内部错误" not in proc.stderr and "Exception ignored" not in proc.stderr
