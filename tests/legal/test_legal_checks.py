"""Issue 12 items 3 and 11 where they reach the words of the decision (the rest of items 2–5, 10 and
11 is in tests/legal/decisions/legal-checks.yaml and the finding pairs of tests/review_helpers.py)."""

from __future__ import annotations

import html

import pytest

import landapproval
from landapproval.decision import words
from landapproval.views import explain, text as render, report

from review_helpers import variant

NO_CITY_ACTS = {"workflow.decided_on": None, "workflow.approval_issued_on": None}


@pytest.mark.parametrize("changes, who_zh, who_en", [
    ({"county": "尧都区", **NO_CITY_ACTS}, "山西省人民政府", "Shanxi provincial government"),
    ({"county": "尧都区"}, "山西省人民政府", "Shanxi provincial government"),
    ({"parcels[0].land.permanent_basic_farmland": "0.0001", "review.cultivated_compensation.supplemented": "5.1235",
      **NO_CITY_ACTS}, "国务院", "the State Council"),
])
def test_verdict_names_who_the_case_is_filed_with_when_the_city_holds_neither_power(changes, who_zh, who_en):
    """土地管理法 第七十九条; 临政发〔2024〕7号 三: never "the city may approve" without the power."""
    decision = landapproval.evaluate(variant(changes))
    assert "city" not in (decision.conversion.level, decision.expropriation.level)
    zh, en = words.verdict(decision, "zh"), words.verdict(decision, "en")
    assert who_zh in zh and "市人民政府对本案无审批权" in zh and zh != words.WORDS["zh"]["verdict_yes"]
    assert who_en in en and "the city holds no approving power" in en
    assert render.text(decision).startswith(zh)
    assert zh in report.html_report(decision)


def test_verdict_of_a_city_case_is_unchanged():
    decision = landapproval.evaluate(variant())
    assert decision.approvable and words.verdict(decision, "zh") == words.WORDS["zh"]["verdict_yes"]


def test_a_recorded_city_decision_without_the_power_blocks_even_a_complete_file():
    """土地管理法 第七十九条: 无权批准……其批准文件无效 — a complete 尧都区 file with a city decision."""
    with_acts = landapproval.evaluate(variant({"county": "尧都区"}))
    without = landapproval.evaluate(variant({"county": "尧都区", **NO_CITY_ACTS}))
    assert {"S3.decided_without_power", "S5.issued_without_power"} <= set(with_acts.blocking)
    assert with_acts.approvable is False and without.approvable is True


def test_an_inferred_zone_level_is_said_in_text_explain_and_report():
    """临政发〔2024〕7号 三(一): the zone's level routes the case; when the data only infers it, say so."""
    decision = landapproval.evaluate(variant({"scope.development_zone": "曲沃经济技术开发区"}))
    assert decision.conversion.level == "province"  # routes as before
    warning = next(f for c in decision.checks for f in c.findings if f.code == "C1.zone_level_uncertain")
    assert warning.severity == "warning"
    assert warning.facts["scope.zone_confidence_note"].startswith("inferred")
    for lang in ("zh", "en"):
        assert warning.message[lang] in render.text(decision, lang)
        assert warning.message[lang] in html.unescape(report.html_report(decision, lang))
    assert "inferred from the 2020 count" in explain.trail(decision) + render.text(decision) + report.html_report(decision)


def test_zone_counties_come_from_the_data_for_a_declared_zone_too():
    """A zone declared as {name, level} is still checked against the counties the data records."""
    decision = landapproval.evaluate(variant({"scope.development_zone": {"name": "侯马经济开发区", "level": "provincial"}}))
    codes = {f.code for c in decision.checks for f in c.findings}
    assert "C1.zone_not_in_county" in codes and "C1.zone_level_uncertain" not in codes
