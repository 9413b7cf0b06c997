"""README's Chinese section "给经办人员" is enough on its own: its commands, run as written on a fresh
copy of the project, install (or find) the program, write a template, check it and decide it.

The install line is run as the README allows: a copy that already has `.venv` skips it (the copy
gets this run's environment); with --run-slow the copy installs its own `.venv` from scratch.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## 给经办人员")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def commands() -> list[str]:
    return [line.strip() for block in re.findall(r"```sh\n(.*?)```", section(), re.S)
            for line in block.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_the_section_says_how_to_install_and_where_the_command_is():
    said = section()
    assert "python3.11 -m venv .venv" in said and "pip install" in said          # install
    assert ".venv/bin/landapproval" in said and "source .venv/bin/activate" in said  # where, or activate
    first = commands()
    assert first[0].startswith("test -d .venv ||")                              # install comes first
    # every landapproval command is written with its location: nothing is `command not found`
    assert all(not c.startswith("landapproval") for c in first), first


def _fresh_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "landapproval"
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout.splitlines()
    for name in files:
        source = ROOT / name
        if source.is_file() and not name.startswith(".venv"):
            target = copy / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return copy


def test_the_commands_run_as_written_on_a_fresh_copy(tmp_path, request):
    copy = _fresh_copy(tmp_path)
    slow = request.config.getoption("--run-slow") or os.environ.get("LANDAPPROVAL_SLOW") == "1"
    if not slow:   # "已经有 .venv 目录的可以跳过这一步": the copy has one (this run's)
        (copy / ".venv").symlink_to(Path(sys.prefix))   # the environment running these tests
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    for command in commands():
        if command.endswith("serve"):
            continue
        done = subprocess.run(["bash", "-c", command], cwd=copy, capture_output=True, text=True, env=env, timeout=900)
        assert "command not found" not in done.stderr and "Traceback" not in done.stderr, (command, done.stderr)
        # 0: approvable / all evidence given; 1: not approvable yet or (--strict) evidence missing
        assert done.returncode in (0, 1), (command, done.returncode, done.stderr)
    assert (copy / "洪洞-2024-01.yaml").exists() and (copy / "报件" / "洪洞-2024-01.yaml").exists()
    assert list((copy / "报告").glob("*.html")) and (copy / "汇总" / "审查结果.xlsx").exists()
    first = subprocess.run(["bash", "-c", ".venv/bin/landapproval evaluate 洪洞-2024-01.yaml"], cwd=copy,
                           capture_output=True, text=True, env=env).stdout.splitlines()[0]
    assert first.startswith("结论：")
