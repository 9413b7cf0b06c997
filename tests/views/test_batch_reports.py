"""Many cases at once, the printable report, the rule book and the explanation (issue 5)."""

import csv
import io
import json
import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from landapproval.law import Law
from landapproval.views.table import COLUMNS, CSV_COLUMNS
from landapproval.cli import main

REPO = Path(__file__).resolve().parents[2]
REVIEW = sorted((REPO / "cases" / "review").glob("*.yaml"))


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def numbered_folder(tmp_path: Path, corrupt_at: int | None = None) -> list[Path]:
    """Copies of the review examples named 000-…, so input order is the file order."""
    folder = tmp_path / "cases"
    folder.mkdir()
    paths = []
    for index, source in enumerate(REVIEW):
        target = folder / f"{index:03d}-{source.name}"
        shutil.copy(source, target)
        paths.append(target)
    if corrupt_at is not None:
        paths[corrupt_at].write_bytes(b"id: [unclosed\n\xff\xfe")
    return paths


def test_jobs_2_keeps_input_order_and_matches_one_process(tmp_path):
    paths = numbered_folder(tmp_path)
    one = run("evaluate", *paths, "--format", "jsonl")
    two = run("evaluate", *paths, "--format", "jsonl", "--jobs", "2")
    assert one.exit_code == two.exit_code == 1  # some examples are not approvable
    lines_one, lines_two = one.stdout.splitlines(), two.stdout.splitlines()
    assert lines_one == lines_two
    assert [json.loads(line)["file"] for line in lines_two] == [str(p) for p in paths]


def test_a_corrupt_file_in_the_middle_is_reported_and_skipped(tmp_path):
    paths = numbered_folder(tmp_path, corrupt_at=5)
    result = run("evaluate", tmp_path / "cases", "--format", "jsonl", "--jobs", "2")
    assert result.exit_code == 2
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == len(paths)
    assert "error" in rows[5] and rows[5]["file"] == str(paths[5])
    assert all("case" in row for i, row in enumerate(rows) if i != 5)
    assert f"error: {paths[5]}" in result.stderr and "Traceback" not in result.stderr
    assert "unreadable 1" in result.stderr or "无法读取 1" in result.stderr


def test_csv_columns_are_stable_and_complete(tmp_path):
    paths = numbered_folder(tmp_path, corrupt_at=0)
    result = run("evaluate", *paths, "--format", "csv", "--lang", "en")
    assert result.stdout.startswith("\ufeff")
    reader = csv.reader(io.StringIO(result.stdout.lstrip("\ufeff")))
    header = next(reader)
    assert header == [english for _, _, english in COLUMNS]
    rows = [dict(zip(CSV_COLUMNS, row)) for row in reader]
    assert len(rows) == len(paths)
    assert rows[0]["error"] and not rows[0]["case"]
    complete = next(r for r in rows if r["file"].endswith("complete-approvable.yaml"))
    assert complete["conversion_authority"] == "Linfen city government (authorized by the province)"
    assert complete["expropriation_authority"] == "Linfen city government (entrusted by the province)"
    assert complete["verdict"] == "approvable" and complete["not_passed"] == ""
    c4 = next(r for r in rows if r["file"].endswith("c4-supplement-short.yaml"))
    assert c4["not_passed"] == "C4 Occupation of cultivated land (FAIL)"
    assert c4["blocking"].startswith("Less cultivated land is supplemented than is occupied")


def test_summary_counts_levels_and_failed_items():
    result = run("evaluate", REPO / "cases" / "review", "--lang", "en")
    summary = result.stdout[result.stdout.index("Summary:"):]
    assert f"Summary: {len(REVIEW)} cases" in summary
    assert "  Conversion: Linfen city government 12" in summary
    assert "C4 Occupation of cultivated land: FAIL 1; incomplete 1" in summary
    assert "C1 Territorial spatial planning controls: FAIL 1; incomplete 1" in summary
    zh = run("evaluate", REPO / "cases" / "review").stdout
    zh = zh[zh.index("汇总:"):]
    assert "  农用地转用: 临汾市人民政府 12" in zh and "C4 严格非农建设占用耕地审查: 不通过 1；材料不全 1" in zh


def test_html_report_is_self_contained_and_complete(tmp_path):
    out = tmp_path / "reports"
    result = run("evaluate", REPO / "cases/review/c4-supplement-short.yaml", "--format", "html", "--out", out)
    assert result.exit_code == 1
    page = (out / "QW-2024-03-C4.html").read_text(encoding="utf-8")
    assert not re.search(r"(src|href)=\"https?://", page)  # nothing to fetch: opens offline
    assert "@media print" in page
    for text in ("结论：暂不能批准", "临汾市人民政府", "临政发〔2024〕7号 三(一)", "按土地利用年度计划分批次",
                 "补足补充耕地数量", "2024-10-10"):
        assert text in page, text
    assert "C4.supplement_short" not in page and 'class="appendix"' not in page   # codes only on request
    run("evaluate", REPO / "cases/review/c4-supplement-short.yaml", "--format", "html", "--out", out, "--appendix")
    assert "C4.supplement_short" in (out / "QW-2024-03-C4.html").read_text(encoding="utf-8")
    assert all(f">C{i} " in page for i in range(1, 9)) and all(f"S{i} " in page for i in range(1, 7))


def test_html_report_draws_the_map_when_the_case_has_boundaries(tmp_path):
    out = tmp_path / "reports"
    run("evaluate", REPO / "cases/gis/qw-2024-03.yaml", "--layers", REPO / "cases/gis/layers.yaml",
        "--format", "html", "--out", out)
    page = (out / "QW-2024-03-GIS.html").read_text(encoding="utf-8")
    assert "<svg" in page and ">永久基本农田<" in page and ">P1<" in page and "permanent" not in page


def test_html_for_many_files_needs_an_output_folder():
    result = run("evaluate", *REVIEW[:2], "--format", "html")
    assert result.exit_code == 2 and "--out" in result.stderr


def test_rule_book_lists_every_rule_beside_its_clause_and_the_dated_parameters():
    book = Law.default().book
    for fmt in ("md", "html"):
        text = run("rules", "--format", fmt).stdout
        for rule in book.rules.values():
            assert rule.id in text
            assert rule.cite.text[:20] in text.replace("&#34;", '"').replace("&#39;", "'")
        assert "临政发〔2024〕7号 三(一)" in text and "临政发〔2024〕7号 四(七)" in text
        assert "2024-06-22" in text and "expropriation_cultivated_threshold_ha" in text
    md = run("rules", "--format", "md", "--lang", "en").stdout
    assert md.index("三(一)") < md.index("四(一)") < md.index("五(一)")


def test_explain_names_why_yaodu_is_not_the_city(tmp_path):
    case = tmp_path / "yd.yaml"
    case.write_text("id: YD-2024-09\ncounty: 尧都区\nkind: batch\nfiled_on: 2024-09-10\n"
                    "scope: {within_construction_scale: true}\n"
                    "parcels: [{id: P1, ownership: collective, land: {cultivated: 12.5}}]\n", encoding="utf-8")
    result = run("explain", case, "--lang", "en")
    assert result.exit_code == 1
    assert "Conversion: Shanxi provincial government — decided by conversion.province.within_scale" in result.stdout
    line = next(l for l in result.stdout.splitlines() if "not Linfen city government [conversion.city.batch]" in l)
    assert "delegated" in line and "= no" in line and "141002 尧都区" in line
    zh = run("explain", case).stdout
    assert "不是 临汾市人民政府 [conversion.city.batch], 因为" in zh and "尧都区" in zh


def test_explain_lists_rules_fired_in_order_with_citations():
    result = run("explain", REPO / "cases/review/c7-announcement-too-short.yaml")
    fired = result.stdout[result.stdout.index("触发的规则"):]
    assert fired.index("conversion.city.batch") < fired.index("C7.social_security_not_funded")
    assert "土地管理法 第四十七条第二款" in fired


def test_a_comma_splitting_a_rule_message_is_refused(tmp_path):
    """An unquoted ASCII comma in a {zh: …, en: …} flow mapping would silently cut the English
    text; the rule book refuses such a file instead."""
    import pytest

    from landapproval.core.errors import RuleError

    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules)
    text = (rules / "workflow.yaml").read_text(encoding="utf-8")
    text = text.replace('en: "Acceptance, joint review and the city government\'s decision"',
                        "en: Acceptance, joint review and the city government's decision")
    (rules / "workflow.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RuleError, match="quote text that contains a comma"):
        Law.from_dir(rules)
