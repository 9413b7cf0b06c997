"""界址点 files written by other tools: separators, column headers, decorated 带号, areas with units,
BOMs — read as the standard file; what cannot be read names the line and what was expected."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from landapproval.cli import main
from landapproval.core.errors import InputError
from landapproval.geo import read_boundary_file

from .helpers import E0, N0, jzd, rect

EXAMPLE = Path(__file__).resolve().parents[2] / "cases" / "gis"


def standard(area="2.0000"):
    return jzd([("QW-1", "一号地块", [rect(E0, N0, 200, 100)], None, area)])


def with_separator(text: str, sep: str) -> str:
    """Every line of the [地块坐标] section with `sep` between its fields."""
    head, body = text.split("[地块坐标]\n")
    return head + "[地块坐标]\n" + body.replace(",", sep)


@pytest.fixture
def reference(write):
    return read_boundary_file(write("std.txt", standard()))


@pytest.mark.parametrize("sep", ["\t", " ", "   "], ids=["tab", "space", "spaces"])
def test_tab_or_space_separated_points_are_read(write, reference, sep):
    text = standard()
    head, body = text.split("[地块坐标]\n")
    header, *points = body.splitlines(keepends=True)
    b = read_boundary_file(write("t.txt", head + "[地块坐标]\n" + header + "".join(p.replace(",", sep) for p in points)))
    assert b.geometry.equals(reference.geometry) and b.findings == []


def test_a_tab_separated_file_throughout_keeps_empty_fields_in_place(write, reference):
    b = read_boundary_file(write("t.txt", with_separator(standard(), "\t")))
    assert b.geometry.equals(reference.geometry) and b.parcel_id == "QW-1"
    assert b.declared_area_ha == Decimal("2.0000") and b.findings == []


def test_a_column_header_row_is_skipped(write, reference):
    text = standard().replace("[地块坐标]\n", "[地块坐标]\n界址点数,地块面积,地块编号,地块名称,记录图形属性,图幅号,地块用途,地类编码\n"
                                             "点号,圈号,X坐标,Y坐标\n")
    assert read_boundary_file(write("h.txt", text)).geometry.equals(reference.geometry)


def test_a_column_header_row_gives_the_order_of_the_point_columns(write, reference):
    """点号 Y X, no 圈号 (one ring): the header says which column is the northing."""
    head, body = standard().split("[地块坐标]\n")
    header, *points = body.splitlines()
    reordered = []
    for p in points:
        name, _ring, x, y = p.split(",")
        reordered.append(f"{name}\t{y}\t{x}")
    text = head + "[地块坐标]\n点号\tY(东)\tX(北)\n" + header + "\n" + "\n".join(reordered) + "\n"
    b = read_boundary_file(write("r.txt", text))
    assert b.geometry.equals(reference.geometry) and b.findings == []


@pytest.mark.parametrize("zone", ["37带", "第37带", "３７"])
def test_a_decorated_zone_number_is_read(write, reference, zone):
    b = read_boundary_file(write("z.txt", standard().replace("带号=37", f"带号={zone}")))
    assert b.source_crs == "EPSG:4525" and b.geometry.equals(reference.geometry)


def test_a_decorated_zone_number_is_still_checked(write):
    with pytest.raises(InputError, match="带号"):
        read_boundary_file(write("z.txt", standard().replace("带号=37", "带号=19带")))


@pytest.mark.parametrize("stated, hectares", [("2.0000公顷", "2.0000"), ("2.0000 ha", "2.0000"),
                                              ("20000平方米", "2.0000"), ("20000㎡", "2.0000"),
                                              ("30亩", "2.0000"), ("2.0000", "2.0000")])
def test_an_area_with_its_unit_is_read_in_hectares(write, stated, hectares):
    b = read_boundary_file(write("a.txt", standard(area=stated)))
    assert b.declared_area_ha == Decimal(hectares) and b.findings == []


@pytest.mark.parametrize("stated", ["1.2000公顷", "12000平方米", "18亩"])
def test_a_stated_area_that_disagrees_stays_a_finding_whatever_its_unit(write, stated):
    b = read_boundary_file(write("a.txt", standard(area=stated)))
    assert b.declared_area_ha == Decimal("1.2000")
    assert [f["code"] for f in b.findings] == ["geo.boundary.file_area_mismatch"]


def test_an_area_with_an_unknown_unit_names_the_line(write):
    with pytest.raises(InputError) as err:
        read_boundary_file(write("a.txt", standard(area="2.0英亩")))
    problem, = err.value.problems
    message = problem.message("en")
    assert problem.line == 10 and message.startswith("line 10: ")
    assert "地块面积 '2.0英亩'" in message and "公顷, 平方米 or 亩" in message
    assert problem.message().startswith("第 10 行：") and "公顷、平方米 或 亩" in problem.message()


@pytest.mark.parametrize("encoding, bom", [("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"),
                                           ("utf-16-be", b"\xfe\xff")])
def test_a_file_with_a_bom_is_read(tmp_path, reference, encoding, bom):
    path = tmp_path / "bom.txt"
    path.write_bytes(bom + standard().replace("\n", "\r\n").encode(encoding))
    assert read_boundary_file(path).geometry.equals(reference.geometry)


def test_semicolon_separated_points_name_the_line_and_the_separator(write):
    text = standard()
    lines = text.splitlines()
    lines[12] = lines[12].replace(",", ";")  # the second point
    with pytest.raises(InputError) as err:
        read_boundary_file(write("s.txt", "\n".join(lines) + "\n", crlf=False))
    problem, = err.value.problems
    message = problem.message("en")
    assert problem.line == 13 and message.startswith("line 13: ")
    assert "分号" in problem.message()
    assert "expected 点号,圈号,X,Y (4 fields separated by commas, tabs or spaces), got 1" in message
    assert "separated by semicolons (;)" in message


def test_decimal_commas_are_named_as_such(write):
    text = re.sub(r"(\d{7,8})\.(\d{3})", r"\1,\2", standard())  # 3945000,000 and 37542000,000
    with pytest.raises(InputError) as err:
        read_boundary_file(write("d.txt", text, crlf=False))
    message = err.value.problems[0].message("en")
    assert err.value.problems[0].line == 11 and "got 6" in message and "decimal commas" in message
    assert len(err.value.problems) == 5  # every point line is named


def test_a_point_line_with_a_missing_field_names_the_line(write):
    text = standard().replace("J2,1,", "J2,", 1)
    with pytest.raises(InputError) as err:
        read_boundary_file(write("m.txt", text, crlf=False))
    problem, = err.value.problems
    message = problem.message("en")
    assert problem.line == 12 and "got 3" in message and "J2," in message


def test_the_stated_area_mismatch_shows_in_text_output(tmp_path):
    """The example case with its 界址点 file's first 地块面积 changed: the text output says so."""
    for name in ("qw-2024-03.yaml", "layers.yaml", "gis.gpkg"):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    text = (EXAMPLE / "qw-2024-03.txt").read_bytes().decode("gbk")
    assert "6,14.2707,QW-2024-03-1" in text
    (tmp_path / "qw-2024-03.txt").write_bytes(text.replace("6,14.2707,", "6,15.0000公顷,").encode("gbk"))
    result = CliRunner().invoke(main, ["evaluate", str(tmp_path / "qw-2024-03.yaml"), "--layers",
                                       str(tmp_path / "layers.yaml")])
    assert result.exit_code in (0, 1), result.output
    assert "头行地块面积 15.0000 公顷" in result.output
    unchanged = CliRunner().invoke(main, ["evaluate", str(EXAMPLE / "qw-2024-03.yaml"), "--layers",
                                          str(EXAMPLE / "layers.yaml")])
    assert "头行地块面积" not in unchanged.output
