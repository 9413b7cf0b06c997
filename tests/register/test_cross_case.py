"""The cross-case rules of rules/register.yaml, on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from landapproval.core.errors import InputError
from tests.register.conftest import case, findings, square

PROJECT = {"code": "2404-141024-04-01-123456", "name": "洪洞县某物流园", "applicant": "某物流公司",
           "phases_in_feasibility_study": False}


def _walk(register, *kinds, county="洪洞县", case_id, start=dt.date(2024, 7, 1)):
    for offset, kind in enumerate(kinds):
        register.event(county, case_id, kind, start + dt.timedelta(days=3 * offset), by="市局 王", note="理由" if kind == "退件" else None)


def test_project_split_over_three_batches_is_caught_with_totals_and_authority_on_the_sum(register):
    """Regs 25: three batches of one project, 12 ha of cultivated land each (each under 35 ha, so each
    alone goes to the city), together 36 ha: the third is blocked, naming the earlier two and the
    totals, and the sum goes to the State Council (LAL 46: over 35 ha of cultivated land)."""
    first = register.add(case("HD-2024-01", parcels=[("HD-1-1", 12, 1)], project=PROJECT), by="县局")
    assert first.decision.expropriation.level == "city" and not findings(first.decision, "register.same_project")
    second = register.add(case("HD-2024-02", parcels=[("HD-2-1", 12, 1)], project=PROJECT), by="县局")
    [two] = findings(second.decision, "register.same_project")
    assert "征收耕地 24.0000" in two.message["zh"] and "土地征收由临汾市人民政府" in two.message["zh"]  # 24 ha: still the city
    third = register.add(case("HD-2024-03", parcels=[("HD-3-1", 12, 1)], project=PROJECT), by="县局")
    [found] = findings(third.decision, "register.same_project")
    assert found.severity == "blocking" and "register.same_project" in third.decision.blocking
    assert "HD-2024-01" in found.message["zh"] and "HD-2024-02" in found.message["zh"]
    assert "征收耕地 36.0000" in found.message["zh"] and "土地征收由国务院批准" in found.message["zh"]
    assert "the expropriation by the State Council" in found.message["en"]
    assert found.citation == "土地管理法实施条例 第二十五条"
    assert third.decision.expropriation.level == "city"  # the case alone; the finding carries the sum
    assert not third.decision.approvable


@pytest.mark.parametrize("last, level", [("11", "土地征收由临汾市人民政府"), ("11.0001", "土地征收由国务院")])
def test_exactly_35_ha_on_the_sum_stays_with_the_city(register, last, level):
    """LAL 46: 超过三十五公顷 — 12 + 12 + 11 = 35 ha does not exceed it; 35.0001 does."""
    register.add(case("HD-2024-01", parcels=[("HD-1-1", 12, 0)], project=PROJECT), by="县局")
    register.add(case("HD-2024-02", parcels=[("HD-2-1", 12, 0)], project=PROJECT), by="县局")
    third = register.add(case("HD-2024-03", parcels=[("HD-3-1", last, 0)], project=PROJECT), by="县局")
    [found] = findings(third.decision, "register.same_project")
    assert f"按合计农用地转用由临汾市人民政府，{level}批准" in found.message["zh"]


def test_a_returned_case_is_left_out_of_the_project_sum(register):
    register.add(case("HD-2024-01", parcels=[("HD-1-1", 20, 0)], project=PROJECT), by="县局")
    _walk(register, "受理", "退件", case_id="HD-2024-01")
    second = register.add(case("HD-2024-02", parcels=[("HD-2-1", 20, 0)], project=PROJECT), by="县局")
    assert findings(second.decision, "register.same_project") == []


def test_phases_of_the_feasibility_study_pass_and_unknown_phases_are_incomplete(register):
    register.add(case("HD-2024-01", parcels=[("HD-1-1", 20, 0)], project=PROJECT), by="县局")
    phased = register.add(case("HD-2024-02", parcels=[("HD-2-1", 20, 0)],
                               project={**PROJECT, "phases_in_feasibility_study": True}), by="县局")
    assert findings(phased.decision, "register.same_project") == []
    assert findings(phased.decision, "register.same_project_phases_unknown") == []
    unknown = {k: v for k, v in PROJECT.items() if k != "phases_in_feasibility_study"}
    open_ = register.add(case("HD-2024-03", parcels=[("HD-3-1", 1, 0)], project=unknown), by="县局")
    [missing] = findings(open_.decision, "register.same_project_phases_unknown")
    assert missing.kind == "missing" and missing.missing == ("project.phases_in_feasibility_study",)
    assert next(c for c in open_.decision.checks if c.id == "C1").status == "incomplete"


def test_same_name_and_applicant_without_a_code_is_a_warning(register):
    named = {"name": "洪洞县某物流园", "applicant": "某物流公司"}
    register.add(case("HD-2024-01", parcels=[("HD-1-1", 1, 0)], project=named), by="县局")
    other = register.add(case("HD-2024-02", parcels=[("HD-2-1", 1, 0)], project=named), by="县局")
    [warning] = findings(other.decision, "register.same_project_name_no_code")
    assert warning.severity == "warning" and "HD-2024-01" in warning.message["zh"]
    third = register.add(case("HD-2024-03", parcels=[("HD-3-1", 1, 0)], project={**named, "applicant": "另一公司"}), by="县局")
    assert findings(third.decision, "register.same_project_name_no_code") == []


X, Y = 37540000, 3944000


def test_a_parcel_overlapping_an_approved_case_is_caught_with_its_status_and_area(register):
    register.add(case("HD-2024-01", parcels=[("A", 1, 0, square(X, Y, 100))]), by="县局")
    _walk(register, "受理", "会审", "审定", "批复", case_id="HD-2024-01")
    # 50 m × 100 m = 0.5 ha of overlap
    later = register.add(case("HD-2024-07", parcels=[("B", 1, 0, square(X + 50, Y, 100))]), by="县局")
    [found] = findings(later.decision, "register.land_filed_twice")
    assert found.severity == "blocking" and found.facts["register.overlap"] == Decimal("0.5000")
    assert "HD-2024-01/A" in found.message["zh"] and "已批复" in found.message["zh"]
    assert "approved" in found.message["en"]


def test_an_overlap_within_the_digitising_tolerance_is_not_a_finding(register):
    """rules/parameters.yaml digitising_tolerance_m2 = 1 m²: 0.5 m² stays, 2 m² is caught."""
    register.add(case("HD-2024-01", parcels=[("A", 1, 0, square(X, Y, 100))]), by="县局")
    below = register.add(case("HD-2024-02", parcels=[("B", 1, 0, square(X + 99.995, Y, 100))]), by="县局")
    assert findings(below.decision, "register.land_filed_twice") == []
    above = register.add(case("HD-2024-03", parcels=[("C", 1, 0, square(X + 99.98, Y + 200, 100)),
                                                      ("D", 1, 0, square(X - 99.98, Y, 100))]), by="县局")
    [found] = findings(above.decision, "register.land_filed_twice")
    assert "D" in found.message["zh"] and found.facts["register.overlap"] == Decimal("0.0002")


def test_without_boundaries_the_same_parcel_id_in_the_county_is_caught(register):
    register.add(case("HD-2024-01", parcels=[("141024-001-0007", 2, 0)]), by="县局")
    again = register.add(case("HD-2024-05", parcels=[("141024-001-0007", 1.5, 0)]), by="县局")
    [found] = findings(again.decision, "register.land_filed_twice")
    assert found.facts["register.overlap"] == Decimal("1.5000") and "已登记" in found.message["zh"]
    elsewhere = register.add(case("QW-2024-05", county="曲沃县", parcels=[("141024-001-0007", 1, 0)]), by="县局")
    assert findings(elsewhere.decision, "register.land_filed_twice") == []


def _plan(available, requested):
    return {"annual_plan": {"quota_available": str(available), "quota_requested": str(requested),
                            "additional_quota_granted": "0"}}


def test_the_quota_ledger_over_a_year(register):
    """四(二): quota 20 ha; a case decided in 2024 with 8 ha of new construction land leaves 12;
    one decided in 2023 does not count; an additional grant adds."""
    register.set_quota("洪洞县", 2024, "20", source="临自然资函〔2024〕3号", by="市局")
    register.add(case("HD-2024-01", parcels=[("A1", 6, 2)]), by="县局")
    _walk(register, "受理", "会审", "审定", case_id="HD-2024-01", start=dt.date(2024, 3, 1))
    register.add(case("HD-2023-09", parcels=[("Z1", 5, 0)], filed_on="2023-10-01"), by="县局")
    _walk(register, "受理", "会审", "审定", case_id="HD-2023-09", start=dt.date(2023, 11, 1))
    ledger = register.ledger("141024", 2024)
    assert (ledger["quota"], ledger["used"], ledger["available"]) == (Decimal("20.0000"), Decimal("8.0000"), Decimal("12.0000"))
    over = register.add(case("HD-2024-02", parcels=[("B1", 12.0001, 0)], review=_plan("12", "12.0001")), by="县局")
    [exceeded] = findings(over.decision, "register.quota_ledger_exceeded")
    assert exceeded.severity == "blocking" and "12.0000" in exceeded.message["zh"]
    assert findings(over.decision, "register.quota_statement_differs") == []
    exact = register.add(case("HD-2024-03", parcels=[("C1", 12, 0)], review=_plan("20", "12")), by="县局")
    assert findings(exact.decision, "register.quota_ledger_exceeded") == []
    [differs] = findings(exact.decision, "register.quota_statement_differs")
    assert "20" in differs.message["zh"] and "12.0000" in differs.message["zh"]
    register.set_quota("洪洞县", 2024, "5", source="晋自然资函〔2024〕追加", by="市局", kind="additional")
    assert register.ledger("141024", 2024)["available"] == Decimal("17.0000")
    register.set_quota("洪洞县", 2024, "30", source="临自然资函〔2024〕9号（调整）", by="市局")  # supersedes 20
    assert register.ledger("141024", 2024)["available"] == Decimal("27.0000")


def test_a_recorded_suspension_feeds_county_filing_suspended(register):
    """七(三): 暂停 on 2024-07-01, 恢复 on 2024-09-01: a filing of 2024-08-31 is stopped, 2024-09-01 is not."""
    register.event("洪洞县", None, "暂停", "2024-07-01", by="市局", note="临自然资〔2024〕12号 通报")
    register.event("洪洞县", None, "恢复", "2024-09-01", by="市局", note="整改完成")
    during = register.add(case("HD-2024-08", parcels=[("A", 1, 0)], filed_on="2024-08-31"), by="县局")
    assert "S2.county_filing_suspended" in during.decision.blocking
    after = register.add(case("HD-2024-09", parcels=[("B", 1, 0)], filed_on="2024-09-01"), by="县局")
    assert "S2.county_filing_suspended" not in after.decision.blocking
    other = register.add(case("QW-2024-08", county="曲沃县", parcels=[("C", 1, 0)], filed_on="2024-08-31"), by="县局")
    assert "S2.county_filing_suspended" not in other.decision.blocking


def test_file_dates_that_differ_from_the_events_are_said(register):
    register.add(case("HD-2024-01", parcels=[("A", 1, 0)]), by="县局")
    register.event("洪洞县", "HD-2024-01", "受理", "2024-08-05", by="市局")
    again = register.add(case("HD-2024-01", parcels=[("A", 1, 0)], workflow={"accepted_on": "2024-08-06"}), by="县局")
    [found] = findings(again.decision, "register.workflow_dates_differ")
    assert "2024-08-06" in found.message["zh"] and "2024-08-05" in found.message["zh"]
