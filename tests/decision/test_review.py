"""The eight review items of 临政发〔2024〕7号 四(一)–(八) (rules/review.yaml, C1–C8).

Every case is the complete, approvable example with one change (review_helpers.variant), so each
test reads as the fact that changed and what the law makes of it.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from landapproval.law import Law
from landapproval.law.rulebook import parameter_words
from landapproval.law.types import fill_text
from click.testing import CliRunner

from landapproval.cli import main as cli

from review_helpers import (CASES, COMPLETE, D, DELETE, MISSING_PAIRS, P, REVIEW_PAIRS, WORKFLOW_PAIRS,
                            all_findings, codes, complete, evaluate, finding, finding_codes_in_rules, item,
                            missing_fields, rule_messages, shifted, statuses, variant, write_case, day)

CHECK_IDS = [f"C{i}" for i in range(1, 9)]
STEP_IDS = [f"S{i}" for i in range(1, 7)]
CJK = re.compile(r"[\u4e00-\u9fff]")


def run_cli(tmp_path, case, *args):
    path = write_case(tmp_path / f"{case['id']}.yaml", case)
    return CliRunner().invoke(cli, ["evaluate", str(path), *args])


# --- the complete example ---------------------------------------------------------------------

def test_complete_example_passes_every_item_and_finishes_every_step():
    decision = evaluate(complete())
    assert [c.id for c in decision.checks][:8] == CHECK_IDS
    assert all(c.status == "pass" and not c.findings for c in decision.checks[:8])
    assert [(s.id, s.status) for s in decision.steps] == [(s, "done") for s in STEP_IDS]
    assert decision.blocking == ()
    assert decision.approvable is True
    assert decision.next_step is None


# --- each finding on both sides of its condition ----------------------------------------------

@pytest.mark.parametrize("pair", REVIEW_PAIRS + MISSING_PAIRS, ids=str)
def test_finding_fires_on_one_side_of_its_condition_only(pair):
    fired = evaluate(variant(pair.fires, base=pair.base))
    quiet = evaluate(variant(pair.quiet, base=pair.base))

    hit = finding(fired, pair.code)
    owner = item(fired, pair.code.split(".")[0])
    assert hit in owner.findings, f"{pair.code} reported under another item"
    written = finding_codes_in_rules()[pair.code]
    if written == "missing":
        # absent evidence is unknown: the item is incomplete, never failed on a guess
        assert hit.kind == "missing"
        assert owner.status == "incomplete", [f.code for f in owner.findings]
    else:
        assert hit.kind == "finding"
        assert hit.severity == written
        if written in ("blocking", "correctable"):
            assert owner.status == "fail"
        else:
            assert owner.status == "pass", "a warning alone does not fail the item"
        # the rule file's message, its parameters filled with the values in force on the case's date
        values = dict(Law.default().book.values_on(fired.as_of))
        assert hit.message["en"] == fill_text(rule_messages()[pair.code]["en"], parameter_words(values))
    if written == "blocking":
        assert pair.code in fired.blocking
        assert fired.approvable is False

    assert pair.code not in codes(quiet), f"{pair.code} fired on the other side: {pair.why}"


def test_every_finding_code_of_the_rule_files_has_a_fires_test():
    in_rules = set(finding_codes_in_rules())
    tested = {p.code for p in REVIEW_PAIRS + MISSING_PAIRS + WORKFLOW_PAIRS}
    assert in_rules - tested == set(), "finding codes without a fires/quiet pair in review_helpers.py"
    assert tested - in_rules == set(), "pairs for codes the rule files no longer have"


def test_the_quiet_side_of_a_time_limit_is_a_clean_approvable_case():
    # announced 2024-08-10: its 30th day, 09-09 (a Monday), is the last day; filed 09-10, after it
    case = variant({P + "compensation_announcement": "2024-08-10", P + "compensation_registration": "2024-08-20",
                    P + "agreements_signed": "2024-09-10"})
    decision = evaluate(case)
    assert item(decision, "C7").status == "pass"
    assert decision.approvable is True


# Order rules of C7, one day each way around the step they must not precede (same day is lawful).
# (code, field moved, the date it is compared with, True if the moved step must come after it)
C7_ORDER = [
    ("C7.survey_before_pre_announcement", P + "status_survey", "2024-05-06", True),
    ("C7.risk_assessment_before_pre_announcement", P + "risk_assessment", "2024-05-06", True),
    ("C7.announcement_before_survey", P + "status_survey", "2024-06-10", False),
    ("C7.announcement_before_risk_assessment", P + "risk_assessment", "2024-06-10", False),
    ("C7.registration_before_announcement", P + "compensation_registration", "2024-06-10", True),
    ("C7.steps_after_filing", P + "agreements_signed", "2024-09-10", False),
]


@pytest.mark.parametrize("code, path, reference, after", C7_ORDER, ids=[o[0] for o in C7_ORDER])
def test_order_rule_one_day_each_way(code, path, reference, after):
    fired = {offset: code in codes(evaluate(variant({path: shifted(reference, offset)}))) for offset in (-1, 0, 1)}
    assert fired == ({-1: True, 0: False, 1: False} if after else {-1: False, 0: False, 1: True})


def test_hearing_after_the_announcement_one_day_each_way():
    # Regs Art. 28: the hearing is held on the announced plan (the same day is lawful)
    fired = {offset: "C7.hearing_before_announcement" in codes(evaluate(variant({
        P + "hearing_required": True, P + "hearing": shifted("2024-06-10", offset)}))) for offset in (-1, 0, 1)}
    assert fired == {-1: True, 0: False, 1: False}


def test_agreements_after_the_hearing_day_regs_29():
    # Regs Art. 29: the plan is settled on the hearing's outcome, then the agreements are signed:
    # agreements (07-25) on the day of the hearing are early, the day after it they are not
    fired = {offset: "C7.agreements_before_hearing" in codes(evaluate(variant({
        P + "hearing_required": True, P + "hearing": shifted("2024-07-25", offset)}))) for offset in (-1, 0, 1)}
    assert fired == {-1: False, 0: True, 1: True}


# --- time limits: the last day, and the day after -----------------------------------------------

# 民法典 第二百零一条、第二百零三条: a 30-day announcement posted on A runs A+1 … A+30; a last day on a
# rest day (weekend or holiday on the official calendar) moves to the next working day; filing on
# or before the last day is filing during the announcement. (announced, last day)
ANNOUNCEMENT_LAST_DAYS = [
    ("2024-08-11", "2024-09-10"),   # the 30th day, a Tuesday
    ("2024-08-09", "2024-09-09"),   # the 30th day is Sunday 09-08: moved to Monday
    ("2024-09-03", "2024-10-08"),   # the 30th day is 10-03, in the National Day holiday: moved to 10-08
    ("2024-08-30", "2024-09-29"),   # the 30th day is Sunday 09-29, a make-up working day: not moved
]


@pytest.mark.parametrize("announced, last_day", ANNOUNCEMENT_LAST_DAYS, ids=[a[1] for a in ANNOUNCEMENT_LAST_DAYS])
@pytest.mark.parametrize("filed_after_last_day", [0, 1], ids=["filed_on_the_last_day", "filed_the_day_after"])
def test_compensation_announcement_civil_code_201_203_last_day_vs_day_after(announced, last_day, filed_after_last_day):
    """LAL Art. 47 ¶2 / Regs Art. 28 公告时间不少于三十日, counted by 民法典 第二百零一条、第二百零三条."""
    filed = shifted(last_day, filed_after_last_day)
    decision = evaluate(variant({P + "compensation_announcement": announced,
                                 P + "compensation_registration": shifted(announced, 1),
                                 P + "agreements_signed": filed, "filed_on": filed}))
    fires = filed_after_last_day == 0
    assert ("C7.compensation_announcement_too_short" in codes(decision)) is fires
    assert decision.facts["procedure.compensation_announcement_period_end"] == day(last_day)
    assert item(decision, "C7").status == ("fail" if fires else "pass"), [f.code for f in item(decision, "C7").findings]
    if fires:
        facts = finding(decision, "C7.compensation_announcement_too_short").facts
        assert facts["procedure.compensation_announcement_period_end"] == day(last_day)
        assert facts["workflow.filed_on"] == day(filed)


@pytest.mark.parametrize("filed, fires", [
    ("2024-10-08", True),   # 10th Mon–Fri weekday was 10-04: counting weekdays would wrongly accept this
    ("2024-10-09", True),   # 9th official working day
    ("2024-10-10", True),   # 10th official working day (the 09-29 make-up Sunday counts): the last day
    ("2024-10-11", False),  # the day after the last day
])
def test_pre_announcement_regs_26_ten_working_days_last_day_vs_day_after(filed, fires):
    # Regs Art. 26: 预公告时间不少于十个工作日. Posted Friday 2024-09-20; the National Day holiday
    # (10-01..07) is not counted, the make-up working day 09-29 is; the 10th is the last day.
    decision = evaluate(variant({P + "pre_announcement": "2024-09-20", "filed_on": filed}))
    assert ("C7.pre_announcement_too_short" in codes(decision)) is fires
    assert decision.facts["procedure.pre_announcement_period_end"] == dt.date(2024, 10, 10)


def test_pre_announcement_day_itself_is_not_counted():
    # 民法典 第二百零一条. Posted Monday 2024-05-06 (complete case). Working days after it: 05-07..10
    # (4), the 05-11 make-up Saturday (5), 05-13..17 (10): 05-17 is the last day.
    on_last_day = evaluate(variant({"filed_on": "2024-05-17"}))
    after = evaluate(variant({"filed_on": "2024-05-18"}))
    assert "C7.pre_announcement_too_short" in codes(on_last_day)
    assert "C7.pre_announcement_too_short" not in codes(after)


@pytest.mark.parametrize("step", ["pre_announcement", "status_survey", "risk_assessment", "compensation_announcement",
                                  "hearing", "compensation_registration", "agreements_signed"])
def test_every_pre_approval_step_is_done_by_the_filing_date(step):
    # Regs Art. 30: 完成本条例规定的征地前期工作后，方可提出征收土地申请. Filed 2024-09-10.
    extra = {P + "hearing_required": True} if step == "hearing" else {}
    late = evaluate(variant({**extra, P + step: "2024-09-11"}))
    same_day = evaluate(variant({**extra, P + step: "2024-09-10"}))
    assert "C7.steps_after_filing" in codes(late)
    assert "C7.steps_after_filing" not in codes(same_day)


# --- absent evidence is incomplete, never pass or fail ----------------------------------------

ABSENT = [
    ("C1", "review.planning", {"review.planning.conforms_to_plan", "review.planning.occupies_ecological_red_line",
                               "review.planning.exceeds_development_boundary_phase_total"}),
    ("C2", "review.annual_plan", {"review.annual_plan.quota_available", "review.annual_plan.quota_requested"}),
    ("C3", "review.ownership", {"review.ownership.matches_registration", "review.ownership.matches_change_survey",
                                "review.ownership.disputed", "review.ownership.land_type_traced"}),
    ("C4", "review.cultivated_compensation", {"review.cultivated_compensation.method"}),
    ("C5", "review.public_interest", {"review.public_interest.category",
                                      "review.public_interest.in_development_plan"}),
    ("C6", "review.protected_areas", {"review.protected_areas"}),
    ("C7", "review.expropriation_procedure", {P + name for name in (
        "pre_announcement", "status_survey", "risk_assessment", "compensation_announcement", "hearing_required",
        "compensation_registration", "agreements_signed", "social_security_funded", "costs_predeposited")}),
    ("C8", "review.violations", {"review.violations.illegal_land_use", "review.violations.petitions"}),
]


@pytest.mark.parametrize("check_id, evidence, expected", ABSENT, ids=[a[0] for a in ABSENT])
def test_absent_evidence_makes_the_item_incomplete(tmp_path, check_id, evidence, expected):
    case = variant({evidence: DELETE})
    decision = evaluate(case)
    check = item(decision, check_id)
    assert check.status == "incomplete"
    assert all(f.kind == "missing" for f in check.findings), "nothing absent may be read as true or false"
    assert missing_fields(decision, check_id) == expected
    others = {c.id: c.status for c in decision.checks[:8] if c.id != check_id}
    assert set(others.values()) == {"pass"}
    assert decision.blocking == ()
    assert decision.approvable is False, "an incomplete item is not approvable"
    assert run_cli(tmp_path, case).exit_code == 1


def test_a_case_without_any_review_evidence_is_incomplete_on_every_item():
    decision = evaluate(variant({"review": {}}))
    assert [c.status for c in decision.checks[:8]] == ["incomplete"] * 8
    assert decision.approvable is False


def test_incomplete_new_filing_example_names_what_is_missing():
    decision = evaluate(CASES / "incomplete-new-filing.yaml")
    for check_id, _, expected in ABSENT:
        if check_id == "C7":
            continue  # its procedure is given, only the two funding answers are absent
        assert item(decision, check_id).status == "incomplete"
        assert missing_fields(decision, check_id) == expected
    assert missing_fields(decision, "C7") == {P + "social_security_funded", P + "costs_predeposited"}
    assert decision.approvable is False


# --- not applicable where the law says so -----------------------------------------------------

def test_no_expropriation_makes_public_interest_and_procedure_not_applicable():
    # all parcels state-owned: nothing is expropriated (LAL Art. 45/47 apply to expropriation)
    decision = evaluate(variant({"review.public_interest": DELETE, "review.expropriation_procedure": DELETE},
                                base="state_land_only"))
    assert statuses(decision)["C5"] == "not_applicable"
    assert statuses(decision)["C7"] == "not_applicable"
    assert decision.expropriation is None
    assert decision.approvable is True


def test_collective_land_converted_without_expropriation_makes_c5_c7_not_applicable():
    changes = {f"parcels[{i}].expropriate": False for i in (0, 1)}
    decision = evaluate(variant({**changes, "review.public_interest": DELETE,
                                 "review.expropriation_procedure": DELETE}))
    assert statuses(decision)["C5"] == statuses(decision)["C7"] == "not_applicable"


def test_one_expropriated_parcel_makes_c5_and_c7_apply_again():
    decision = evaluate(variant({"parcels[0].expropriate": False, "review.expropriation_procedure": DELETE}))
    assert statuses(decision)["C7"] == "incomplete"
    assert statuses(decision)["C5"] == "pass"


def test_no_cultivated_land_converted_makes_c4_not_applicable():
    decision = evaluate(variant({"parcels[0].land.cultivated": D("0"), "parcels[1].land.cultivated": D("0"),
                                 "review.cultivated_compensation": DELETE}))
    assert statuses(decision)["C4"] == "not_applicable"
    assert decision.approvable is True


def test_permanent_basic_farmland_is_cultivated_land_for_c4():
    # 四(四) speaks of 耕地; permanent basic farmland is 耕地 too, so 0.0001 ha of it brings C4 back
    decision = evaluate(variant({"parcels[0].land.cultivated": D("0"), "parcels[1].land.cultivated": D("0"),
                                 "parcels[0].land.permanent_basic_farmland": D("0.0001"),
                                 "review.cultivated_compensation": DELETE}))
    assert statuses(decision)["C4"] == "incomplete"


def test_no_new_construction_land_makes_c2_not_applicable():
    decision = evaluate(variant({"review.annual_plan": DELETE, "review.cultivated_compensation": DELETE},
                                base="construction_land_only"))
    assert statuses(decision)["C2"] == "not_applicable"
    assert statuses(decision)["C4"] == "not_applicable"
    assert decision.conversion is None
    assert decision.approvable is True


def test_unused_land_is_new_construction_land_for_c2():
    decision = evaluate(variant({"parcels[0].land.unused": D("0.0001"), "review.annual_plan": DELETE},
                                base="construction_land_only"))
    assert statuses(decision)["C2"] == "incomplete"


# --- approvable, exactly as the contract says -------------------------------------------------

def test_a_warning_alone_does_not_block():
    decision = evaluate(variant({"review.violations.petitions": [{"id": "XF-2024-0815", "resolved": False}],
                                 "review.public_interest.category": "other_by_law",
                                 "workflow.archived_on": "2024-10-11"}))
    assert {f.severity for f in all_findings(decision)} == {"warning"}
    assert decision.approvable is True


def test_a_correctable_finding_fails_its_item_and_so_is_not_approvable():
    decision = evaluate(variant({"review.ownership.land_type_traced": False}))
    assert decision.blocking == ()
    assert item(decision, "C3").status == "fail"
    assert decision.approvable is False


def test_a_blocking_finding_in_a_step_is_not_approvable_although_every_item_passes():
    decision = evaluate(CASES / "s5-issued-before-fee.yaml")
    assert all(c.status == "pass" for c in decision.checks[:8])
    assert decision.blocking == ("S5.issued_before_fee_paid",)
    assert decision.approvable is False


# --- output -----------------------------------------------------------------------------------

EXAMPLES = sorted(CASES.glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_json_lists_c1_c8_and_s1_s6_in_order_and_every_finding_is_complete(path, lang):
    result = CliRunner().invoke(cli, ["evaluate", str(path), "--format", "json", "--lang", lang])
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.output)
    assert [c["id"] for c in data["checks"]][:8] == CHECK_IDS
    assert [s["id"] for s in data["workflow"]["steps"]] == STEP_IDS
    assert result.exit_code == (0 if data["approvable"] else 1)
    for entry in data["checks"] + data["workflow"]["steps"]:
        for f in entry["findings"]:
            assert f["code"].startswith(entry["id"] + ".")
            assert f["severity"] in ("blocking", "correctable", "warning")
            assert f["message"] and f["citation"]
            if lang == "en":
                assert not CJK.search(f["message"]), f["message"]
                assert not CJK.search(f.get("remedy", "")), f["remedy"]


@pytest.mark.parametrize("pair", REVIEW_PAIRS, ids=str)
def test_every_finding_in_json_has_code_severity_message_and_citation(pair):
    data = evaluate(variant(pair.fires, base=pair.base)).to_dict("en")
    fired = [f for entry in data["checks"] + data["workflow"]["steps"] for f in entry["findings"]]
    assert pair.code in {f["code"] for f in fired}
    for f in fired:
        assert set(f) >= {"code", "severity", "message", "citation"}
        assert f["severity"] in ("blocking", "correctable", "warning")
        assert f["message"] and not CJK.search(f["message"])
        assert f["citation"]


KNOWN_APPROVABLE = {"complete-approvable": True, "s6-archived-late": True,  # a warning alone does not block
                    "incomplete-new-filing": False, "s5-issued-before-fee": False,
                    **{p.stem: False for p in CASES.glob("c[1-8]-*.yaml")}}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_exit_code_is_0_for_approvable_and_1_for_not(path):
    approvable = evaluate(path).approvable
    if path.stem in KNOWN_APPROVABLE:
        assert approvable is KNOWN_APPROVABLE[path.stem]
    result = CliRunner().invoke(cli, ["evaluate", str(path)])
    assert result.exit_code == (0 if approvable else 1), result.output


def test_bad_input_exits_2(tmp_path):
    result = run_cli(tmp_path, variant({"review.planning.conforms_to_plann": True}))
    assert result.exit_code == 2
    assert "规划管控（C1）的 “conforms_to_plann”" in result.output


def test_text_output_leads_with_the_verdict():
    approvable = CliRunner().invoke(cli, ["evaluate", str(COMPLETE)])
    refused = CliRunner().invoke(cli, ["evaluate", str(CASES / "c4-supplement-short.yaml")])
    # line 1 is the verdict with the case it is about; the blocking findings come next
    first = approvable.output.splitlines()[0]
    assert first.startswith("结论：可以批准（各审查事项均通过，无阻断问题）") and "案件 QW-2024-03 " in first
    lines = refused.output.splitlines()
    assert lines[0].startswith("结论：暂不能批准")
    assert lines[1] == "阻断问题:" and lines[2].startswith("  [C4 严格非农建设占用耕地审查 · 阻断] 补充耕地面积少于")
    # the code is in the technical appendix (evaluate --appendix), not in the body
    assert "技术附录" not in refused.output and "C4.supplement_short" not in refused.output
    with_appendix = CliRunner().invoke(cli, ["evaluate", str(CASES / "c4-supplement-short.yaml"), "--appendix"])
    body, appendix = with_appendix.output.split("技术附录:")
    assert "C4.supplement_short" not in body and "C4.supplement_short" in appendix
    assert refused.output.index("阻断问题") < refused.output.index("农用地转用")


def test_english_text_has_english_verdict_and_messages():
    result = CliRunner().invoke(cli, ["evaluate", str(CASES / "c4-supplement-short.yaml"), "--lang", "en"])
    lines = result.output.splitlines()
    assert lines[0].startswith("Verdict: NOT APPROVABLE yet")
    message = rule_messages()["C4.supplement_short"]
    assert message["en"] in result.output
    assert message["zh"] not in result.output
    assert "Review items: FAIL C4 Occupation of cultivated land; pass C1 Territorial spatial planning controls, " in result.output
    approvable = CliRunner().invoke(cli, ["evaluate", str(COMPLETE), "--lang", "en"])
    assert approvable.output.splitlines()[0].startswith("Verdict: APPROVABLE")
