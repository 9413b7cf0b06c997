"""The offline bundle (issue 18 item 10, build 7): `scripts/offline_bundle.sh` builds a wheelhouse
that installs into a fresh venv with `pip install --no-index`, and the installed command evaluates
an example case and knows `serve`.

About a minute (pip's cache is used): it runs under CI=true and with --run-slow; otherwise it is
skipped with that reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "cases" / "city-authorized-batch.yaml"


def test_the_offline_bundle_installs_without_an_index_and_runs(tmp_path, request):
    if os.environ.get("CI") != "true" and not request.config.getoption("--run-slow") \
            and os.environ.get("LANDAPPROVAL_SLOW") != "1":
        pytest.skip("builds a wheelhouse (~1 min): runs under CI=true or with --run-slow")
    if sys.version_info[:2] != (3, 11) or shutil.which("python3.11") is None:
        message = "the bundle is for CPython 3.11 (python3.11 on PATH)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    bundle = tmp_path / "bundle"
    built = subprocess.run(["bash", str(ROOT / "scripts/offline_bundle.sh"), "--extras", "server", "--out", str(bundle)],
                           cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr[-4000:]
    command = built.stdout.strip().splitlines()[-1]
    assert "--no-index" in command and str(bundle) in command and "'landapproval[server]'" in command
    wheels = sorted(p.name for p in bundle.glob("*.whl"))
    assert any(w.startswith("landapproval-") for w in wheels) and any(w.startswith("durable_rules-") for w in wheels)
    assert any(w.startswith("uvicorn-") for w in wheels) and (bundle / "install.sh").exists()
    # the target: a fresh venv, no index at all (PIP_NO_INDEX and no config), only the bundle
    venv = tmp_path / "target"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1")
    installed = subprocess.run(["bash", str(bundle / "install.sh"), str(venv)], cwd=tmp_path, env=env,
                               capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    exe = venv / "bin" / "landapproval"
    evaluated = subprocess.run([str(exe), "evaluate", str(CASE), "--format", "json"], capture_output=True,
                               text=True, timeout=120, cwd=tmp_path)
    assert evaluated.returncode in (0, 1), evaluated.stderr
    assert '"case": "QW-2024-05"' in evaluated.stdout
    served = subprocess.run([str(exe), "serve", "--help"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert served.returncode == 0 and "--db-statement-timeout" in served.stdout
    imported = subprocess.run([str(venv / "bin/python"), "-c", "import landapproval, sys; print(landapproval.__file__)"],
                              capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert str(venv) in imported.stdout               # the bundle's copy, not this checkout
