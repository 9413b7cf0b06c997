"""Issue 19 (legal fidelity, third reading): what the rule book itself must say — the quoted clauses,
the covered period as a typed error, the zone sources — beside the cases as data in
decisions/legal-third-reading.yaml (which carry the decisions)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

import landapproval
from landapproval.cli import main
from landapproval.core.errors import InputError
from landapproval.decision.facts import applicable_day
from landapproval.contract.models import Case
from landapproval.law import Law
from landapproval.law.jurisdiction import OutsideCoveredPeriod

from review_helpers import complete, variant

ROOT = Path(__file__).resolve().parents[2]


def _rule(rule_id: str):
    return Law.default().book.rules[rule_id]


# --- item 4: the applicable day, computed once ---------------------------------------------------------------

def _case(**workflow) -> Case:
    data = complete()
    data["workflow"] = workflow
    return Case.model_validate(data)


@pytest.mark.parametrize("workflow, as_of, expected", [
    ({"decided_on": dt.date(2024, 6, 21)}, dt.date(2025, 1, 1), (dt.date(2024, 6, 21), "workflow.decided_on")),
    ({"reviewed_on": dt.date(2024, 6, 28), "approval_issued_on": dt.date(2024, 7, 10)}, None,
     (dt.date(2024, 7, 10), "workflow.approval_issued_on")),
    ({"reviewed_on": dt.date(2024, 6, 28)}, dt.date(2024, 6, 21), (dt.date(2024, 6, 28), "workflow.reviewed_on")),
    ({"reviewed_on": dt.date(2024, 6, 20)}, dt.date(2024, 6, 22), (dt.date(2024, 6, 22), "--as-of")),
    ({}, dt.date(2024, 6, 21), (dt.date(2024, 6, 21), "--as-of")),
    # a county's approval is not the act judged in a city batch: the city's decision is
    ({"decided_on": dt.date(2024, 7, 1), "county_approved_on": dt.date(2024, 6, 21)}, None,
     (dt.date(2024, 7, 1), "workflow.decided_on")),
])
def test_the_day_of_the_approving_act(workflow, as_of, expected):
    assert applicable_day(_case(**workflow), as_of, today=dt.date(2026, 1, 1)) == expected


def test_the_filing_date_never_chooses_the_law_of_the_approval():
    case = _case()
    assert case.filed_on == dt.date(2024, 9, 10)
    assert applicable_day(case, None, today=dt.date(2026, 1, 1)) == (dt.date(2026, 1, 1), "today")


def test_rural_housing_is_judged_on_the_county_approval():
    data = complete()
    data["kind"] = "village_housing"
    data["workflow"] = {"decided_on": "2024-07-01", "county_approved_on": "2024-06-21"}
    assert applicable_day(Case.model_validate(data)) == (dt.date(2024, 6, 21), "workflow.county_approved_on")


# --- item 6: outside the covered period, a typed InputError with the period --------------------------------

@pytest.mark.parametrize("day, refused", [(dt.date(2020, 2, 29), True), (dt.date(2020, 3, 1), False)])
def test_the_covered_period_both_sides_of_its_first_day(day, refused):
    case = variant({"workflow": {}})
    if not refused:
        assert landapproval.evaluate(case, as_of=day).as_of == day
        return
    with pytest.raises(OutsideCoveredPeriod) as caught:
        landapproval.evaluate(case, as_of=day)
    error = caught.value
    assert isinstance(error, InputError) and error.exit_code == 2
    assert (error.day, error.covered_from, error.field) == (day, dt.date(2020, 3, 1), "--as-of")
    assert "2020-03-01 起至今" in error.describe("zh") and "2020-03-01 onwards" in error.describe("en")


def test_the_cli_refuses_a_case_outside_the_period_with_exit_2(tmp_path):
    case = (ROOT / "cases" / "review" / "complete-approvable.yaml").read_text(encoding="utf-8")
    path = tmp_path / "old.yaml"
    path.write_text(case.replace("decided_on: 2024-09-25", "decided_on: 2019-12-31"), encoding="utf-8")
    result = CliRunner().invoke(main, ["evaluate", str(path)])
    assert result.exit_code == 2, result.output
    assert "市政府审定日期" in result.output and "2020-03-01" in result.output
    assert "Traceback" not in result.output


# --- items 8, 9, 11, 12, 17: what the rules quote ------------------------------------------------------------

def test_within_scale_no_longer_counts_single_sites_inside_the_scale_8():
    rule = _rule("conversion.province.within_scale")
    assert "单独选址" not in rule.reason["zh"]
    outside = _rule("conversion.province.outside_scale")
    assert "第二十四条" in str(outside.cite) and "单独选址" in outside.reason["zh"]


def test_the_province_outside_the_scale_holds_an_authorised_power_9():
    rule = _rule("conversion.province.outside_scale")
    assert rule.outcome == {"level": "province", "mode": "authorized"}
    assert "国发〔2020〕4号" in str(rule.cite)
    decision = landapproval.evaluate(ROOT / "cases" / "single-site.yaml")
    assert (decision.conversion.level, decision.conversion.mode) == ("province", "authorized")


@pytest.mark.parametrize("code", ["S2.county_approved_without_power", "S3.decided_without_power",
                                  "S5.issued_without_power"])
def test_article_79_quotes_exceeding_the_power_11(code):
    assert "超越批准权限非法批准占用土地的" in _rule(code).cite.text


def test_survey_order_cites_both_paragraphs_it_quotes_12():
    cite = _rule("C7.survey_before_pre_announcement").cite
    assert "第一款、第二款" in cite.clause and "征收土地预公告应当包括" in cite.text


def test_the_entrusted_city_approves_in_the_province_s_name_17():
    reason = _rule("expropriation.city.entrusted").reason
    assert "以省人民政府名义批准" in reason["zh"] and "行政复议" in reason["zh"]
    assert "in the province's name" in reason["en"]


# --- item 13: every zone states its source; no zone claims a catalogue listing nobody checked ---------------

def test_every_zone_states_its_source_13():
    zones = Law.default().jurisdiction.zones
    assert zones and all(zone.source for zone in zones)
    assert not [z.name for z in zones if z.confidence_class == "listed"], "no entry was verified against the catalogue"
    assert all("2018年版" in zone.source for zone in zones)
    text = (ROOT / "rules" / "jurisdiction.yaml").read_text(encoding="utf-8")
    assert "公告2018年第4号" in text


# --- item 15 and the new evidence: the template names each field's own clause -------------------------------

def test_the_template_names_the_basis_of_each_new_field_15():
    result = CliRunner().invoke(main, ["init"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()

    def comment_above(key: str) -> str:
        index = next(i for i, line in enumerate(lines) if line.strip().startswith(key + ":"))
        return lines[index - 1]

    assert "第三十二条" in comment_above("costs_predeposited") and "六(一)" in comment_above("costs_predeposited")
    assert "第三十五条第一款" in comment_above("permanent_basic_farmland_key_project")
    assert "142号" in comment_above("red_line_unavoidability_opinion")
    assert "142号" in comment_above("red_line_national_major_project") or "四(一)" in comment_above(
        "red_line_national_major_project")


# --- `landapproval rules` shows the new rules with their clauses --------------------------------------------

def test_rules_listing_shows_the_new_rules_with_their_clauses():
    result = CliRunner().invoke(main, ["rules"])
    assert result.exit_code == 0
    for rule_id, clause in [
        ("conversion.state_council.red_line_major_project", "自然资发〔2022〕142号 一(二)"),
        ("expropriation.state_council.with_red_line_conversion", "土地管理法 第四十六条第三款"),
        ("C1.village_housing_on_permanent_basic_farmland", "土地管理法 第六十二条第三款"),
        ("C1.permanent_basic_farmland_not_key_project", "土地管理法 第三十五条第一款"),
        ("C1.red_line_no_unavoidability_opinion", "自然资发〔2022〕142号 一(二)"),
        ("C3.missing.collective.decided_on", "临政发〔2024〕7号 五(一)、五(二)"),
    ]:
        at = result.output.find(rule_id)
        assert at >= 0, rule_id
        assert clause in result.output[at:at + 400], (rule_id, result.output[at:at + 400])
