"""Issue 9 items 6 and 7: findings carry their figures (text, HTML, JSON; zh and en), and the
outputs officials file — a CSV Excel opens in Chinese, an xlsx with a summary sheet, a printable
审查意见 — name evidence by its label, with codes and field paths in a technical appendix."""

import csv
import html
import io
import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

import landapproval
from landapproval.views import text as render, report
from landapproval.law import Law
from landapproval.cli import main

REPO = Path(__file__).resolve().parents[2]
REVIEW = REPO / "cases" / "review"
GIS = REPO / "cases" / "gis"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def case_copy(tmp_path: Path, source: Path, **changes) -> Path:
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        node = data
        *parents, last = dotted.split("__")
        for key in parents:
            node = node[key]
        node[last] = value
    path = tmp_path / source.name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


# The figures behind three kinds of finding, as the law reads them:
# C7: announced 2024-08-20, the announcement's last day is 2024-09-19 (LAL Art. 47, 民法典 201), filed 2024-09-10;
# C4: 5.0000 ha supplemented for 5.1234 ha occupied; C2: 25.5000 requested of 20.0000 + 5.0000.
FIGURES = {
    "C7.compensation_announcement_too_short": (REVIEW / "c7-announcement-too-short.yaml", {
        "zh": ["2024-08-20", "县级组卷申报日期 2024-09-10 早于 补偿安置方案公告期满之日（期间最后一天） 2024-09-19 9 日",
               "共 21 日"],
        "en": ["2024-08-20", "date the county filed 2024-09-10 is 9 days before", "2024-09-19", "21 days from"]}),
    "C4.supplement_short": (REVIEW / "c4-supplement-short.yaml", {
        "zh": ["补充耕地面积 5.0000 公顷 < 拟转用耕地面积（含永久基本农田） 5.1234 公顷，差 0.1234 公顷"],
        "en": ["cultivated land supplemented 5.0000 ha <", "5.1234 ha, short by 0.1234 ha"]}),
    "C2.quota_exceeded": (REVIEW / "c2-quota-exceeded.yaml", {
        "zh": ["可用年度计划指标：20.0000 公顷", "省自然资源厅追加的计划指标：5.0000 公顷",
               "申请使用的年度计划指标 25.5000 公顷 > 可用指标与追加指标之和 25.0000 公顷，超出 0.5000 公顷"],
        "en": ["annual plan quota available: 20.0000 ha", "annual plan quota requested 25.5000 ha >",
               "25.0000 ha, over by 0.5000 ha"]}),
}


@pytest.mark.parametrize("code", sorted(FIGURES))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_findings_carry_their_figures_in_text_html_and_json(code, lang, tmp_path):
    path, expected = FIGURES[code]
    text = run("evaluate", path, "--lang", lang).stdout
    page = html.unescape(report.html_report(landapproval.evaluate(path), lang))
    decision = json.loads(run("evaluate", path, "--format", "json", "--lang", lang).stdout)
    finding = next(f for c in decision["checks"] for f in c["findings"] if f["code"] == code)
    shown = "；".join(finding["figures"]) if lang == "zh" else "; ".join(finding["figures"])
    body = text.split("技术附录:" if lang == "zh" else "Technical appendix:")[0]
    for fragment in expected[lang]:
        assert fragment in body, (fragment, body)
        assert fragment in page, fragment
        assert fragment in shown, (fragment, shown)


def test_a_shortfall_of_one_square_metre_is_shown_and_none_when_equal(tmp_path):
    short = case_copy(tmp_path, REVIEW / "c4-supplement-short.yaml",
                      review__cultivated_compensation__supplemented="5.1233")
    text = render.text(landapproval.evaluate(short))
    assert "补充耕地面积 5.1233 公顷 < 拟转用耕地面积（含永久基本农田） 5.1234 公顷，差 0.0001 公顷" in text
    equal = case_copy(tmp_path, REVIEW / "c4-supplement-short.yaml",
                      review__cultivated_compensation__supplemented="5.1234")
    decision = landapproval.evaluate(equal)
    assert decision.approvable and "补充耕地面积" not in render.text(decision)


def test_filing_on_the_last_day_of_the_announcement_is_during_it_and_the_day_after_is_lawful(tmp_path):
    """民法典 第二百零一条: the announcement of 2024-08-20 runs 08-21 … 09-19; filing on its last day is
    filing during the announcement (issue 12 item 1), the day after is lawful."""
    source = REVIEW / "c7-announcement-too-short.yaml"
    lawful = landapproval.evaluate(case_copy(tmp_path, source, filed_on="2024-09-20"))
    assert "C7.compensation_announcement_too_short" not in lawful.blocking
    on_last_day = landapproval.evaluate(case_copy(tmp_path, source, filed_on="2024-09-19"))
    assert "县级组卷申报日期 2024-09-19 = 补偿安置方案公告期满之日（期间最后一天） 2024-09-19" in render.text(on_last_day)
    assert "date the county filed 2024-09-19 = last day of the compensation announcement 2024-09-19" in render.text(on_last_day, "en")
    early = landapproval.evaluate(case_copy(tmp_path, source, filed_on="2024-09-18"))
    assert "县级组卷申报日期 2024-09-18 早于 补偿安置方案公告期满之日（期间最后一天） 2024-09-19 1 日" in render.text(early)


def test_chinese_body_names_evidence_by_label_and_keeps_paths_and_ids_in_the_appendix():
    decision = landapproval.evaluate(REVIEW / "incomplete-new-filing.yaml")
    assert "技术附录" not in render.text(decision)            # the appendix only on request
    body, appendix = render.text(decision, appendix=True).split("技术附录:")
    assert "缺少审查材料:" in body
    assert "C1 严格国土空间规划管控: 是否符合国土空间规划及“三区三线”管控要求" in body
    for raw in ("review.", "planning.conforms_to_plan", "C1.missing", "conversion.city.batch", "(filed_on)",
                "filed_on"):
        assert raw not in body, raw
    # a fresh filing has no approving act on file: the law of the day it is evaluated (issue 19 item 4)
    assert "按今天（本案未记载审批行为的日期，按评估之日的法律）" in body.splitlines()[0]
    for raw in ("review.planning.conforms_to_plan", "C1.missing.planning.conforms_to_plan",
                "conversion.city.batch", "适用日期取自: today"):
        assert raw in appendix, raw
    assert '<div class="appendix">' not in report.html_report(decision, "zh")
    page = report.html_report(decision, "zh", appendix=True)
    page_body, page_appendix = page.split('<div class="appendix">')
    assert "是否符合国土空间规划及“三区三线”管控要求" in page_body
    assert not re.search(r"review\.|\.missing\.|conversion\.city\.batch", page_body)
    assert "review.planning.conforms_to_plan" in page_appendix and "conversion.city.batch" in page_appendix


def test_explain_keeps_the_codes_and_fields():
    out = run("explain", REVIEW / "c4-supplement-short.yaml").stdout
    assert "C4.supplement_short" in out
    assert "compensation.supplemented = 5.0000  (review.cultivated_compensation.supplemented)" in out


def test_summary_line_shows_item_titles():
    text = render.text(landapproval.evaluate(REVIEW / "c4-supplement-short.yaml"))
    assert "审查事项: 不通过 C4 严格非农建设占用耕地审查；通过 C1 严格国土空间规划管控、" in text
    assert "S6 备案归档（批复后5个工作日内） 已完成 (期限 2024-10-10)" in text


def test_text_shows_the_map_agrees_or_its_findings(tmp_path):
    agrees = run("evaluate", GIS / "qw-2024-03.yaml", "--layers", GIS / "layers.yaml").stdout
    assert "地图核对：2 个地块已按图层实测，与申报一致" in agrees
    folder = tmp_path / "gis"
    shutil.copytree(GIS, folder)
    case = case_copy(folder, GIS / "qw-2024-03.yaml", scope__development_zone=None)
    differs = run("evaluate", case, "--layers", folder / "layers.yaml").stdout
    assert "地图核对：2 个地块已按图层实测，与申报不一致" in differs and "与申报一致" not in differs
    assert "曲沃经济技术开发区" in differs.split("技术附录:")[0]  # the map's finding, in words
    no_layers = run("evaluate", GIS / "qw-2024-03.yaml").stdout
    assert "未给图层" in no_layers and "与申报一致" not in no_layers


def test_csv_opens_in_excel_with_chinese_intact_and_formulas_guarded(tmp_path):
    hostile = case_copy(tmp_path, REVIEW / "c4-supplement-short.yaml", id='=HYPERLINK("http://x","点我")')
    result = run("evaluate", REVIEW / "complete-approvable.yaml", hostile, "--format", "csv")
    raw = result.stdout_bytes
    assert raw.startswith("\ufeff".encode("utf-8"))  # the UTF-8 BOM Excel needs
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header = rows[0]
    for name in ("县（市、区）", "用地类型", "永久基本农田（公顷）", "耕地（公顷）", "农用地转用审批机关",
                 "土地征收审批机关", "结论", "未通过的审查事项", "下一步"):
        assert name in header, name
    complete = dict(zip(header, rows[1]))
    assert complete["县（市、区）"] == "曲沃县" and complete["用地类型"] == "批次用地"
    assert complete["农用地转用审批机关"] == "临汾市人民政府（省政府授权）"
    assert complete["土地征收审批机关"] == "临汾市人民政府（省政府委托）"
    assert complete["结论"] == "可以批准" and complete["耕地（公顷）"] == "5.1234"
    bad = dict(zip(header, rows[2]))
    assert bad["案件编号"] == "'" + '=HYPERLINK("http://x","点我")'  # stays text in a spreadsheet
    assert bad["未通过的审查事项"] == "C4 严格非农建设占用耕地审查（不通过）"
    assert bad["结论"] == "暂不能批准——C4 不通过"          # with the item that blocks it
    assert bad["下一步"] == "解决上述问题后重新审查" and complete["下一步"]   # never blank


def test_xlsx_has_the_columns_and_the_summary_sheet(tmp_path):
    hostile = case_copy(tmp_path, REVIEW / "c4-supplement-short.yaml", id="=1+2")
    out = tmp_path / "out"
    result = run("evaluate", REVIEW / "complete-approvable.yaml", hostile, REPO / "cases" / "yaodu-district.yaml",
                 "--format", "xlsx", "--out", out)
    assert result.exit_code == 1, result.output
    book = openpyxl.load_workbook(out / "审查结果.xlsx")
    assert book.sheetnames == ["审查结果", "汇总"]
    sheet = book["审查结果"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["文件", "案件编号", "行政区划代码", "县（市、区）", "用地类型"]
    rows = [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]
    assert [r["县（市、区）"] for r in rows] == ["曲沃县", "曲沃县", "尧都区"]
    assert rows[2]["农用地转用审批机关"] == "山西省人民政府（法定权限）"
    assert rows[0]["耕地（公顷）"] == pytest.approx(5.1234)
    injected = sheet.cell(row=3, column=2)
    assert injected.value == "=1+2" and injected.data_type == "s"  # text, never a formula
    summary = [[c.value for c in row] for row in book["汇总"].iter_rows()]
    # 尧都区 is the province's to approve: ready to file, never "可以批准" (the city cannot approve it)
    assert rows[2]["结论"] == "可以报批——应报山西省人民政府批准" and rows[0]["结论"] == "可以批准"
    assert rows[2]["下一步"] == "报山西省人民政府批准"
    assert ["合计", 3] in [r[:2] for r in summary] and ["可以批准", 1] in [r[:2] for r in summary]
    assert ["可以报批（报上级批准）", 1] in [r[:2] for r in summary] and ["暂不能批准", 1] in [r[:2] for r in summary]
    by_authority = {r[0]: r[1:3] for r in summary if r[0] and "人民政府" in str(r[0])}
    assert by_authority["临汾市人民政府（省政府授权）"] == [2, 0]
    assert by_authority["山西省人民政府（法定权限）"] == [1, 1]
    counties = {r[0]: r[1:] for r in summary if r[0] in ("曲沃县", "尧都区")}
    assert counties["曲沃县"][0] == 2 and counties["曲沃县"][2] == pytest.approx(2 * 5.1234)
    assert counties["尧都区"][0] == 1


def test_report_is_a_printable_opinion_with_blanks_and_the_parcel_table(tmp_path):
    out = tmp_path / "reports"
    run("evaluate", REVIEW / "c4-supplement-short.yaml", "--format", "html", "--out", out)
    page = (out / "QW-2024-03-C4.html").read_text(encoding="utf-8")
    assert "@page { size: A4" in page and "建设用地审查意见" in page
    for blank in ("文号", "经办人", "审核人", "日期", "签章"):
        assert f">{blank}<" in page or f">{blank}：<" in page, blank
    book = Law.default().book
    assert book  # the version and fingerprint of the rules applied
    law = landapproval.evaluate(REVIEW / "c4-supplement-short.yaml").law
    assert law["version"] in page and law["rules_sha256"] not in page and "生成日期" in page
    run("evaluate", REVIEW / "c4-supplement-short.yaml", "--format", "html", "--out", out, "--appendix")
    assert law["rules_sha256"] in (out / "QW-2024-03-C4.html").read_text(encoding="utf-8")
    table = page[page.index("地块编号"):page.index("</table>", page.index("地块编号"))]
    for cell in ("QW-2024-03-1", "QW-2024-03-3", "国有", "集体所有", "3.4120", "1.7114", "0.3500", "5.1234", "6.7734"):
        assert f">{cell}<" in table, cell


def test_every_formula_start_is_guarded_and_plain_text_is_not():
    from landapproval.views.table import guard_cell

    for text in ("=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert guard_cell(text) == "'" + text
    assert guard_cell("曲沃县") == "曲沃县" and guard_cell("5.1234") == "5.1234"


def test_a_map_finding_is_in_the_body_and_the_map_line_does_not_say_it_agrees(tmp_path):
    """A 0.5 m² sliver of permanent basic farmland is not routed but reported: the text shows the
    map's finding in words with its figures, and the map line does not say the map agrees."""
    from shapely.geometry import box

    from landapproval.geo import LayerSet

    x0, y0 = 37_541_000.0, 3_944_000.0
    (tmp_path / "p1.wkt").write_text(box(x0, y0, x0 + 100, y0 + 100).wkt, encoding="utf-8")
    layers = LayerSet.from_geometries(
        permanent_basic_farmland=[box(x0 + 99.5, y0 + 10, x0 + 100.5, y0 + 11)],
        construction_scale=[box(x0 - 1000, y0 - 1000, x0 + 2000, y0 + 2000)],
        land_survey=([box(x0 - 1000, y0 - 1000, x0 + 2000, y0 + 2000)], {"land_type": ["0103"], "ownership": ["30"]}))
    case = {"id": "QW-GEO-1", "county": "曲沃县", "kind": "batch", "filed_on": "2024-09-10",
            "scope": {"within_construction_scale": True, "development_zone": None},
            "parcels": [{"id": "P1", "ownership": "collective", "boundary": "p1.wkt", "land": {"cultivated": "1"}}]}
    decision = landapproval.evaluate(case, base_dir=tmp_path, layers=layers)
    found = [f for _, f in render.map_findings(decision)] + render.measurement_findings(decision)
    assert found, "the sliver is reported"
    for lang in ("zh", "en"):
        body = render.text(decision, lang).split("技术附录:" if lang == "zh" else "Technical appendix:")[0]
        for finding in found:
            message = finding.message[lang] if hasattr(finding, "message") else finding["message_" + lang]
            assert message in body
        map_line = next(line for line in body.splitlines() if line.startswith(("地图核对", "Map:")))
        assert "与申报一致" not in map_line and "agree with the case" not in map_line
    page = html.unescape(report.html_report(decision, "zh"))
    assert all((f.message["zh"] if hasattr(f, "message") else f["message_zh"]) in page for f in found)


def test_figures_name_the_parameter_values_of_the_decisions_date(tmp_path):
    """A later value of the archive period (7 working days from 2025-01-01, invented for the test)
    must not relabel a decision of 2024-12-20, which the 5-working-day period governs."""
    from review_helpers import rules_folder

    with rules_folder(tmp_path) as rules:
        path = rules / "parameters.yaml"
        text = path.read_text(encoding="utf-8")
        marker = "archive_working_days:\n"
        head, tail = text.split(marker)
        first_value_end = tail.index("\n\n") if "\n\n" in tail else len(tail)
        block = tail[:first_value_end]
        later = "\n    2025-01-01:\n      value: 7\n      reference: a later value, for this test only"
        path.write_text(head + marker + block + later + tail[first_value_end:], encoding="utf-8")
        decision = landapproval.evaluate(REVIEW / "s6-archived-late.yaml")
        assert decision.as_of.isoformat() == "2024-12-20"
        text = render.text(decision)
        finding = next(f for s in decision.to_dict()["workflow"]["steps"] for f in s["findings"])
    assert "批复后第5个工作日 2025-01-06" in text and "批复后第7个工作日" not in text
    assert any("批复后第5个工作日 2025-01-06" in shown for shown in finding["figures"])
