"""The 台账 page in Chromium: the list with filters, a case's history, the report and its xlsx
download — and a county token that does not see another county's case."""

from __future__ import annotations

import time

import pytest
from openpyxl import load_workbook

from landapproval.register import Register
from tests.register.conftest import case
from browser import _serve  # the browser and downloads fixtures come from tests/browser.py (pytest_plugins)

CITY, HONGTONG = "ledger-city-token-0123456789", "ledger-hongtong-token-0123456789"


@pytest.fixture(scope="module")
def ledger_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ledger")
    db = str(folder / "台账.sqlite")
    reg = Register.open(db)
    reg.add(case("HD-2024-01", parcels=[("A", 1, 0)]), by="洪洞县局")
    reg.add(case("HD-2024-01", parcels=[("A", 2, 0)]), by="洪洞县局")  # a 补正: version 2
    reg.event("洪洞县", "HD-2024-01", "受理", "2024-08-05", by="市局 王")
    reg.event("洪洞县", "HD-2024-01", "补正", "2024-08-07", by="市局 王", note="C3 权属")
    reg.add(case("QW-2024-01", county="曲沃县", parcels=[("B", 1, 0)]), by="曲沃县局")
    reg.event("曲沃县", "QW-2024-01", "受理", "2024-08-06", by="市局 王")
    reg.close()
    (folder / "tokens").write_text(f"{CITY}\n{HONGTONG} county:141024\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LANDAPPROVAL_DB", db)
        yield from _serve(folder / "server.log", "--token-file", str(folder / "tokens"))


def _wait(condition, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("the page did not get there in time")


def _rows(browser):
    """The list's rows as text, read in one script (the list is re-rendered under a search)."""
    return browser.execute_script(
        "return [...document.querySelectorAll('#cases tbody tr')].map(tr => [...tr.cells].map(td => td.textContent))")


def _open(browser, url, token):
    from selenium.webdriver.common.by import By
    browser.get(f"{url}/ledger")
    field = browser.find_element(By.ID, "token")
    field.clear()
    field.send_keys(token)
    browser.execute_script("document.getElementById('token').dispatchEvent(new Event('change'))")


def test_the_ledger_page_lists_shows_history_and_downloads_the_report(browser, ledger_url, downloads):
    from selenium.webdriver.common.by import By

    _open(browser, ledger_url, CITY)
    browser.find_element(By.ID, "search").click()
    rows = _wait(lambda: _rows(browser) if len(_rows(browser)) == 2 else None)
    assert [r[:4] for r in rows] == [["曲沃县", "QW-2024-01", "已受理", "1"], ["洪洞县", "HD-2024-01", "补正中", "2"]]
    browser.find_element(By.ID, "county").send_keys("洪洞县")
    browser.find_element(By.ID, "search").click()
    _wait(lambda: len(_rows(browser)) == 1)

    browser.find_element(By.CSS_SELECTOR, "#cases tbody tr").click()
    history = _wait(lambda: browser.find_element(By.ID, "history").text if "第2版" in browser.find_element(By.ID, "history").text else None)
    assert "parcels[A].land.cultivated" in history and "C3 权属" in history and "补正" in history

    browser.find_element(By.ID, "show-report").click()
    report = _wait(lambda: browser.find_element(By.ID, "report").text or None)
    assert "报件质量通报" in report and "洪洞县" in report

    for old in downloads.glob("*.xlsx"):
        old.unlink()
    browser.find_element(By.ID, "download").click()
    book = _wait(lambda: next(iter(downloads.glob("报件质量通报-2024.xlsx")), None))
    _wait(lambda: book.stat().st_size > 0 and not list(downloads.glob("*.crdownload")))
    sheet = load_workbook(book)["通报"]
    counties = {row[0].value: row[1].value for row in sheet.iter_rows(min_row=3)}
    assert counties == {"曲沃县": 1, "洪洞县": 1}


def test_a_county_token_does_not_see_another_countys_case_in_the_page(browser, ledger_url):
    from selenium.webdriver.common.by import By

    _open(browser, ledger_url, HONGTONG)
    browser.find_element(By.ID, "search").click()
    rows = _wait(lambda: _rows(browser) or None)
    assert [r[1] for r in rows] == ["HD-2024-01"]
    browser.execute_script("history_probe = null; fetch('/v1/cases/曲沃县/QW-2024-01', {headers: headers()})"
                           ".then(r => { window.history_probe = r.status; })")
    assert _wait(lambda: browser.execute_script("return window.history_probe")) == 404
    browser.find_element(By.ID, "show-report").click()
    assert "403" in _wait(lambda: browser.find_element(By.ID, "error").text or None)
