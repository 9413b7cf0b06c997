"""Test-suite options: `--run-slow` runs the tests marked `slow` (long soaks and benchmarks).

Without it (and without LANDAPPROVAL_SLOW=1 in the environment) they are skipped, so the default
run stays within a couple of minutes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# the shared helpers (helpers.py, review_helpers.py) sit here, beside the folders of each layer
sys.path.insert(0, str(Path(__file__).resolve().parent))

# the real server and one headless Chromium, shared by tests/web and tests/surfaces (tests/browser.py)
pytest_plugins = ("browser",)


def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", default=False,
                     help="also run the tests marked slow (100,000-evaluation soaks, long fuzzing)")


def _slow_enabled(config) -> bool:
    return bool(config.getoption("--run-slow")) or os.environ.get("LANDAPPROVAL_SLOW") == "1"


def pytest_collection_modifyitems(config, items):
    if _slow_enabled(config):
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow (or LANDAPPROVAL_SLOW=1)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
