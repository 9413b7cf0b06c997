"""Issue 21 item 7: rules that could silently do nothing are refused when the law is loaded (before:
a fact declared in rules/facts.yaml that nothing computes compiled, and its rule never fired)."""

from __future__ import annotations

from pathlib import Path

import pytest

import landapproval
from landapproval import Law, RuleError
from tests.review_helpers import rules_folder

REPO = Path(__file__).resolve().parents[2]
C4 = REPO / "cases" / "review" / "c4-supplement-short.yaml"

ORPHAN = "compensation.certified:     {type: bool, zh: 补充耕地已验收, en: the supplemented land is certified}\n"
READS_IT = """      - code: C4.not_certified
        when: {compensation.certified: false}
        severity: blocking
        message: {zh: 补充耕地未验收, en: The supplemented land is not certified}
"""


def _add_finding(folder: Path, finding: str) -> None:
    review = folder / "review.yaml"
    text = review.read_text(encoding="utf-8")
    anchor = "      - code: C4.quality_not_matched\n"
    assert anchor in text
    review.write_text(text.replace(anchor, finding + anchor), encoding="utf-8")


def _add_fact(folder: Path, line: str) -> None:
    facts = folder / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8") + line, encoding="utf-8")


def test_the_shipped_rules_load():
    assert Law.from_dir(REPO / "rules").fingerprint


def test_a_declared_fact_that_nothing_computes_is_refused_naming_its_readers(tmp_path):
    with rules_folder(tmp_path) as folder:
        _add_fact(folder, ORPHAN)
        _add_finding(folder, READS_IT)
        with pytest.raises(RuleError) as caught:
            Law.from_dir(folder)
    error = caught.value
    assert error.file == "facts.yaml" and error.where == "facts.yaml compensation.certified"
    assert "no code computes it" in error.problem and "C4.not_certified" in error.problem
    assert "C4.not_certified" in error.describe("zh") and "程序也不计算" in error.describe("zh")


def test_a_fact_the_case_carries_is_accepted(tmp_path):
    """The neighbour: the same fact given by a case-file field (`field:`) loads and decides."""
    with rules_folder(tmp_path) as folder:
        _add_fact(folder, ORPHAN.replace("{type: bool,", "{type: bool, field: review.cultivated_compensation.quality_matched,"))
        _add_finding(folder, READS_IT)
        law = Law.from_dir(folder)
        assert "C4.not_certified" in law.book.rules


@pytest.mark.parametrize("when, said", [
    ("{all: [{compensation.method: fee}, {compensation.method: none}]}", "compensation.method eq fee and compensation.method eq none"),
    ("{all: [{conversion.cultivated_incl_pbf: {gt: 5}}, {conversion.cultivated_incl_pbf: {lt: 3}}]}", "gt 50000"),
    ("{all: [{conversion.cultivated_incl_pbf: {gte: 5}}, {conversion.cultivated_incl_pbf: {lt: 5}}]}", "lt 50000"),
    ("{all: [{compensation.quality_matched: true}, {not: {compensation.quality_matched: true}}]}", "ne True"),
    ("{all: [{compensation.quality_matched: known}, {compensation.quality_matched: unknown}]}", "unknown"),
    ("{any: [{all: [{case.kind: batch}, {case.kind: single_site}]}, {all: [{compensation.method: fee}, {not: {compensation.method: fee}}]}]}", "case.kind"),
])
def test_a_rule_whose_condition_can_never_hold_is_refused(tmp_path, when, said):
    finding = READS_IT.replace("{compensation.certified: false}", when).replace("not_certified", "never")
    with rules_folder(tmp_path) as folder:
        _add_finding(folder, finding)
        with pytest.raises(RuleError) as caught:
            Law.from_dir(folder)
    assert caught.value.where == "rule C4.never" and "can never hold" in caught.value.problem
    assert said in caught.value.problem


@pytest.mark.parametrize("when", [
    "{all: [{conversion.cultivated_incl_pbf: {gte: 5}}, {conversion.cultivated_incl_pbf: {lte: 5}}]}",  # exactly 5
    "{any: [{all: [{case.kind: batch}, {case.kind: single_site}]}, {compensation.method: fee}]}",  # one branch can
    "{all: [{compensation.quality_matched: true}, {not: {compensation.quality_matched: false}}]}",
])
def test_a_condition_that_can_hold_is_kept(tmp_path, when):
    finding = READS_IT.replace("{compensation.certified: false}", when).replace("not_certified", "can")
    with rules_folder(tmp_path) as folder:
        _add_finding(folder, finding)
        assert "C4.can" in Law.from_dir(folder).book.rules


def test_a_rule_file_that_does_not_read_names_its_file(tmp_path):
    with rules_folder(tmp_path) as folder:
        _add_finding(folder, READS_IT.replace("{compensation.certified: false}",
                                              "{compensation.method: fee, compensation.method: none}"))
        with pytest.raises(RuleError) as caught:
            Law.from_dir(folder)
    assert caught.value.file == "review.yaml"


def test_a_rule_errors_structure_for_any_rule_file_mistake(tmp_path):
    with rules_folder(tmp_path) as folder:
        _add_finding(folder, READS_IT.replace("severity: blocking", "severity: fatal").replace(
            "{compensation.certified: false}", "{compensation.method: fee}"))
        with pytest.raises(RuleError) as caught:
            Law.from_dir(folder)
    assert caught.value.file == "review.yaml" and "severity" in caught.value.problem
    assert str(caught.value) == f"{caught.value.where}: {caught.value.problem}"
    assert isinstance(caught.value, landapproval.LandApprovalError)
