"""The floors of the package: import-linter's contracts in pyproject.toml (layers run downward,
no cycles between the modules of a layer; function-local imports count too) hold."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_contracts_are_declared_for_every_layer():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    kinds = {c["type"]: c for c in config["contracts"]}
    layers = kinds["layers"]["layers"]
    assert layers[0] == "landapproval.cli" and layers[-1] == "landapproval.core"
    assert "landapproval.contract | landapproval.geo" in layers  # side by side: never import each other
    packages = {p.name for p in (ROOT / "landapproval").iterdir() if (p / "__init__.py").is_file()}
    named = {name.split(".")[1] for layer in layers for name in layer.split(" | ")}
    assert packages <= named, f"a subpackage outside the layers: {packages - named}"
    assert set(kinds["acyclic_siblings"]["ancestors"]) >= {f"landapproval.{p}" for p in packages}


def test_lint_imports_passes():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml")], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "BROKEN" not in result.stdout and "0 broken" in result.stdout
