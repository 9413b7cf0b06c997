"""The six approval steps of 临政发〔2024〕7号 五(一)–(六) (rules/workflow.yaml, S1–S6)."""

from __future__ import annotations

import pytest

from landapproval.law import Law
from landapproval.law.rulebook import parameter_words
from landapproval.law.types import fill_text

from review_helpers import (CASES, D, DELETE, P, WORKFLOW_PAIRS, add_suspension, codes, evaluate, finding,
                            finding_codes_in_rules, item, rule_messages, rules_folder, run_pair_side,
                            shifted, statuses, variant)

STEP_IDS = [f"S{i}" for i in range(1, 7)]
CITY_STEPS = ["S3", "S4", "S5", "S6"]


@pytest.fixture
def tmp_rules(tmp_path):
    """rules/ copied to tmp_path, LANDAPPROVAL_RULES pointing at it, Law.default() its law for the test."""
    with rules_folder(tmp_path) as rules:
        yield rules


# --- each finding on both sides of its condition ----------------------------------------------

@pytest.mark.parametrize("pair", WORKFLOW_PAIRS, ids=str)
def test_step_finding_fires_on_one_side_of_its_condition_only(pair, tmp_path):
    fired = run_pair_side(pair, "fires", tmp_path)
    quiet = run_pair_side(pair, "quiet", tmp_path)

    hit = finding(fired, pair.code)
    assert hit in item(fired, pair.code.split(".")[0]).findings
    written = finding_codes_in_rules()[pair.code]
    if written == "missing":  # unrecorded evidence: never a blocking finding
        assert hit.kind == "missing" and hit.severity == "correctable"
    else:
        assert hit.severity == written
        values = dict(Law.default().book.values_on(fired.as_of))  # the parameters in force that day
        assert hit.message["en"] == fill_text(rule_messages()[pair.code]["en"], parameter_words(values))
    assert hit.citation
    if hit.severity == "blocking":
        assert pair.code in fired.blocking
        assert fired.approvable is False
    assert pair.code not in codes(quiet), f"{pair.code} fired on the other side: {pair.why}"


# Order rules of S3–S6, one day each way (same day is lawful).
# (code, field moved, the date it is compared with, True if the moved step must come after it)
STEP_ORDER = [
    ("S3.accepted_before_filing", "workflow.accepted_on", "2024-09-10", True),
    ("S3.reviewed_before_accepted", "workflow.reviewed_on", "2024-09-12", True),
    ("S3.decided_before_review", "workflow.decided_on", "2024-09-20", True),
    ("S4.fee_notice_before_decision", "workflow.fee_notice_on", "2024-09-25", True),
    ("S5.issued_before_decision", "workflow.approval_issued_on", "2024-09-25", True),
    ("S5.issued_before_fee_paid", "workflow.fee_paid_on", "2024-09-27", False),
    ("S6.archived_before_approval", "workflow.archived_on", "2024-09-27", True),
    ("S6.archived_late", "workflow.archived_on", "2024-10-10", False),
]


@pytest.mark.parametrize("code, path, reference, after", STEP_ORDER, ids=[o[0] for o in STEP_ORDER])
def test_step_order_one_day_each_way(code, path, reference, after):
    fired = {offset: code in codes(evaluate(variant({path: shifted(reference, offset)}))) for offset in (-1, 0, 1)}
    assert fired == ({-1: True, 0: False, 1: False} if after else {-1: False, 0: False, 1: True})


@pytest.mark.parametrize("field_name", ["decided_on", "township_approved_on"])
def test_village_housing_filed_one_day_each_way_of_the_collective_decision(field_name):
    # 五(一): the collective decides and the township approves before the county files (2024-09-10)
    fired = {}
    for offset in (-1, 0, 1):
        given = {"decided_on": "2024-08-20", "township_approved_on": "2024-08-27"}
        given[field_name] = shifted("2024-09-10", offset)
        if field_name == "decided_on":
            given["township_approved_on"] = given["decided_on"]
        fired[offset] = "S2.filed_before_collective_decision" in codes(
            evaluate(variant({"review.collective_decision": given}, base="village_housing")))
    assert fired == {-1: False, 0: False, 1: True}


# --- 七(三): a suspended county -----------------------------------------------------------------

def test_filing_suspension_blocks_from_its_first_day_until_it_is_lifted(tmp_rules):
    add_suspension(tmp_rules, "141021", "2024-09-01", until="2024-09-11")
    during = evaluate(variant())                                   # filed 2024-09-10
    after = evaluate(variant({"filed_on": "2024-09-11"}))          # lifted on 09-11
    assert "S2.county_filing_suspended" in during.blocking
    assert during.approvable is False
    assert "S2.county_filing_suspended" not in codes(after)


def test_filing_suspension_of_another_county_does_not_apply(tmp_rules):
    add_suspension(tmp_rules, "141022", "2024-01-01")  # 翼城县
    assert "S2.county_filing_suspended" not in codes(evaluate(variant()))


def test_suspension_uses_the_as_of_date_when_nothing_was_filed(tmp_rules):
    add_suspension(tmp_rules, "141021", "2024-09-25")  # the case's decision date (its as-of date)
    decision = evaluate(variant({"filed_on": DELETE}))
    assert "S2.county_filing_suspended" in codes(decision)


def test_an_open_ended_suspension_applies(tmp_rules):
    add_suspension(tmp_rules, "141021", "2024-01-01")
    assert "S2.county_filing_suspended" in codes(evaluate(variant()))


def test_no_suspension_leaks_out_of_the_temporary_folder():
    # runs after the tests above in file order: Law.default() is the shipped law again once the block ends
    assert "S2.county_filing_suspended" not in codes(evaluate(variant()))


# --- S6: archived within 5 working days ---------------------------------------------------------

@pytest.mark.parametrize("archived, late", [("2024-10-10", False), ("2024-10-11", True)])
def test_archived_on_the_due_day_vs_the_day_after(archived, late):
    decision = evaluate(variant({"workflow.archived_on": archived}))
    s6 = item(decision, "S6")
    assert s6.status == "done"
    assert s6.due.isoformat() == "2024-10-10"
    assert ("S6.archived_late" in codes(decision)) is late
    assert decision.approvable is True  # the late archive is a warning; it blocks nothing


# --- status rules -------------------------------------------------------------------------------

def test_next_is_none_when_every_step_is_done():
    decision = evaluate(variant())
    assert [s.status for s in decision.steps] == ["done"] * 6
    assert decision.next_step is None


@pytest.mark.parametrize("removed, expected_next", [
    (["workflow.archived_on"], "S6"),
    (["workflow.approval_issued_on", "workflow.archived_on"], "S5"),
    (["workflow.fee_paid_on"], "S4"),
    (["workflow.decided_on"], "S3"),
    (["filed_on"], "S2"),
    ([P + "agreements_signed"], "S1"),
])
def test_next_is_the_first_step_not_done(removed, expected_next):
    decision = evaluate(variant({path: DELETE for path in removed}))
    assert decision.next_step == expected_next
    first = STEP_IDS.index(expected_next)
    assert all(s.status in ("done", "not_applicable") for s in decision.steps[:first])
    assert decision.steps[first].status in ("pending", "blocked")


def test_later_steps_done_do_not_hide_an_earlier_pending_one():
    # fee never recorded as paid, yet the approval was issued and archived: S4 is still the next step
    decision = evaluate(variant({"workflow.fee_paid_on": DELETE}))
    assert statuses(decision)["S4"] == "pending"
    assert statuses(decision)["S5"] == statuses(decision)["S6"] == "done"
    assert decision.next_step == "S4"
    # unknown is not false (CONTRACT Additions): no payment date is unrecorded evidence, not a late fee
    assert "S5.missing.workflow.fee_paid_on" in codes(decision)
    assert decision.blocking == ()


def test_a_new_filing_waits_for_the_city_review():
    decision = evaluate(CASES / "incomplete-new-filing.yaml")
    assert decision.next_step == "S3"
    assert statuses(decision)["S3"] == "pending"  # incomplete evidence is not a failure


def test_review_is_blocked_while_an_item_fails():
    decision = evaluate(variant({"workflow.decided_on": DELETE, "review.ownership.disputed": True}))
    assert statuses(decision)["S3"] == "blocked"
    assert decision.next_step == "S3"


def test_pre_approval_procedure_is_blocked_while_c7_fails():
    decision = evaluate(variant({P + "agreements_signed": DELETE, P + "social_security_funded": False}))
    assert statuses(decision)["S1"] == "blocked"
    assert decision.next_step == "S1"


def test_hearing_required_but_not_held_leaves_s1_pending():
    decision = evaluate(variant({P + "hearing_required": True}))
    assert statuses(decision)["S1"] in ("pending", "blocked")
    assert decision.next_step == "S1"


# The city's decision and its approval, absent from a file the city has no power over (LAL Art. 79:
# where they are recorded all the same, S3/S5 apply and block — tests/test_legal_checks.py)
NO_CITY_ACTS = {"workflow.decided_on": None, "workflow.approval_issued_on": None}


def test_yaodu_district_case_is_not_the_citys_to_approve():
    # 三(一)(二): 全市除尧都区外16个县(市) — the province approves both parts, the city's steps do not apply
    decision = evaluate(variant({"county": "尧都区", **NO_CITY_ACTS}))
    assert decision.conversion.level == "province" and decision.expropriation.level == "province"
    assert [statuses(decision)[s] for s in CITY_STEPS] == ["not_applicable"] * 4
    assert statuses(decision)["S1"] == statuses(decision)["S2"] == "done"
    assert all(item(decision, s).due is None for s in CITY_STEPS)


def test_permanent_basic_farmland_takes_both_parts_to_the_state_council_and_out_of_the_citys_steps():
    decision = evaluate(variant({"parcels[0].land.permanent_basic_farmland": D("0.0001"),
                                 "review.cultivated_compensation.supplemented": D("5.1235"), **NO_CITY_ACTS}))
    assert decision.conversion.level == decision.expropriation.level == "state_council"
    assert [statuses(decision)[s] for s in CITY_STEPS] == ["not_applicable"] * 4


def test_outside_the_construction_scale_the_citys_steps_do_not_apply():
    decision = evaluate(variant({"scope.within_construction_scale": False, **NO_CITY_ACTS}))
    assert [statuses(decision)[s] for s in CITY_STEPS] == ["not_applicable"] * 4


def test_no_conversion_by_the_city_makes_the_fee_step_not_applicable():
    # only existing construction land: the city approves the expropriation (三(二)) but converts nothing
    decision = evaluate(variant(base="construction_land_only"))
    assert decision.conversion is None and decision.expropriation.level == "city"
    assert statuses(decision)["S4"] == "not_applicable"
    assert [statuses(decision)[s] for s in ("S3", "S5", "S6")] == ["done"] * 3
    assert decision.approvable is True


def test_without_a_city_conversion_no_fee_is_needed_before_the_approval():
    decision = evaluate(variant({"workflow.fee_notice_on": DELETE, "workflow.fee_paid_on": DELETE},
                                base="construction_land_only"))
    assert "S5.issued_before_fee_paid" not in codes(decision)
    assert statuses(decision)["S4"] == "not_applicable"
    assert decision.next_step is None


def test_city_steps_apply_when_the_city_approves_only_the_conversion():
    # 35.0001 ha of cultivated land expropriated goes to the State Council; the city still converts
    decision = evaluate(variant({"parcels[0].land.cultivated": D("33.2887"),
                                 "review.cultivated_compensation.supplemented": D("35.0001"),
                                 "review.annual_plan.quota_requested": D("19.9999")}))
    assert decision.conversion.level == "city" and decision.expropriation.level == "state_council"
    assert [statuses(decision)[s] for s in CITY_STEPS] == ["done"] * 4


def test_state_land_only_has_no_pre_approval_procedure():
    decision = evaluate(variant(base="state_land_only"))
    assert statuses(decision)["S1"] == "not_applicable"
    assert decision.next_step is None


# --- S1 for conversion without expropriation (五(一) second sentence) ---------------------------

def test_village_housing_is_approved_by_the_county_with_the_collectives_decision():
    decision = evaluate(variant(base="village_housing"))
    assert decision.conversion.level == "county" and decision.expropriation is None
    assert statuses(decision)["S1"] == "done"
    assert [statuses(decision)[s] for s in CITY_STEPS] == ["not_applicable"] * 4
    assert statuses(decision)["C5"] == statuses(decision)["C7"] == "not_applicable"


@pytest.mark.parametrize("given", [
    {},
    {"decided_on": "2024-08-20"},
    {"township_approved_on": "2024-08-27"},
])
def test_village_housing_s1_needs_both_the_collective_decision_and_the_township_approval(given):
    decision = evaluate(variant({"review.collective_decision": given}, base="village_housing"))
    assert statuses(decision)["S1"] == "pending"
    assert decision.next_step == "S1"


def test_batch_converting_collective_land_without_expropriating_it_needs_the_collective_decision():
    unexpropriated = {"parcels[1].expropriate": False}
    without = evaluate(variant(unexpropriated))
    with_decision = evaluate(variant({**unexpropriated, "review.collective_decision":
                                      {"decided_on": "2024-08-20", "township_approved_on": "2024-08-27"}}))
    assert statuses(without)["S1"] == "pending"
    assert statuses(with_decision)["S1"] == "done"


def test_a_period_is_counted_only_on_a_calendar():
    """Facts.period_end counts on the facts' working-day calendar (review_facts gives it the law's):
    without one it says which period could not be counted, rather than failing on None."""
    import datetime as dt

    from landapproval.decision.facts import Facts

    facts = Facts(calendar=Law.default().calendar)
    facts.period_end("p", dt.date(2024, 9, 2), 5, working_days=False)
    assert facts.shown["p"] == dt.date(2024, 9, 9)   # day 5 is Saturday 7 September: the next working day
    with pytest.raises(ValueError, match="'p'"):
        Facts().period_end("p", dt.date(2024, 9, 2), 5, working_days=False)
    Facts().period_end("p", None, 5, working_days=False)   # nothing to count: no calendar needed
