"""`landapproval register …` and `evaluate --db`: export → import → identical, the 七(三) report's
counts from a scripted year, reevaluate under another rule book, read-only evaluation."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner
from openpyxl import load_workbook

from landapproval.cli import main
from landapproval.law import Law
from landapproval.register import Register
from tests.register.conftest import case

ROOT = Path(__file__).resolve().parents[2]


def run(*args, db):
    result = CliRunner().invoke(main, ["register", "--db", db, *args], catch_exceptions=False)
    return result


def _write(tmp_path, data) -> Path:
    path = tmp_path / f"{data['id']}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_export_import_gives_an_identical_register(db_url, tmp_path):
    reg = Register.open(db_url)
    reg.add(case("HD-2024-01", parcels=[("A", 1, 0)]), by="县局")
    reg.add(case("HD-2024-01", parcels=[("A", 2, 0)]), by="县局")
    reg.event("洪洞县", "HD-2024-01", "受理", "2024-08-05", by="市局")
    reg.event("洪洞县", None, "暂停", "2024-09-01", by="市局", note="通报")
    reg.set_quota("洪洞县", 2024, "20", source="文号", by="市局")
    reg.close()
    first = run("export", "--out", str(tmp_path / "a.jsonl"), db=db_url)
    assert first.exit_code == 0, first.output
    other = str(tmp_path / "copy.sqlite")
    assert run("import", str(tmp_path / "a.jsonl"), db=other).exit_code == 0
    assert run("export", "--out", str(tmp_path / "b.jsonl"), db=other).exit_code == 0
    a, b = (tmp_path / "a.jsonl").read_text("utf-8"), (tmp_path / "b.jsonl").read_text("utf-8")
    assert a == b and a.count("\n") == 1 + 1 + 2 + 2 + 2 + 1 + 2  # header, case, versions, decisions, events, quota, parcels
    again = run("import", str(tmp_path / "a.jsonl"), db=other)
    assert again.exit_code == 2 and "只能导入到空的登记库" in again.output


def test_the_report_counts_a_scripted_year_by_county(db_url, tmp_path):
    reg = Register.open(db_url)
    for n in range(1, 4):  # 洪洞县: three cases; one straight through, one corrected twice, one returned
        reg.add(case(f"HD-2024-0{n}", parcels=[(f"HD{n}", 2, 1)]), by="县局")
        reg.event("洪洞县", f"HD-2024-0{n}", "受理", "2024-03-04", by="市局")
    reg.event("洪洞县", "HD-2024-02", "补正", "2024-03-06", by="市局", note="C3 权属材料不全")
    reg.event("洪洞县", "HD-2024-02", "补正", "2024-03-08", by="市局", note="C3 地类")
    reg.event("洪洞县", "HD-2024-03", "退件", "2024-03-07", by="市局", note="C1 不符合规划")
    for n in (1, 2):
        reg.event("洪洞县", f"HD-2024-0{n}", "会审", "2024-03-11", by="市局")
        reg.event("洪洞县", f"HD-2024-0{n}", "审定", "2024-03-18", by="市政府")
    reg.event("洪洞县", "HD-2024-01", "批复", "2024-03-20", by="市政府")
    reg.add(case("QW-2024-01", county="曲沃县", parcels=[("QW1", 1, 0)]), by="县局")
    reg.event("曲沃县", "QW-2024-01", "受理", "2024-05-06", by="市局")
    for day in ("2024-05-07", "2024-05-08", "2024-05-09"):  # 3 退件 in Q2 meets the placeholder parameter
        reg.event("曲沃县", "QW-2024-01", "退件", day, by="市局", note="C2 指标")
        if day != "2024-05-09":
            reg.event("曲沃县", "QW-2024-01", "受理", day, by="市局")
    reg.close()
    out = run("report", "--year", "2024", "--format", "csv", "--today", "2024-03-27", db=db_url)
    assert out.exit_code == 0, out.output
    rows = list(csv.reader(io.StringIO(out.output.lstrip("\ufeff"))))
    by_county = {r[0]: r for r in rows[2:4]}
    hd = by_county["洪洞县"]
    assert hd[1:5] == ["3", "1", "2", "1"]          # filed, accepted at first filing, 补正, 退件
    assert hd[5] == "C3×2" and hd[6] == "C1×1"
    assert hd[7] == "10" and hd[8] == "10"           # 2024-03-04 (Mon) → 2024-03-18 (Mon): 10 working days
    candidates = [r for r in rows if r and r[0] == "曲沃县" and r[1:2] == ["2024Q2"]]
    assert candidates and "占位值" in candidates[0][4]
    assert not [r for r in rows if r and r[0] == "洪洞县" and r[1:2] == ["2024Q1"]]  # 1 退件, 2 补正: below both
    # 备案 due 5 working days after 批复 on 2024-03-20 (2024-03-27): on 2024-03-27 it is due soon, not overdue
    due = [r for r in rows if r[:3] == ["洪洞县", "HD-2024-01", "备案"]]
    assert due and due[0][4] == "2024-03-27" and due[0][5] == "即将到期"
    late = run("report", "--year", "2024", "--format", "csv", "--today", "2024-03-28", db=db_url).output
    assert "逾期" in late
    book = run("report", "--year", "2024", "--format", "xlsx", "--out", str(tmp_path / "r.xlsx"), db=db_url)
    assert book.exit_code == 0
    sheet = load_workbook(tmp_path / "r.xlsx")["通报"]
    values = {row[0].value: [c.value for c in row][:5] for row in sheet.iter_rows(min_row=3)}
    assert values["洪洞县"] == ["洪洞县", 3, 1, 2, 1] and values["曲沃县"] == ["曲沃县", 1, 0, 0, 3]


def test_reevaluate_lists_the_decisions_another_rule_book_changes(tmp_path):
    db = str(tmp_path / "r.sqlite")
    reg = Register.open(db)
    reg.add(case("HD-2024-01", parcels=[("A", 20, 0)]), by="县局")   # 20 ha: the city under 35 ha
    reg.add(case("HD-2024-02", parcels=[("B", 2, 0)]), by="县局")
    reg.close()
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    text = (rules / "parameters.yaml").read_text("utf-8")
    (rules / "parameters.yaml").write_text(text.replace("      value: 35\n", "      value: 10\n"), "utf-8")
    out = run("reevaluate", "--rules", str(rules), "--format", "json", db=db)
    assert out.exit_code == 0, out.output
    import json
    changed = json.loads(out.output)
    assert [c["case"] for c in changed] == ["HD-2024-01"]
    assert changed[0]["before"]["expropriation"].startswith("city") and changed[0]["after"]["expropriation"].startswith("state_council")
    assert changed[0]["before"]["rules_sha256"] != changed[0]["after"]["rules_sha256"]


def test_evaluate_with_a_register_runs_the_cross_case_rules_and_writes_nothing(tmp_path):
    db = str(tmp_path / "r.sqlite")
    project = {"code": "P-9", "phases_in_feasibility_study": False}
    reg = Register.open(db)
    reg.add(case("HD-2024-01", parcels=[("A", 30, 0)], project=project), by="县局")
    reg.close()
    path = _write(tmp_path, case("HD-2024-02", parcels=[("B", 10, 0)], project=project))
    before = run("export", db=db).output
    result = CliRunner().invoke(main, ["evaluate", str(path), "--db", db, "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "register.same_project" in result.output and "国务院" in result.output
    assert run("export", db=db).output == before
    plain = CliRunner().invoke(main, ["evaluate", str(path), "--format", "json"], catch_exceptions=False)
    assert "register.same_project" not in plain.output


def test_an_event_out_of_order_exits_2_with_the_reason(tmp_path):
    db = str(tmp_path / "r.sqlite")
    Register.open(db).add(case("HD-2024-01", parcels=[("A", 1, 0)]), by="县局")
    out = run("event", "洪洞县", "HD-2024-01", "备案", "2024-08-01", "--by", "市局", db=db)
    assert out.exit_code == 2 and "备案须在批复之后" in out.output


def test_add_a_case_with_boundary_files_stores_them_inline_and_finds_the_same_land(tmp_path):
    """A boundary given as a path (界址点 file) is read once and stored inline, so the register holds
    the geometry on its own; the same land filed again under another id is caught on the way in."""
    db = str(tmp_path / "r.sqlite")
    source = ROOT / "cases" / "gis" / "qw-2024-03.yaml"
    first = run("add", str(source), "--by", "县局", db=db)
    assert first.exit_code == 0 and "第1版（新）" in first.output
    shutil.copy(ROOT / "cases" / "gis" / "qw-2024-03.txt", tmp_path / "qw-2024-03.txt")
    data = yaml.safe_load(source.read_text("utf-8"))
    data["id"] = "QW-2024-99"
    again = run("add", str(_write(tmp_path, data)), "--by", "县局", db=db)
    assert again.exit_code == 0
    lines = [line for line in again.output.splitlines() if "跨案件 C3" in line]
    assert len(lines) == 2 and "QW-2024-03-GIS/P1" in lines[0] and "14.2707 公顷" in lines[0]
    stored = Register.open(db).show("曲沃县", "QW-2024-99")["versions"][0]["case"]
    assert stored["parcels"][0]["boundary"]["format"] == "wkt"


def test_import_refuses_what_is_not_an_export_and_writes_nothing(tmp_path):
    db = str(tmp_path / "r.sqlite")
    (tmp_path / "x.jsonl").write_text('{"register": "landapproval", "schema": "0001"}\n', encoding="utf-8")
    out = run("import", str(tmp_path / "x.jsonl"), db=db)
    assert out.exit_code == 2 and "不是本版本" in out.output
    (tmp_path / "y.jsonl").write_text(run("export", db=db).output + "{broken\n", encoding="utf-8")
    out = run("import", str(tmp_path / "y.jsonl"), db=db)
    assert out.exit_code == 2 and "不是 JSON" in out.output
    assert run("export", db=db).output.count("\n") == 1   # still empty: the header only


def test_an_additional_grant_before_the_years_quota_is_recorded_and_says_there_is_no_ledger_yet(tmp_path):
    """mypy --strict found it: `register quota … --additional` with no quota for the year yet printed
    the ledger of None (exit 3, an internal TypeError); the grant is recorded and the ledger follows
    once the year's quota is."""
    db = str(tmp_path / "台账.sqlite")
    extra = run("quota", "洪洞县", "2024", "5", "--source", "追加文号", "--by", "市局", "--additional", db=db)
    assert extra.exit_code == 0, extra.output
    assert "已登记追加指标 5 公顷" in extra.output and "该年度计划指标尚未登记" in extra.output
    base = run("quota", "洪洞县", "2024", "20", "--source", "文号", "--by", "市局", db=db)
    assert base.exit_code == 0, base.output
    assert "指标 20.0000，追加 5.0000，已审定使用 0.0000，可用 25.0000 公顷" in base.output
