"""One case, one answer, on every surface.

Every example case (cases/, cases/review/), and every accepted spelling of it generated from the
file (`spellings`: 是/否, 批次, 集体, 2024年9月10日, 5.1234公顷, 无, full-width digits, a GBK file), goes
through the Python API, the CLI (json, text, csv, xlsx, html), HTTP /v1/evaluate, the workbench
in real Chromium (upload → form → evaluate) and the web batch. Each must give the decision of the
case as written: the whole decision where the surface carries it (verdict, authorities, every check
and step status, findings), the decision's words (decision.words) where the surface is a table or
a page. Any difference fails, naming the case, the spelling and the surface.
"""

from __future__ import annotations

import base64
import html
import re
import io
import json
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from landapproval import api
from landapproval.batch import Outcome
from landapproval.cli import main
from landapproval.core.jsonout import dumps
from landapproval.decision import words
from landapproval.views import table

from spellings import example_cases, variants

CASES = example_cases()


def _plain(data) -> dict:
    return json.loads(dumps(data))


@pytest.fixture(scope="module")
def spelled(tmp_path_factory):
    """[(case, spelling, file)] for every example case, and each case's decision as written."""
    folder = tmp_path_factory.mktemp("spellings")
    files, reference = [], {}
    for case in CASES:
        reference[case] = api.evaluate(case)
        files += [(case, name, path) for name, path in variants(case, folder)]
    return files, reference


def test_every_example_case_has_each_spelling():
    assert len(CASES) >= 25
    names = {p.name for p in CASES}
    assert {"provincial-zone-batch.yaml", "over-35ha-cultivated.yaml", "county-village-housing.yaml",
            "review/complete-approvable.yaml".split("/")[-1]} <= names


def test_python_api(spelled):
    files, reference = spelled
    for case, name, path in files:
        assert _plain(api.evaluate(path).to_dict()) == _plain(reference[case].to_dict()), (case.name, name)


def _cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def test_cli_json_text_csv(spelled):
    files, reference = spelled
    paths = [str(path) for _, _, path in files]
    decisions = json.loads(_cli("evaluate", *paths, "--format", "json"))
    for (case, name, _), got in zip(files, decisions):
        assert got == _plain(reference[case].to_dict()), (case.name, name, "json")
    rows = list(__import__("csv").DictReader(io.StringIO(_cli("evaluate", *paths, "--format", "csv").lstrip("\ufeff"))))
    header = {zh: key for key, zh, _ in table.COLUMNS}
    for (case, name, path), row in zip(files, rows):
        want = table.table_row(Outcome(str(path), decision=reference[case]))
        got = {header[k]: v for k, v in row.items()}
        assert {k: v for k, v in got.items() if k != "file"} == {k: v for k, v in want.items() if k != "file"}, \
            (case.name, name, "csv")
    for case, name, path in files:
        text = _cli("evaluate", str(path))
        ref = reference[case]
        assert text.startswith(words.verdict(ref)), (case.name, name, "text")
        for entry in (ref.conversion, ref.expropriation):
            assert words.authority_words(entry, "zh", ref.county["name"]) in text, (case.name, name, "text")
        assert words.checks_summary(ref, "zh") in text, (case.name, name, "text")
        assert f"下一步: {words.next_words(ref)}" in text, (case.name, name, "text")
        assert "技术附录" not in text and "rules sha256" not in text, (case.name, name, "text")


def test_cli_xlsx_and_html(spelled, tmp_path):
    from openpyxl import load_workbook

    files, reference = spelled
    paths = [str(path) for _, _, path in files]
    _cli("evaluate", *paths, "--format", "xlsx", "--out", str(tmp_path / "xlsx"))
    sheet = load_workbook(tmp_path / "xlsx" / "审查结果.xlsx").worksheets[0]
    keys = {zh: key for key, zh, _ in table.COLUMNS}
    header = [keys[c.value] for c in sheet[1]]
    for (case, name, path), cells in zip(files, sheet.iter_rows(min_row=2, values_only=True)):
        got = dict(zip(header, cells))
        want = table.table_row(Outcome(str(path), decision=reference[case]))
        for key in ("verdict", "conversion_authority", "expropriation_authority", "together", "not_passed",
                    "blocking", "next_step", "case", "county"):
            assert (got[key] or "") == want[key], (case.name, name, "xlsx", key)
    for case, name, path in files:
        out = tmp_path / "html" / f"{path.stem}"
        _cli("evaluate", str(path), "--format", "html", "--out", str(out))
        page = html.unescape(next(out.glob("*.html")).read_text(encoding="utf-8"))
        ref = reference[case]
        assert words.verdict(ref) in page, (case.name, name, "html")
        for entry in (ref.conversion, ref.expropriation):
            if entry is not None:
                assert words.level_name(entry.level, "zh", ref.county["name"]) in page, (case.name, name, "html")
        for check in ref.checks:
            assert words.STATUS["zh"][check.status] in page, (case.name, name, "html")


def _data_words(case: Path) -> list:
    """What the official wrote that the page shows as written: the case id, title, parcel ids,
    the numbers of violations and petitions, names (never a value the contract spells in English)."""
    from landapproval.core.reader import read_document

    out, stack = [], [read_document(case)]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            out += [str(v) for k, v in node.items() if k in ("id", "title", "name") and isinstance(v, (str, int))]
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(node)
    return out


def _post(url: str, data: bytes, media: str) -> bytes:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": media}, method="POST")
    with urllib.request.urlopen(request, timeout=60) as answer:
        return answer.read()


def _utf8(path: Path) -> bytes:
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
        return raw
    except UnicodeDecodeError:           # the GBK file: HTTP bodies are UTF-8 (the charset of the API)
        return raw.decode("gbk").encode("utf-8")


def test_http_v1_and_web_batch(spelled, base_url):
    files, reference = spelled
    for case, name, path in files:
        got = json.loads(_post(base_url + "/v1/evaluate", _utf8(path), "application/yaml"))
        assert got["law"].pop("request_id")  # the audit block names its request (issue 18); the rest is the decision
        assert got == _plain(reference[case].to_dict()), (case.name, name, "/v1/evaluate")
    body = json.dumps({"files": [{"name": path.name, "content": base64.b64encode(path.read_bytes()).decode()}
                                 for _, _, path in files]}).encode()
    rows = json.loads(_post(base_url + "/web/batch", body, "application/json"))["rows"]
    for (case, name, path), row in zip(files, rows):
        want = table.table_row(Outcome(path.name, decision=reference[case]))
        assert {k: row[k] for k in want} == want, (case.name, name, "web batch")


def test_workbench_upload_form_evaluate_in_chromium(spelled, browser, base_url):
    """The page in real Chromium: the file is opened into the form, the form evaluated, and the
    decision the page received and the words it shows are the CLI's."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def wait(condition, timeout=20):
        WebDriverWait(browser, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(lambda _: condition())

    files, reference = spelled
    leftovers: dict[str, set] = {}
    browser.get(base_url + "/")
    wait(lambda: browser.execute_script("return document.body.dataset.ready === 'true'"))
    for case, name, path in files:
        ref = reference[case]
        opened = browser.execute_script("return document.body.dataset.opened || '0'")
        browser.execute_script("document.getElementById('file-case').value = ''")
        browser.find_element(By.ID, "file-case").send_keys(str(path))
        wait(lambda: browser.execute_script("return document.body.dataset.opened || '0'") != opened)
        before = browser.execute_script("return document.body.dataset.answers || '0'")
        browser.find_element(By.ID, "evaluate").click()
        wait(lambda: browser.execute_script("return document.body.dataset.answers || '0'") != before)
        shown = browser.execute_script("""return {decision: lastDecision,
            verdict: document.getElementById('verdict') && document.getElementById('verdict').textContent,
            checks: [...document.querySelectorAll('#checks tr[data-check] td.st')].map((n) => n.textContent),
            steps: [...document.querySelectorAll('#timeline li .st')].map((n) => n.textContent),
            authority: [...document.querySelectorAll('#authority td.approver')].map((n) => n.textContent),
            shown: document.getElementById('result').innerText,
            options: [...document.querySelectorAll('#case-form select option')].map((n) => n.textContent).join(' '),
            errors: document.getElementById('general-errors').textContent}""")
        where = (case.name, name, "workbench")
        assert shown["decision"] is not None, (*where, shown["errors"])
        assert shown["decision"] == _plain(ref.to_dict()), where
        assert shown["verdict"] == words.verdict(ref), where
        assert shown["checks"] == [words.STATUS["zh"][c.status] for c in ref.checks], where
        assert shown["steps"] == [words.STATUS["zh"][s.status] for s in ref.steps], where
        assert shown["authority"] == [words.authority_words(ref.conversion, "zh", ref.county["name"]),
                                      words.authority_words(ref.expropriation, "zh", ref.county["name"])], where
        assert f"下一步：{words.next_words(ref)}" in shown["shown"], where
        for fact in words.deciding_facts(ref):                       # the deciding facts, in words
            assert fact in shown["shown"], (*where, fact)
        # the default Chinese page: no field path, rule id, code or English word (the case's own
        # numbers are the official's data; C1–C8 and S1–S6 are the items' numbers)
        data = {str(v) for v in _data_words(case)}
        english = [w for w in re.findall(r"[A-Za-z_][A-Za-z0-9_.\[\]]+", shown["shown"] + " " + shown["options"])
                   if not re.fullmatch(r"[CS][1-8]", w) and not any(w in d for d in data)]
        if english:
            leftovers.setdefault(case.name, set()).update(english)
    # what the page still shows in English: nothing
    assert leftovers == {}, leftovers
