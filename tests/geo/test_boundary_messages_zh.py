"""Boundary-file errors speak Chinese by default and English with lang=en (issue 9 item 1).

Each case breaks a boundary one way; the Chinese message must be Chinese and say what was
expected, the English one must keep its words, and both keep the file, field path and line.
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from landapproval.cli import main
from landapproval.core.errors import InputError
from landapproval.geo import read_boundary, read_boundary_file, read_inline_boundary
from .helpers import E0, N0, jzd, rect

CJK = re.compile(r"[\u4e00-\u9fff]")
SQUARE = rect(E0, N0, 100, 100)


def messages(call):
    with pytest.raises(InputError) as err:
        call()
    return err.value, err.value.describe(), err.value.describe("en")


def check(zh: str, en: str, zh_words, en_words):
    assert CJK.search(zh), zh
    for word in zh_words:
        assert word in zh, zh
    for word in en_words:
        assert word in en, en
    assert en != zh


def test_missing_file(tmp_path):
    _, zh, en = messages(lambda: read_boundary("nowhere.txt", tmp_path, case_file="case.yaml",
                                               field_path="parcels[0].boundary"))
    check(zh, en, ["case.yaml: parcels[0].boundary", "找不到地块边界文件", "nowhere.txt", "例如 parcels/qw.txt#QW-1"],
          ["boundary file not found"])


def test_unreadable_file_and_text(tmp_path):
    _, zh, en = messages(lambda: read_boundary_file(tmp_path))  # a folder: read_bytes fails
    check(zh, en, ["无法读取文件"], ["cannot read"])
    garbage = tmp_path / "garbage.txt"
    garbage.write_bytes(b"\x81\x30\x81\xff" * 4)  # a GB18030 four-byte lead, then an invalid byte
    _, zh, en = messages(lambda: read_boundary_file(garbage))
    check(zh, en, ["既不是 UTF-8 也不是 GBK"], ["neither UTF-8 nor GBK/GB18030"])


def test_a_point_line_that_cannot_be_read_names_its_line(write):
    text = jzd([("U", "", [SQUARE], None, "")]).replace("3945100.000", "39451OO.000", 1)
    error, zh, en = messages(lambda: read_boundary_file(write("u.txt", text)))
    line = error.problems[0].line
    assert line is not None
    check(zh, en, [f"第 {line} 行：", "不是数字", "例如 3945000.000"], [f"line {line}: ", "is not a number"])
    text = jzd([("U", "", [SQUARE], None, "")]).replace("J2,1,", "J2;1;", 1)
    error, zh, en = messages(lambda: read_boundary_file(write("s.txt", text)))
    check(zh, en, ["应为 点号,圈号,X,Y", "例如 J1,1,3945000.000,37542000.000"], ["expected 点号,圈号,X,Y"])


def test_invalid_rings(write):
    open_ring = rect(E0, N0, 100, 100)[:-1]
    _, zh, en = messages(lambda: read_boundary_file(write("o.txt", jzd([("R", "", [open_ring], None, "")]))))
    check(zh, en, ["地块 R（第 ", "未闭合", "应在末尾重复首点"], ["地块 R (line ", "ring is not closed"])
    bowtie = [(E0, N0), (E0 + 100, N0 + 100), (E0 + 100, N0), (E0, N0 + 100), (E0, N0)]
    _, zh, en = messages(lambda: read_boundary_file(write("b.txt", jzd([("B", "", [bowtie], None, "")]))))
    check(zh, en, ["自相交", "边 J1–J2 与边 J3–J4 相交"], ["ring crosses itself", "segment J1–J2 meets segment J3–J4"])
    overlap = [SQUARE, rect(E0 + 50, N0 + 50, 100, 100)]
    _, zh, en = messages(lambda: read_boundary_file(write("v.txt", jzd([("V", "", overlap, None, "")]))))
    check(zh, en, ["相互重叠", "内环"], ["overlap (neither lies inside the other)"])


def test_outside_linfen_and_wrong_zone_prefix(write):
    far = rect(E0 + 200_000, N0, 100, 100)  # 2.2° further east, still zone-37 numbers
    _, zh, en = messages(lambda: read_boundary_file(write("f.txt", jzd([("F", "", [far], None, "")]))))
    check(zh, en, ["在临汾市范围之外", "东经", "北纬", "请检查坐标系"], ["outside Linfen", "read as EPSG:4525"])
    _, zh, en = messages(lambda: read_boundary_file(write("z.txt", jzd([("Z", "", [SQUARE], None, "")], zone="38"))))
    check(zh, en, ["带号=38", "带号前缀是 37", "例如 带号=37"], ["带号=38 in [属性描述]", "prefix 37"])


def test_header_attributes(write):
    text = jzd([("X", "", [SQUARE], None, "")]).replace("2000国家大地坐标系", "1980西安坐标系")
    _, zh, en = messages(lambda: read_boundary_file(write("x.txt", text)))
    check(zh, en, ["[属性描述] 坐标系", "只接受 2000国家大地坐标系", "例如 坐标系=2000国家大地坐标系"],
          ["only CGCS2000"])


def test_choosing_a_parcel(write):
    two = [("QW-1", "", [SQUARE], None, ""), ("QW-2", "", [rect(E0, N0 + 500, 100, 100)], None, "")]
    path = write("qw.txt", jzd(two))
    _, zh, en = messages(lambda: read_boundary_file(path))
    check(zh, en, ["文件含 2 个地块（QW-1, QW-2）", "应在边界引用后加 #编号", "例如 qw.txt#QW-1"],
          ["holds 2 parcels (QW-1, QW-2); add #ID to the boundary reference"])
    error, zh, en = messages(lambda: read_boundary_file(path, "QW-9"))
    assert error.problems[0].path == "#QW-9"
    check(zh, en, ["没有地块的地块编号/地块名称与 'QW-9' 相符", "应为文件中的一个：QW-1, QW-2"],
          ["no parcels match 'QW-9'"])


def test_geojson_and_wkt(tmp_path):
    bad = tmp_path / "p.geojson"
    bad.write_text('{"type": "Polygon", "coordinates": [[[1, 2]', encoding="utf-8")
    _, zh, en = messages(lambda: read_boundary_file(bad))
    check(zh, en, ["不是有效的 JSON", "第 1 行"], ["not valid JSON"])
    point = tmp_path / "pt.geojson"
    point.write_text(json.dumps({"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}}))
    _, zh, en = messages(lambda: read_boundary_file(point))
    check(zh, en, ["应为 Polygon 或 MultiPolygon", "'Point'"], ["must be a Polygon or MultiPolygon"])
    wkt = tmp_path / "w.wkt"
    wkt.write_text("POLYGON ((1 2, 3 4", encoding="utf-8")
    _, zh, en = messages(lambda: read_boundary_file(wkt))
    check(zh, en, ["WKT 格式错误", "括号应成对"], ["malformed WKT"])


def test_inline_data_crs_and_id():
    error, zh, en = messages(lambda: read_inline_boundary("wkt", "POLYGON ((0 0, 1 0, 1 1, 0 0))", crs="EPSG:3857",
                                                          case_file="case.yaml",
                                                          field_path="parcels[0].boundary"))
    assert error.problems[0].path == "parcels[0].boundary.crs"
    check(zh, en, ["不接受坐标系 'EPSG:3857'", "EPSG:4525"], ["is not accepted"])
    error, zh, en = messages(lambda: read_inline_boundary("jzd", 42, case_file="case.yaml",
                                                          field_path="parcels[0].boundary"))
    assert error.problems[0].path == "parcels[0].boundary.data"
    check(zh, en, ["jzd 格式的边界应为文本", "int"], ["a jzd boundary is text, got int"])
    error, zh, en = messages(lambda: read_inline_boundary("wkt", "POLYGON ((0 0, 1 0, 1 1, 0 0))", select="A",
                                                          case_file="case.yaml",
                                                          field_path="parcels[0].boundary"))
    assert error.problems[0].path == "parcels[0].boundary.id"
    check(zh, en, ["WKT 文本只含一个图形：应删除 id"], ["remove the id"])
    two = jzd([("QW-1", "", [SQUARE], None, ""), ("QW-2", "", [rect(E0, N0 + 500, 100, 100)], None, "")])
    error, zh, en = messages(lambda: read_inline_boundary("jzd", two, case_file="case.yaml",
                                                          field_path="parcels[0].boundary"))
    check(zh, en, ["应填写 `id`，按地块编号/地块名称选择其中一个，例如 id: QW-1"], ["give `id`"])
    assert "#ID" not in en and "#编号" not in zh
    text = jzd([("U", "", [SQUARE], None, "")]).replace("3945100.000", "39451OO.000", 1)
    error, zh, en = messages(lambda: read_inline_boundary("jzd", text, case_file="case.yaml",
                                                          field_path="parcels[0].boundary"))
    problem = error.problems[0]
    assert problem.path == "parcels[0].boundary.data" and problem.line is not None
    check(zh, en, [f"第 {problem.line} 行：", "不是数字"], [f"line {problem.line}: "])


def _case_file(tmp_path, boundary) -> str:
    case = {"id": "QW-GEO-1", "county": "曲沃县", "kind": "batch", "filed_on": "2024-09-10",
            "scope": {"within_construction_scale": True, "development_zone": None},
            "parcels": [{"id": "P1", "ownership": "collective", "boundary": boundary,
                         "land": {"cultivated": "1"}}]}
    path = tmp_path / "case.yaml"
    path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("lang, words", [(None, "WKT 格式错误："), ("en", "malformed WKT: ")])
def test_cli_prints_one_line_in_the_chosen_language(tmp_path, lang, words):
    (tmp_path / "bad.wkt").write_text(f"POLYGON (({E0} {N0}, {E0 + 100} {N0}", encoding="utf-8")
    args = ["evaluate", _case_file(tmp_path, "bad.wkt")] + (["--lang", lang] if lang else [])
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "bad.wkt: " in lines[0] and words in lines[0], result.output


def test_cli_missing_file_in_chinese(tmp_path):
    result = CliRunner().invoke(main, ["evaluate", _case_file(tmp_path, "nowhere.wkt")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "找不到地块边界文件" in result.output and "boundary file not found" not in result.output
