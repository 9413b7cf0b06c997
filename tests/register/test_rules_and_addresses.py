"""rules/register.yaml is law like the rest (checked when the rule book is read), and --db /
LANDAPPROVAL_DB name the register."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from landapproval.core.errors import InputError, RuleError
from landapproval.law import Law
from landapproval.register.db import resolve_url

ROOT = Path(__file__).resolve().parents[2]


def test_every_cross_case_rule_cites_its_clause_and_joins_a_review_item_or_step():
    rules = Law.default().cross_case.rules
    assert set(rules) >= {"register.same_project", "register.land_filed_twice", "register.quota_ledger_exceeded"}
    for rule in rules.values():
        assert rule.cite.doc and rule.cite.clause and rule.cite.text
        assert rule.message["zh"] and rule.message["en"]
    placeholder = Law.default().cross_case.value("suspension_candidates", __import__("datetime").date(2024, 7, 1))
    assert placeholder.values["placeholder"] is True


@pytest.mark.parametrize("edit, message", [
    (("item: C3", "item: C9"), "item must be one of"),
    (("severity: blocking", "severity: fatal"), "severity one of"),
    (("- from: 2021-09-01", "- from: 2021-02-30"), "is not a date"),
])
def test_a_broken_register_rule_file_is_a_rule_error_naming_it(tmp_path, edit, message):
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    text = (folder / "register.yaml").read_text("utf-8")
    (folder / "register.yaml").write_text(text.replace(*edit, 1), "utf-8")
    with pytest.raises(RuleError, match=message):
        Law.from_dir(folder)


def test_a_rules_folder_without_register_yaml_has_no_cross_case_rules(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    (folder / "register.yaml").unlink()
    assert Law.from_dir(folder).cross_case.rules == {}


def test_the_register_address(tmp_path, monkeypatch):
    monkeypatch.delenv("LANDAPPROVAL_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    assert resolve_url(None) == f"sqlite:///{tmp_path / 'landapproval-register.sqlite'}"
    monkeypatch.setenv("LANDAPPROVAL_DB", str(tmp_path / "x.sqlite"))
    assert resolve_url(None).endswith("/x.sqlite")
    assert resolve_url("postgresql://u@h:5432/db") == "postgresql+psycopg://u@h:5432/db"
    with pytest.raises(InputError, match="不支持的登记库地址"):
        resolve_url("mysql://u@h/db")
    with pytest.raises(InputError, match="文件夹不存在"):
        resolve_url(str(tmp_path / "no" / "such" / "x.sqlite"))
