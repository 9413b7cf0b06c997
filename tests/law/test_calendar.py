"""Working days on the official PRC calendar (weekends, statutory holidays, make-up working days).

五(六): 用地批复后5个工作日内 备案归档 — S6's due date is the 5th official working day after the
approval, counted from the next day. A year the chinese-calendar package does not know must be
supplied as rules/calendar/YYYY.yaml; until then the CLI says so and exits 2.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from landapproval.law import Law

from review_helpers import P, REPO, evaluate, item, rules_folder, variant, write_case

W = "workflow."
CLI = [str(Path(sys.executable).with_name("landapproval"))]


@pytest.fixture
def tmp_rules(tmp_path):
    """rules/ copied to tmp_path (without any 2027 schedule), LANDAPPROVAL_RULES set, Law.default() its law."""
    with rules_folder(tmp_path) as rules:
        (rules / "calendar" / "2027.yaml").unlink(missing_ok=True)
        yield rules


def run_cli(case_path: Path, rules: Path | None, *args):
    env = dict(os.environ)
    if rules is not None:
        env["LANDAPPROVAL_RULES"] = str(rules)
    return subprocess.run([*CLI, "evaluate", str(case_path), *args], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=60)


# --- the calendar itself ------------------------------------------------------------------------

@pytest.mark.parametrize("text, working", [
    ("2024-09-14", True),    # Saturday, make-up day for Mid-Autumn
    ("2024-09-16", False),   # Monday, Mid-Autumn holiday
    ("2024-09-29", True),    # Sunday, make-up day for National Day
    ("2024-10-01", False),
    ("2024-10-07", False),   # Monday, still the National Day holiday
    ("2024-10-12", True),    # Saturday, make-up day
    ("2025-01-01", False),
    ("2025-01-26", True),    # Sunday, make-up day for the Spring Festival
    ("2026-01-04", True),    # Sunday, make-up day for New Year 2026
    ("2024-10-05", False),   # an ordinary weekend day inside the holiday
])
def test_official_working_days(text, working):
    assert Law.default().calendar.is_workday(dt.date.fromisoformat(text)) is working


@pytest.mark.parametrize("start, count, expected", [
    ("2024-09-27", 5, "2024-10-10"),   # 09-29 make-up (1), 09-30 (2), holiday, 10-08 (3), 10-09 (4), 10-10 (5)
    ("2024-12-27", 5, "2025-01-06"),   # 12-30, 12-31, New Year, 01-02, 01-03, 01-06
    ("2025-12-29", 5, "2026-01-06"),   # 12-30, 12-31, 01-01..03 off, 01-04 make-up Sunday, 01-05, 01-06
    ("2024-09-20", 10, "2024-10-10"),
    ("2024-10-11", 1, "2024-10-12"),   # the next working day of a Friday can be a Saturday
])
def test_add_workdays_counts_from_the_next_day(start, count, expected):
    assert Law.default().calendar.add_workdays(dt.date.fromisoformat(start), count).isoformat() == expected


# --- the two examples of the brief, through the engine -----------------------------------------

@pytest.mark.parametrize("issued, due", [
    ("2024-09-27", "2024-10-10"),
    ("2024-12-27", "2025-01-06"),   # across the year boundary, New Year's Day off
    ("2025-12-29", "2026-01-06"),   # across the next one, with a make-up Sunday
])
def test_s6_due_is_the_5th_working_day_after_the_approval(issued, due):
    on_due = evaluate(variant({W + "approval_issued_on": issued, W + "archived_on": due}))
    day_after = (dt.date.fromisoformat(due) + dt.timedelta(days=1)).isoformat()
    late = evaluate(variant({W + "approval_issued_on": issued, W + "archived_on": day_after}))
    assert item(on_due, "S6").due.isoformat() == due
    assert on_due.to_dict("en")["workflow"]["steps"][5]["due"] == due
    assert not item(on_due, "S6").findings
    assert [f.code for f in item(late, "S6").findings] == ["S6.archived_late"]


def test_s6_due_is_shown_while_the_archive_is_pending():
    decision = evaluate(variant({W + "approval_issued_on": "2024-12-27", W + "archived_on": None}))
    assert item(decision, "S6").status == "pending"
    assert item(decision, "S6").due == dt.date(2025, 1, 6)


# --- a year chinese-calendar does not cover ------------------------------------------------------

def case_2027(**extra):
    # approved on Wednesday 2026-12-30: the 5th working day falls in 2027
    return variant({W + "approval_issued_on": "2026-12-30", W + "archived_on": "2027-01-07", **extra})


def test_a_deadline_inside_2026_needs_no_2027_schedule(tmp_rules):
    decision = evaluate(variant({W + "approval_issued_on": "2026-12-24", W + "archived_on": "2026-12-31"}))
    assert item(decision, "S6").due == dt.date(2026, 12, 31)


def test_a_missing_year_stops_only_the_deadline_it_affects(tmp_rules):
    """issue 12 item 14: S6's due date is unknown, with a finding naming 2027 and the fix; who
    approves and every check are still decided."""
    decision = evaluate(case_2027())
    assert decision.conversion.level == decision.expropriation.level == "city"
    assert all(c.status == "pass" for c in decision.checks)
    s6 = item(decision, "S6")
    assert s6.due is None and s6.status == "done"
    gap = [f for f in s6.findings if f.code == "S6.calendar_year_missing"]
    assert len(gap) == 1 and gap[0].kind == "missing" and gap[0].severity != "blocking"
    assert "2027" in gap[0].message["zh"] and "2027" in gap[0].message["en"]
    assert "rules/calendar/2027.yaml" in gap[0].remedy["en"] and "国务院办公厅" in gap[0].remedy["zh"]
    assert gap[0].missing == ("rules/calendar/2027.yaml",)
    assert gap[0].citation == "临政发〔2024〕7号 五(六)"
    assert decision.approvable is True  # the archive deadline comes after the approval


def test_cli_names_the_missing_year_in_the_decision_without_a_traceback(tmp_rules, tmp_path):
    path = write_case(tmp_path / "qw-2027.yaml", case_2027())
    result = run_cli(path, tmp_rules)
    assert result.returncode == 0, result.stderr
    assert "2027" in result.stdout and "rules/calendar/2027.yaml" in result.stdout
    assert "Traceback" not in result.stderr + result.stdout


def test_a_missing_year_in_the_announcement_period_makes_c7_incomplete_not_an_error(tmp_rules):
    # announced 2026-12-15: the 30th day, 2027-01-14, needs 2027 to know whether it is a rest day
    decision = evaluate(variant({"filed_on": "2027-01-20", "workflow.decided_on": None,
                                 P + "compensation_announcement": "2026-12-15",
                                 P + "compensation_registration": "2026-12-20",
                                 P + "agreements_signed": "2027-01-20",
                                 P + "pre_announcement": "2026-11-02", P + "status_survey": "2026-11-20",
                                 P + "risk_assessment": "2026-11-25"}), as_of=dt.date(2027, 1, 20))
    c7 = item(decision, "C7")
    assert c7.status == "incomplete", [f.code for f in c7.findings]
    assert [f.code for f in c7.findings] == ["C7.calendar_year_missing"]
    assert "2027" in c7.findings[0].message["en"]
    # the time limit's own clause: Regs Art. 28 (公告时间不少于三十日), read by 民法典 203
    assert c7.findings[0].citation.startswith("土地管理法实施条例 第二十八条")
    assert decision.conversion.level == "city"
    assert all(c.status == "pass" for c in decision.checks if c.id != "C7")


@pytest.mark.parametrize("base, changes", [
    ("complete", {"county": "尧都区"}),   # the province approves both parts (三: 除尧都区外)
    ("village_housing", {}),              # the county approves the conversion (三(一))
], ids=["yaodu", "village_housing"])
def test_a_deadline_that_does_not_apply_needs_no_schedule(tmp_rules, tmp_path, base, changes):
    # workflow.yaml: S3–S6 are the city's own procedure and do not apply when the city approves
    # neither part, so 五(六)'s 5 working days are never counted and 2027 is not needed.
    case = variant({**changes, W + "approval_issued_on": "2026-12-30", W + "archived_on": "2027-01-07"}, base=base)
    decision = evaluate(case)
    assert item(decision, "S6").status == "not_applicable"
    assert item(decision, "S6").due is None
    result = run_cli(write_case(tmp_path / "not-the-citys.yaml", case), tmp_rules)
    assert result.returncode in (0, 1), result.stderr


SCHEDULE_2027 = """\
# A plausible TEST schedule for 2027 (not the State Council's notice): the user's data file.
year: 2027
source: 测试用日程（非国务院办公厅通知）
holidays:            # rest days that fall on a Monday–Friday
  - 2027-01-01
  - 2027-02-08
  - 2027-02-09
  - 2027-02-10
  - 2027-02-11
  - 2027-02-12
  - 2027-04-05
  - 2027-05-03
  - 2027-05-04
  - 2027-05-05
  - 2027-06-09
  - 2027-09-15
  - 2027-10-01
  - 2027-10-04
  - 2027-10-05
  - 2027-10-06
  - 2027-10-07
workdays:            # make-up working days that fall on a Saturday or Sunday
  - 2027-02-20
  - 2027-04-25
  - 2027-09-26
  - 2027-10-09
"""


def test_the_same_case_passes_once_the_user_supplies_2027(tmp_rules, tmp_path):
    (tmp_rules / "calendar" / "2027.yaml").write_text(SCHEDULE_2027, encoding="utf-8")
    # 2026-12-31 (1), 2027-01-01 holiday, weekend, 01-04 (2), 01-05 (3), 01-06 (4), 01-07 (5)
    decision = evaluate(case_2027())
    assert item(decision, "S6").due == dt.date(2027, 1, 7)
    assert decision.approvable is True
    assert not item(decision, "S6").findings
    # the decision says which user calendar it counted on, and the notice that calendar names
    assert decision.calendars == ({"year": 2027, "source": "测试用日程（非国务院办公厅通知）",
                                   "file": "rules/calendar/2027.yaml"},)
    assert decision.to_dict("en")["calendars"][0]["year"] == 2027
    from landapproval.views import report
    assert "rules/calendar/2027.yaml（测试用日程（非国务院办公厅通知））" in report.html_report(decision, "zh")

    path = write_case(tmp_path / "qw-2027.yaml", case_2027())
    result = run_cli(path, tmp_rules)
    assert result.returncode == 0, result.stderr
    assert "2027-01-07" in result.stdout
    assert "rules/calendar/2027.yaml" in result.stdout and "测试用日程" in result.stdout

    late = evaluate(case_2027(**{W + "archived_on": "2027-01-08"}))
    assert "S6.archived_late" in {f.code for f in item(late, "S6").findings}


def test_a_supplied_make_up_saturday_counts(tmp_rules):
    (tmp_rules / "calendar" / "2027.yaml").write_text(SCHEDULE_2027, encoding="utf-8")
    # approved Friday 2027-02-19: Saturday 02-20 is a make-up working day (1), then 02-22..25 (2..5)
    decision = evaluate(variant({W + "approval_issued_on": "2027-02-19", W + "archived_on": "2027-02-25"}))
    assert item(decision, "S6").due == dt.date(2027, 2, 25)
    assert Law.default().calendar.is_workday(dt.date(2027, 2, 20)) is True
    assert Law.default().calendar.is_workday(dt.date(2027, 2, 8)) is False


def test_a_supplied_year_takes_precedence_over_the_package(tmp_rules):
    # a (hypothetical) correction of 2024: 2024-10-10 declared a rest day
    (tmp_rules / "calendar" / "2024.yaml").write_text(
        "year: 2024\nsource: test correction\nholidays: [2024-10-01, 2024-10-02, 2024-10-03, 2024-10-04, "
        "2024-10-07, 2024-10-10]\nworkdays: [2024-09-29, 2024-10-12]\n", encoding="utf-8")
    assert item(evaluate(variant()), "S6").due == dt.date(2024, 10, 11)


def test_no_2027_schedule_is_committed_by_these_tests():
    # the test schedule lives only in tmp folders; rules/calendar/ keeps what the maintainers put there
    text = (REPO / "rules" / "calendar" / "2027.yaml")
    assert not text.exists() or "测试用日程" not in text.read_text(encoding="utf-8")


def test_a_calendar_from_the_package_is_not_reported_as_a_user_calendar():
    assert evaluate(variant()).calendars == ()


@pytest.mark.parametrize("text, problem", [
    ("year: 2027\nholidays: [2027-01-01]\n", "source"),
    ("year: 2027\nsource: ''\nholidays: [2027-01-01]\n", "source"),
    ("year: 2026\nsource: 国办发明电\n", "year must be 2027"),
    ("year: 2027\nsource: 国办发明电\nholidays: [2026-12-31]\n", "2026-12-31 not in 2027"),
])
def test_a_user_calendar_must_name_its_source_and_its_year(tmp_rules, text, problem):
    # issue 12 item 14: a schedule without the State Council notice it copies cannot be checked
    from landapproval.core.errors import RuleError
    (tmp_rules / "calendar" / "2027.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RuleError) as error:
        evaluate(case_2027())
    assert "rules/calendar/2027.yaml" in str(error.value) and problem in str(error.value)
