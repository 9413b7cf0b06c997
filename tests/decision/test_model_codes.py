"""Issue 21 item 8: a finding code appears once within its review item or step (before: with both
announcement periods ending in a year without an official schedule, C7 carried
C7.calendar_year_missing twice, one per period, from decision.assemble._calendar_findings)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import landapproval
from review_helpers import P, evaluate, rules_folder, variant

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (REPO / "cases").rglob("*.yaml") if p.name != "layers.yaml")


def _codes_unique(decision) -> None:
    for part in (*decision.checks, *decision.steps):
        codes = [f.code for f in part.findings]
        assert len(codes) == len(set(codes)), (part.id, codes)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_codes_are_unique_within_each_item_in_every_example(path):
    layers = path.parent / "layers.yaml" if path.parent.name == "gis" else None
    _codes_unique(landapproval.evaluate(path, layers=layers))


@pytest.fixture
def without_2027(tmp_path):
    with rules_folder(tmp_path) as rules:
        (rules / "calendar" / "2027.yaml").unlink(missing_ok=True)
        yield rules


def test_two_periods_stopped_by_the_missing_year_give_one_finding_naming_both(without_2027):
    decision = evaluate(variant({"filed_on": "2027-01-20", "workflow.decided_on": None,
                                 P + "pre_announcement": "2026-12-28", P + "status_survey": "2026-12-29",
                                 P + "risk_assessment": "2026-12-29",
                                 P + "compensation_announcement": "2026-12-30",
                                 P + "compensation_registration": "2027-01-05",
                                 P + "agreements_signed": "2027-01-20"}), as_of=dt.date(2027, 1, 20))
    c7 = decision.check("C7")
    assert [f.code for f in c7.findings] == ["C7.calendar_year_missing"]
    gap = c7.findings[0]
    assert set(gap.facts) == {"procedure.pre_announcement_period_end", "procedure.compensation_announcement_period_end"}
    assert gap.missing == ("rules/calendar/2027.yaml",)
    assert " and the " in gap.message.en and "2027" in gap.message.zh
    _codes_unique(decision)


def test_one_period_stopped_gives_the_finding_as_before(without_2027):
    decision = evaluate(variant({"filed_on": "2027-01-20", "workflow.decided_on": None,
                                 P + "compensation_announcement": "2026-12-15",
                                 P + "compensation_registration": "2026-12-20",
                                 P + "agreements_signed": "2027-01-20",
                                 P + "pre_announcement": "2026-11-02", P + "status_survey": "2026-11-20",
                                 P + "risk_assessment": "2026-11-25"}), as_of=dt.date(2027, 1, 20))
    gap = decision.check("C7").findings
    assert [f.code for f in gap] == ["C7.calendar_year_missing"]
    assert set(gap[0].facts) == {"procedure.compensation_announcement_period_end"}
    assert " and the " not in gap[0].message.en
