"""The workbench in a real browser (a plugin of the root conftest, so that tests/web and
tests/surfaces share one server and one Chromium in a run): `landapproval serve` on a free loopback port, driven by Debian's
Chromium through its chromedriver (selenium; Selenium Manager never downloads anything).

One server and one browser for the whole session keep these tests within a minute or so. Under
CI=true a missing browser, driver or selenium is a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
LAYERS = ROOT / "cases" / "gis" / "layers.yaml"


def _missing(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true: the browser tests need {reason}", pytrace=False)
    pytest.skip(f"browser tests need {reason}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(log: Path, *options: str):
    """Start `landapproval serve` on a free port; yield its URL; stop it."""
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        _missing("fastapi and uvicorn (pip install -e '.[dev]')")
    port = _free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "landapproval.cli", "serve", "--host", "127.0.0.1",
                                 "--port", str(port), *options], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:  # ready: the rule book compiled and the layer set open (/readyz)
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the server did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def base_url(tmp_path_factory):
    """The real server (`landapproval serve --layers`, the example layer set) in a child process,
    on a free loopback port."""
    yield from _serve(tmp_path_factory.mktemp("server") / "server.log", "--layers", str(LAYERS))


TOKEN = "workbench-test-token"


@pytest.fixture(scope="module")
def token_server(tmp_path_factory):
    """(url, token) of a server that wants `Authorization: Bearer <token>` (serve --token-file)."""
    folder = tmp_path_factory.mktemp("token-server")
    (folder / "token").write_text(TOKEN + "\n", encoding="utf-8")
    for url in _serve(folder / "server.log", "--token-file", str(folder / "token")):
        yield url, TOKEN


@pytest.fixture(scope="session")
def downloads(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="session")
def browser(downloads, tmp_path_factory):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium (pip install -e '.[dev]')")
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (Path(path).exists() or shutil.which(path)):
            _missing(f"{path} (Debian packages chromium and chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--window-size=1280,1000", "--lang=zh-CN",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.implicitly_wait(0)
    yield driver
    driver.quit()
