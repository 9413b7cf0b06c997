"""Issue 21 item 8: the whole package passes `mypy --strict landapproval` (the CI check, with the
[tool.mypy] config of pyproject.toml), and an embedder's typo in a status, level or severity is a
type error (before: plain `str`, 558 errors under --strict).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "landapproval"


def _mypy(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    try:
        import mypy  # noqa: F401
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("mypy is not installed (it is in the dev extra)")
        pytest.skip("mypy is not installed: pip install -e '.[dev]'")
    return subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=600)


def test_the_whole_package_passes_mypy_strict(tmp_path):
    assert len(list(PACKAGE.rglob("*.py"))) >= 80   # the package itself, every subpackage included
    out = _mypy("--strict", "--cache-dir", str(tmp_path / "cache"), "landapproval")
    assert out.returncode == 0, out.stdout + out.stderr


def test_a_status_typo_is_a_type_error_for_an_embedder(tmp_path):
    use = tmp_path / "use.py"
    use.write_text(
        "import landapproval\n"
        "d = landapproval.evaluate('cases/city-authorized-batch.yaml')\n"
        "if d.check('C4').status == 'passed':\n"          # line 3: not a status
        "    pass\n"
        "if d.conversion is not None and d.conversion.level == 'City':\n"   # line 5
        "    pass\n"
        "if d.findings and d.findings[0].severity == 'blocker':\n"           # line 7
        "    pass\n"
        "if d.check('C4').status == 'pass' and d.step('S1').status == 'done':\n"  # fine
        "    pass\n"
        "reveal_type(d.to_dict('en')['checks'][0]['status'])\n",
        encoding="utf-8")
    out = _mypy("--strict", "--cache-dir", str(tmp_path / "cache"), str(use))
    errors = [line for line in out.stdout.splitlines() if ": error:" in line]
    assert [line.split(":")[1] for line in errors] == ["3", "5", "7"], out.stdout
    assert all("Non-overlapping equality check" in line for line in errors)
    assert "Literal['pass'] | Literal['fail'] | Literal['incomplete'] | Literal['not_applicable']" in out.stdout


def test_the_result_and_error_classes_are_exported_with_docstrings():
    import landapproval

    for name in ("Decision", "Authority", "Check", "Step", "Finding", "Message", "Problem", "Law",
                 "LandApprovalError", "InputError", "RuleError", "EngineError", "CalendarError",
                 "UnknownLanguageError", "StoredDecisionError"):
        obj = getattr(landapproval, name)
        assert name in landapproval.__all__
        assert obj.__doc__ and len(obj.__doc__.strip()) > 20, name
    for name in ("Decision", "Authority", "Check", "Step", "Finding"):
        assert getattr(landapproval, name).__module__ == "landapproval.decision.model"
