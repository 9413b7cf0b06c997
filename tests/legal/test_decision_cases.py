"""Legal test cases as data: tests/legal/decisions/*.yaml, read and checked here.

Each entry states what the law makes of a case — check statuses, step statuses, finding codes, who
approves — so that a case from a real file can be added without writing Python (see the README
in that folder)."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest

import landapproval
from landapproval.decision.words import verdict
from landapproval.views import text as render
from landapproval.core.errors import InputError
from landapproval.core.reader import read_document

from review_helpers import add_suspension, rules_folder, set_path

ROOT = Path(__file__).resolve().parents[2]
FOLDER = Path(__file__).resolve().parent / "decisions"
ENTRY_KEYS = {"name", "clause", "file", "case", "changes", "as_of", "expect", "suspensions"}
EXPECT_KEYS = {"approvable", "conversion", "expropriation", "together", "checks", "steps", "findings",
               "not_findings", "verdict_contains", "text_contains", "citations",
               # issue 19: the day whose law applied and what chose it; words the text must not hold;
               # a case refused outside the rule book's period (exit 2), by words of its message
               "as_of", "as_of_source", "text_not_contains", "error"}


def _entries():
    for path in sorted(FOLDER.glob("*.yaml")):
        for index, entry in enumerate(read_document(path) or []):
            yield pytest.param(entry, id=f"{path.stem}[{index}] {entry.get('name', '')}")


def _case(entry: dict) -> tuple[dict, Path]:
    if "file" in entry:
        path = ROOT / entry["file"]
        case, base = read_document(path), path.parent
    else:
        case, base = copy.deepcopy(entry["case"]), ROOT
    for field_path, value in (entry.get("changes") or {}).items():
        set_path(case, field_path, value)
    return case, base


def test_every_entry_is_well_formed():
    entries = [p.values[0] for p in _entries()]
    assert len(entries) >= 20
    for entry in entries:
        assert set(entry) <= ENTRY_KEYS and entry.get("name") and entry.get("clause"), entry
        assert ("file" in entry) != ("case" in entry), f"{entry['name']}: give a file or a case"
        assert entry.get("expect") and set(entry["expect"]) <= EXPECT_KEYS, entry["name"]


@pytest.mark.parametrize("entry", list(_entries()))
def test_decision_case(entry, tmp_path):
    case, base = _case(entry)
    as_of = entry.get("as_of")
    if as_of is not None and not isinstance(as_of, dt.date):
        as_of = dt.date.fromisoformat(str(as_of))
    expect = entry["expect"]
    if "error" in expect:  # refused: an InputError (exit 2) whose message names what is wrong
        with pytest.raises(InputError) as caught:
            landapproval.evaluate(case, as_of=as_of, base_dir=base)
        assert caught.value.exit_code == 2
        assert expect["error"] in caught.value.describe("zh"), caught.value.describe("zh")
        return
    if entry.get("suspensions"):  # 七(三): counties whose filings the city suspended, written to a copy of rules/
        with rules_folder(tmp_path) as rules:
            for suspension in entry["suspensions"]:
                add_suspension(rules, str(suspension["county"]), str(suspension["from"]),
                               str(suspension["until"]) if suspension.get("until") else None)
            decision = landapproval.evaluate(case, as_of=as_of, base_dir=base)
    else:
        decision = landapproval.evaluate(case, as_of=as_of, base_dir=base)
    got_checks = {c.id: c.status for c in decision.checks}
    got_steps = {s.id: s.status for s in decision.steps}
    codes = {f.code for item in (*decision.checks, *decision.steps) for f in item.findings}
    where = f"{entry['name']} ({entry['clause']}): findings {sorted(codes)}"
    if "approvable" in expect:
        assert decision.approvable is expect["approvable"], where
    if "as_of" in expect:
        assert decision.as_of.isoformat() == str(expect["as_of"]), f"{where}: as_of {decision.as_of}"
    if "as_of_source" in expect:
        assert decision.as_of_source == expect["as_of_source"], f"{where}: as_of from {decision.as_of_source}"
    for part in ("conversion", "expropriation"):
        if part in expect:
            authority = getattr(decision, part)
            assert (authority.level if authority else None) == expect[part], where
    if "together" in expect:
        assert decision.together is expect["together"], where
    assert {k: got_checks[k] for k in expect.get("checks", {})} == expect.get("checks", {}), where
    assert {k: got_steps[k] for k in expect.get("steps", {})} == expect.get("steps", {}), where
    assert set(expect.get("findings", [])) <= codes, where
    assert not set(expect.get("not_findings", [])) & codes, where
    if "verdict_contains" in expect:
        assert expect["verdict_contains"] in verdict(decision, "zh"), verdict(decision, "zh")
    text = render.text(decision, "zh", appendix=True)   # the body and the technical appendix
    for words in expect.get("text_contains", []):
        assert words in text, f"{entry['name']}: {words!r} not in the text:\n{text}"
    for words in expect.get("text_not_contains", []):
        assert words not in text, f"{entry['name']}: {words!r} in the text:\n{text}"
    cited = {f.code: f.citation for item in (*decision.checks, *decision.steps) for f in item.findings}
    for code, citation in (expect.get("citations") or {}).items():
        assert citation in cited.get(code, ""), f"{entry['name']}: {code} cites {cited.get(code)!r}"
