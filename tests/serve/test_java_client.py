"""The generated Java client against a live server (issue 18 items 1 and 2, build 2).

`scripts/check_java_client.sh --run` generates openapi-generator's Java client (native library:
java.net.http + Jackson) from /openapi.json, compiles it with a tiny main and calls /v1/evaluate
with Java's default HttpClient — HTTP/2 first, so the POST carries `Upgrade: h2c` — with Jackson
made strict. The main prints the approving levels and the six workflow steps, compared here with
the Python API's decision. Under CI (Java and the Jackson jars installed by .ci/run) a missing
piece fails; elsewhere it is skipped with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from landapproval import api
from landapproval.serve import app as server
from landapproval.serve.protocol import HTTP_PROTOCOL
from test_server import APPROVABLE, case_data, running, to_json

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI") == "true"
JARS = [Path("/usr/share/java") / f"{name}.jar" for name in
        ("jackson-annotations", "jackson-core", "jackson-databind", "jakarta-annotation-api", "jsr305")]


def _missing() -> list[str]:
    missing = [tool for tool in ("java", "javac") if shutil.which(tool) is None]
    return missing + [str(jar) for jar in JARS if not jar.exists()]


def test_the_generated_java_client_prints_the_level_and_six_steps(tmp_path):
    missing = _missing()
    if missing:
        message = f"the Java check needs {', '.join(missing)} (.ci/run installs default-jdk-headless and the jars)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    case = tmp_path / "case.json"
    case.write_text(to_json(case_data(APPROVABLE)), encoding="utf-8")
    expected = json.loads(api.evaluate(APPROVABLE).to_json("en"))
    with running(server.create_app(server.Settings()), http=HTTP_PROTOCOL) as url:
        result = subprocess.run(["bash", str(ROOT / "scripts/check_java_client.sh"), "--run", url, str(case)],
                                cwd=ROOT, capture_output=True, text=True, timeout=400)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    lines = result.stdout.splitlines()
    authority = expected["authority"]
    assert "http client version: HTTP_2" in lines       # the default: asks for h2c on every request
    assert f"case: {expected['case']}" in lines
    assert f"conversion: {authority['conversion']['level']} ({authority['conversion']['mode']})" in lines
    assert f"expropriation: {authority['expropriation']['level']} ({authority['expropriation']['mode']})" in lines
    steps = [line for line in lines if line.startswith("step ")]
    assert steps == [f"step {s['id']} {s['status']}" for s in expected["workflow"]["steps"]]
    assert len(steps) == 6
