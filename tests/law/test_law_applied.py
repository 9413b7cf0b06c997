"""Issue 12 item 15: every decision records the law it applied — the package version and a sha256
fingerprint of the rule files — in the JSON, the text footer and the report, so a stored decision
can be reproduced with the same rules."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from importlib import metadata

import landapproval
from landapproval.views import text as render
from landapproval.law import Law

from helpers import ROOT
from review_helpers import rules_folder

CASE = ROOT / "cases" / "review" / "complete-approvable.yaml"


def test_decision_json_records_version_and_rules_fingerprint():
    law = landapproval.evaluate(CASE).to_dict()["law"]
    assert law == {"version": metadata.version("landapproval"), "rules_sha256": Law.default().fingerprint}
    assert re.fullmatch(r"[0-9a-f]{64}", law["rules_sha256"])


def test_fingerprint_follows_the_content_of_any_rule_file_not_its_folder(tmp_path):
    before = Law.default().fingerprint
    with rules_folder(tmp_path / "a"):  # the same files elsewhere: the same fingerprint
        assert Law.default().fingerprint == before
    with rules_folder(tmp_path / "b") as rules:
        text = (rules / "parameters.yaml").read_text(encoding="utf-8")
        (rules / "parameters.yaml").write_text(text + "\n# a comment is part of the file\n", encoding="utf-8")
        changed = Law.default().fingerprint
        assert changed != before
        assert landapproval.evaluate(CASE).to_dict()["law"]["rules_sha256"] == changed
    with rules_folder(tmp_path / "c") as rules:  # a calendar file is law too (working days)
        (rules / "calendar" / "2031.yaml").write_text("year: 2031\nsource: test\nholidays: []\nworkdays: []\n",
                                                      encoding="utf-8")
        assert Law.default().fingerprint != before
    with rules_folder(tmp_path / "d") as rules:  # renaming a file changes it, even with the same bytes
        shutil.move(rules / "calendar" / "README.md", rules / "calendar" / "README.txt")
        assert Law.default().fingerprint != before
    assert Law.default().fingerprint == before


def test_text_footer_and_cli_json_carry_the_same_law():
    decision = landapproval.evaluate(CASE)
    for lang in ("zh", "en"):
        footer = render.text(decision, lang, appendix=True).splitlines()[-1]   # the technical appendix's last line
        assert decision.law["rules_sha256"] in footer and decision.law["version"] in footer
    out = subprocess.run([sys.executable, "-m", "landapproval.cli", "evaluate", str(CASE), "--format", "json"],
                         capture_output=True, text=True, check=False)
    assert json.loads(out.stdout)["law"] == decision.to_dict()["law"]
