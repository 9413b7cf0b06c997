"""Issue 12, second legal reading: procedure, time limits and workflow (items 1, 6, 7, 8, 9, 12, 14).

Each test names the clause it reads. Cases are the complete, approvable example with one change
(review_helpers.variant); both sides of every condition are tested. The period-counting tests of
item 1 (民法典 第二百零一条、第二百零三条) are in test_review.py, the calendar of item 14 in
test_calendar.py.
"""

from __future__ import annotations

import datetime as dt

import pytest

from landapproval.law import Law

from review_helpers import (D, DELETE, P, add_suspension, codes, evaluate, finding, item, rules_folder,
                            statuses, variant)

W = "workflow."


def unused_land_only() -> dict:
    """An expropriation-only batch: collective unused land (未利用地), no agricultural land, so no
    conversion; the city approves the expropriation (三(二)); the land is new construction land."""
    case = variant()
    case["parcels"][0]["land"] = {"unused": D("3.0000")}
    case["parcels"][1]["land"] = {"unused": D("3.2234")}
    case["review"].pop("cultivated_compensation")
    return case


# --- item 6: 五(四) 按规定需缴纳 — the fee steps apply only where a fee is due --------------------

def test_s4_applies_where_a_fee_is_due_5_4():
    """五(四): the complete batch converts new construction land; the notice and payment show the fee was due."""
    decision = evaluate(variant({W + "fee_due": True}))
    assert statuses(decision)["S4"] == "done"


def test_s4_not_applicable_and_s5_needs_no_payment_where_no_fee_is_due_5_4_5_5():
    """五(四) 「按规定需缴纳…的」, 五(五): an exempt batch (fee_due false) has no fee step, and its approval
    need not wait for a payment."""
    decision = evaluate(variant({W + "fee_due": False, W + "fee_notice_on": None, W + "fee_paid_on": None}))
    assert statuses(decision)["S4"] == "not_applicable"
    assert statuses(decision)["S5"] == "done"
    assert not {"S5.issued_before_fee_paid", "S5.missing.workflow.fee_paid_on"} & codes(decision)
    assert decision.approvable is True and decision.next_step is None


def test_s4_fee_due_not_stated_is_derived_from_the_new_construction_land_5_4():
    """五(四) (issue 19 item 16): new construction land converted from agricultural or unused land owes the
    fee, so the file need not say so; the step waits for the notice and the payment without asking."""
    decision = evaluate(variant({W + "fee_notice_on": None, W + "fee_paid_on": None,
                                 W + "approval_issued_on": None, W + "archived_on": None}))
    s4 = item(decision, "S4")
    assert s4.status == "pending"
    assert s4.findings == ()
    assert decision.facts["workflow.fee_due"] is True


def test_s4_asks_nothing_of_a_case_the_city_has_not_decided_5_4():
    """五(四) 经市政府审定后: a freshly filed case is asked for no fee evidence."""
    decision = evaluate(variant({W + "fee_notice_on": None, W + "fee_paid_on": None, W + "decided_on": None,
                                 W + "approval_issued_on": None, W + "archived_on": None}))
    assert not [f for f in item(decision, "S4").findings if f.kind == "missing"]


def test_s4_a_file_that_shows_the_batch_exempt_is_believed_5_4():
    decision = evaluate(variant({W + "fee_due": False, W + "fee_notice_on": None, W + "fee_paid_on": None}))
    assert statuses(decision)["S4"] == "not_applicable"


def test_expropriation_of_existing_construction_land_only_owes_no_fee_5_4():
    """五(四): the fee is on 新增建设用地; expropriating existing construction land adds none."""
    decision = evaluate(variant({W + "fee_notice_on": None, W + "fee_paid_on": None}, base="construction_land_only"))
    assert decision.conversion is None and decision.expropriation.level == "city"
    assert statuses(decision)["S4"] == "not_applicable"
    assert statuses(decision)["S5"] == "done" and decision.approvable is True


@pytest.mark.parametrize("fee_recorded", [True, False], ids=["fee_paid", "fee_not_recorded"])
def test_expropriation_only_of_unused_land_is_new_construction_land_and_owes_the_fee_5_4(fee_recorded):
    """五(四)/(五): no conversion (no agricultural land) but the city approves the expropriation of unused
    land, which becomes new construction land: the fee step applies — done with the payment on record,
    pending without it (and the approval then lacks the payment's date)."""
    case = unused_land_only()
    if not fee_recorded:
        case["workflow"]["fee_notice_on"] = case["workflow"]["fee_paid_on"] = None
    decision = evaluate(case)
    assert decision.conversion is None and decision.expropriation.level == "city"
    assert statuses(decision)["S4"] == ("done" if fee_recorded else "pending")
    assert ("S5.missing.workflow.fee_paid_on" in codes(decision)) is (not fee_recorded)


# --- item 7: 七(三) suspends only 新增建设用地报批 ----------------------------------------------------

@pytest.mark.parametrize("base, stopped", [("complete", True), ("construction_land_only", False)])
def test_suspension_7_3_stops_only_filings_with_new_construction_land(tmp_path, base, stopped):
    """七(三) 暂停其新增建设用地报批工作: a filing of existing construction land only is not stopped."""
    with rules_folder(tmp_path) as rules:
        add_suspension(rules, "141021", "2024-09-01")
        decision = evaluate(variant(base=base))
    assert ("S2.county_filing_suspended" in codes(decision)) is stopped
    assert decision.approvable is (not stopped)


# --- item 8: unknown is not false for dates (CONTRACT Additions) -----------------------------------

def test_required_hearing_without_a_date_is_incomplete_like_agreements_without_a_date_lal_47_3():
    """LAL Art. 47 ¶3 / Regs Art. 28: a hearing required with no date is unrecorded evidence — C7 is
    incomplete, exactly as agreements with no date are; neither is a blocking finding."""
    hearing = evaluate(variant({P + "hearing_required": True, P + "hearing": None}))
    agreements = evaluate(variant({P + "agreements_signed": None}))
    for decision, field in ((hearing, P + "hearing"), (agreements, P + "agreements_signed")):
        c7 = item(decision, "C7")
        assert c7.status == "incomplete"
        assert [f.kind for f in c7.findings] == ["missing"]
        assert c7.findings[0].missing == (field,)
        assert decision.blocking == ()
    held = evaluate(variant({P + "hearing_required": True, P + "hearing": "2024-07-01"}))
    assert item(held, "C7").status == "pass"


@pytest.mark.parametrize("removed, code", [
    (W + "decided_on", "S5.missing.workflow.decided_on"),
    (W + "fee_paid_on", "S5.missing.workflow.fee_paid_on"),
    (W + "approval_issued_on", "S6.missing.workflow.approval_issued_on"),
])
def test_a_workflow_date_not_recorded_is_missing_evidence_not_a_blocking_finding(removed, code):
    """五(五)/(六): an approval on record whose decision or payment date is not recorded (or an archive
    without the approval's date) is unrecorded evidence, not a step done out of order."""
    decision = evaluate(variant({removed: DELETE}))
    hit = finding(decision, code)
    assert hit.kind == "missing" and hit.severity != "blocking"
    assert not decision.blocking


def test_approval_before_the_decision_is_still_blocking_5_5():
    """五(五): both dates on record and the approval first — a real defect, not missing evidence."""
    decision = evaluate(variant({W + "approval_issued_on": "2024-09-24"}))
    assert "S5.issued_before_decision" in decision.blocking


# --- item 9: agreements (Regs Art. 29, LAL Art. 47 ¶4, 晋政办发〔2023〕72号) ----------------------------

@pytest.mark.parametrize("announced, last_day", [
    ("2024-06-10", "2024-07-10"),   # the 30th day, a Wednesday
    ("2024-06-07", "2024-07-08"),   # the 30th day is Sunday 07-07: the announcement runs to Monday
])
def test_agreements_regs_29_only_after_the_announcement_period(announced, last_day):
    """Regs Art. 29: the plan is settled after the announcement period; agreements signed on its last
    day are early — a correctable finding (sign again on the settled plan), not a blocking one."""
    on_last = evaluate(variant({P + "compensation_announcement": announced, P + "agreements_signed": last_day}))
    after = evaluate(variant({P + "compensation_announcement": announced,
                              P + "agreements_signed": (dt.date.fromisoformat(last_day) + dt.timedelta(days=1)).isoformat()}))
    hit = finding(on_last, "C7.agreements_during_announcement")
    assert hit.severity == "correctable" and not on_last.blocking
    assert item(on_last, "C7").status == "fail" and on_last.approvable is False
    assert hit.facts["procedure.compensation_announcement_period_end"] == dt.date.fromisoformat(last_day)
    assert "C7.agreements_during_announcement" not in codes(after)
    assert item(after, "C7").status == "pass"


@pytest.mark.parametrize("reached, explained, expected", [
    (10, None, "pass"),          # every agreement signed: nothing to explain
    (9, True, "pass"),           # one not reached, stated truthfully in the application
    (9, False, "fail"),          # not stated: correctable
    (9, None, "incomplete"),     # whether it is stated is not given
])
def test_unsigned_agreements_stated_truthfully_lal_47_4_regs_29(reached, explained, expected):
    """LAL Art. 47 ¶4, Regs Art. 29: 对个别确实难以达成协议的…应当在申请征收土地时如实说明."""
    changes = {P + "agreements_required": 10, P + "agreements_reached": reached}
    if explained is not None:
        changes[P + "unsigned_explained"] = explained
    decision = evaluate(variant(changes))
    assert item(decision, "C7").status == expected, [f.code for f in item(decision, "C7").findings]
    assert ("C7.unsigned_not_explained" in codes(decision)) is (explained is False)


@pytest.mark.parametrize("required, reached, warned", [
    (10, 9, False), (10, 8, True),    # 90 % of 10 is 9
    (11, 10, False), (11, 9, True),   # 90 % of 11 is 9.9: 10 are needed (never met by rounding down)
])
def test_provincial_share_72_is_a_warning_carrying_its_confidence(required, reached, warned):
    """晋政办发〔2023〕72号 (unconfirmed 90 %): below the share is a warning, never a failure."""
    decision = evaluate(variant({P + "agreements_required": required, P + "agreements_reached": reached,
                                 P + "unsigned_explained": True}))
    assert ("C7.agreements_below_provincial_share" in codes(decision)) is warned
    assert item(decision, "C7").status == "pass" and decision.approvable is True
    if warned:
        facts = finding(decision, "C7.agreements_below_provincial_share").facts
        assert facts["law.agreements_min_share"] == "90%"
        assert "未经核实" in facts["law.agreements_min_share_confidence"]
        assert "unconfirmed" in facts["law.agreements_min_share_confidence"]


def test_provincial_share_72_does_not_apply_before_it_took_effect():
    """晋政办发〔2023〕72号 applies from 2024-01-01 to the procedure the county files: a filing of 2023-12-31
    has no share to compare (the filing's own law, issue 19 item 4), though the city decides in 2024."""
    decision = evaluate(variant({P + "agreements_required": 10, P + "agreements_reached": 1,
                                 P + "unsigned_explained": True, "filed_on": "2023-12-31"}))
    assert "C7.agreements_below_provincial_share" not in codes(decision)
    assert decision.facts["procedure.agreements_share_minimum"] == "unknown"


def test_more_agreements_than_required_is_an_input_error():
    from landapproval.core.errors import InputError
    with pytest.raises(InputError) as error:
        evaluate(variant({P + "agreements_required": 3, P + "agreements_reached": 4}))
    assert "review.expropriation_procedure" in error.value.describe("en") and "agreements_reached" in str(error.value)
    assert "征收程序（C7，日期）" in str(error.value)


# --- item 12: each procedure step cites its own article of the Regs --------------------------------

REGS = "土地管理法实施条例"
STEP_ARTICLE = {
    "C7.missing.procedure.pre_announcement": "第二十六条",
    "C7.missing.procedure.status_survey": "第二十六条",
    "C7.missing.procedure.risk_assessment": "第二十六条",
    "C7.survey_before_pre_announcement": "第二十六条",
    "C7.risk_assessment_before_pre_announcement": "第二十六条",
    "C7.pre_announcement_too_short": "第二十六条",
    "C7.announcement_before_survey": "第二十七条",          # drafting the plan (was cited as Art. 28)
    "C7.announcement_before_risk_assessment": "第二十七条",
    "C7.missing.procedure.compensation_announcement": "第二十八条",
    "C7.compensation_announcement_too_short": "第二十八条",
    "C7.missing.procedure.hearing_required": "第二十八条",
    "C7.missing.procedure.hearing": "第二十八条",
    "C7.hearing_before_announcement": "第二十八条",
    "C7.missing.procedure.compensation_registration": "第二十八条",
    "C7.registration_before_announcement": "第二十八条",
    "C7.missing.procedure.agreements_signed": "第二十九条",
    "C7.agreements_during_announcement": "第二十九条",
    "C7.agreements_before_hearing": "第二十九条",
    "C7.unsigned_not_explained": "第二十九条",
    "C7.missing.procedure.unsigned_explained": "第二十九条",
    "C7.missing.workflow.filed_on": "第三十条",
    "C7.steps_after_filing": "第三十条",
    "C7.missing.procedure.costs_predeposited": "第三十二条",
    "C7.costs_not_predeposited": "第三十二条",
}


@pytest.mark.parametrize("code, article", STEP_ARTICLE.items(), ids=list(STEP_ARTICLE))
def test_each_procedure_step_cites_its_own_regs_article(code, article):
    """Regs Arts. 26 (pre-announcement, survey, risk assessment), 27 (drafting), 28 (announcement,
    hearing, registration), 29 (agreements), 30 (application), 32 (funding)."""
    cite = Law.default().book.rules[code].cite
    assert cite.doc == REGS and cite.clause.startswith(article), str(cite)
    assert cite.text


def test_no_c7_rule_cites_art_28_for_drafting_the_plan():
    for rule in Law.default().book.rules.values():
        if "拟定征地补偿安置方案" in rule.cite.text and rule.cite.doc == REGS:
            assert rule.cite.clause.startswith("第二十七条"), rule.id
