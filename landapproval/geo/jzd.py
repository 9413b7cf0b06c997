"""The national 界址点坐标 exchange text file (勘测定界/用地报批 boundary-point file).

    [属性描述]
    坐标系=2000国家大地坐标系
    几度分带=3
    带号=37
    [地块坐标]
    5,0.1234,QW-1,一号地块,面,,建设用地,0103,@      <- 界址点数,地块面积(公顷),地块编号,地块名称,
    J1,1,3945000.000,37542000.000                       记录图形属性(点/线/面),图幅号,地块用途,地类编码,@
    ...                                                  <- 点号,圈号,X(北),Y(东,带号前缀)

Files written by other tools vary, and these variants are read as the standard file:
- fields separated by tabs or spaces instead of commas (one separator per line: commas if the
  line has any, else tabs, else runs of spaces), full-width characters (，＝３７) as ASCII;
- a column-header row (点号,圈号,X坐标,Y坐标 …): skipped, and where it names the point columns
  their order is taken from it (a header without 圈号 means one ring per parcel);
- `带号=37带` / `带号=第37带`, `几度分带=3度`;
- an area with its unit in the header line: 5.0000公顷, 50000平方米 / 50000㎡, 75亩 (1 公顷 = 15 亩);
- a UTF-8 BOM, or a UTF-16 file with its BOM.

This module only parses: text to parcels of named points, with every number checked (a number
that does not parse is an error, never 0), and every line it cannot read named with what was
expected. Geometry checks live in rings.py / boundary.py.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from landapproval.core.errors import InputError, Problem, Text
from landapproval.geo.rings import RawRing

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_AREA = re.compile(r"^(?P<n>[+-]?(\d+(\.\d*)?|\.\d+))\s*(?P<unit>公顷|ha|hm2|平方米|m2|亩)?$", re.IGNORECASE)
#: hectares per unit of a stated area (NFKC has already turned ㎡ into m2)
_HA_PER = {"公顷": Decimal(1), "ha": Decimal(1), "hm2": Decimal(1), "平方米": Decimal("0.0001"),
           "m2": Decimal("0.0001"), "亩": Decimal(1) / 15}
#: column-header words of the point lines, by the field they name
_POINT_COLUMNS = {
    "name": ("点号", "界址点号", "点名", "界址点", "序号"),
    "ring": ("圈号", "环号", "圈", "部件号"),
    "x": ("x", "x坐标", "纵坐标", "北坐标", "x(北)", "x(纵)", "x(m)", "n"),
    "y": ("y", "y坐标", "横坐标", "东坐标", "y(东)", "y(横)", "y(m)", "e"),
}
#: words of a column-header row over the parcel header lines (skipped: their order is fixed)
_HEADER_WORDS = ("界址点数", "地块面积", "地块编号", "地块名称", "记录图形属性", "图幅号", "地块用途", "地类编码")
_STANDARD_ORDER = {"name": 0, "ring": 1, "x": 2, "y": 3}
_WRONG_SEPARATORS = {";": ("分号（;）", "semicolons (;)"), "；": ("分号（；）", "semicolons (；)"),
                     "|": ("竖线（|）", "bars (|)"), "、": ("顿号（、）", "顿号 (、)"),
                     "/": ("斜杠（/）", "slashes (/)")}
#: what a point line looks like, for messages
_POINT_EXAMPLE = "J1,1,3945000.000,37542000.000"


@dataclass
class JzdParcel:
    line: int
    count: int | None          # 界址点数 as declared (unreliable in real files)
    area_ha: Decimal | None    # 地块面积 as declared
    code: str                  # 地块编号
    name: str                  # 地块名称
    shape: str                 # 记录图形属性
    use: str                   # 地块用途
    land_code: str             # 地类编码
    rings: list[RawRing] = field(default_factory=list)
    n_points: int = 0

    @property
    def label(self) -> str:
        return self.code or self.name or f"at line {self.line}"


@dataclass
class JzdFile:
    attrs: dict[str, str]
    parcels: list[JzdParcel]


def decode(data: bytes, source: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with its BOM (Windows 'Unicode' text) or GBK/GB18030,
    the encodings these files come in."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(source, [("", Text(f"文件以 UTF-16 BOM 开头，但内容不是 UTF-16 文本：{exc}；"
                                                "应另存为 UTF-8 或 GBK 文本",
                                                f"starts with a UTF-16 BOM but is not UTF-16: {exc}"))]) from None
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(source, [("", Text(f"文件以 UTF-8 BOM 开头，但内容不是 UTF-8 文本：{exc}；"
                                                "应另存为 UTF-8 或 GBK 文本",
                                                f"starts with a UTF-8 BOM but is not UTF-8: {exc}"))]) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # superset of GBK and GB2312
    except UnicodeDecodeError as exc:
        raise InputError(source, [("", Text(f"文件既不是 UTF-8 也不是 GBK/GB18030 文本：{exc}；"
                                            "界址点坐标文件应为文本文件（UTF-8 或 GBK）",
                                            f"is neither UTF-8 nor GBK/GB18030 text: {exc}"))]) from None


def split_fields(line: str) -> list[str]:
    """A line's fields: comma-separated if it has a comma, else tab-, else space-separated."""
    if "," in line:
        return [c.strip() for c in line.split(",")]
    if "\t" in line:
        return [c.strip() for c in line.split("\t")]
    return line.split()


def _column_header(cells: list[str]) -> dict[str, int] | None:
    """The point columns a column-header row names ({} for a row over the parcel header lines),
    or None if the line is not a column-header row."""
    words = [unicodedata.normalize("NFKC", c).strip().lower().replace(" ", "") for c in cells if c.strip()]
    if not words or any(_NUMBER.match(w) for w in words):
        return None
    found = {key: i for i, c in enumerate(cells)
             for key, names in _POINT_COLUMNS.items()
             if unicodedata.normalize("NFKC", c).strip().lower().replace(" ", "") in names}
    if "x" in found and "y" in found:
        return found
    if any(w in _HEADER_WORDS for w in words) or found:
        return {}
    return None


def _separator_hint(line: str, cells: list[str]) -> Text:
    for sep, (zh, en) in _WRONG_SEPARATORS.items():
        if sep in line and len(line.split(sep)) >= 3:
            return Text(f"；各字段似乎用{zh}分隔：应使用逗号、制表符或空格",
                        f"; the fields look separated by {en}: use commas, tabs or spaces")
    numbers = [c for c in cells[2:] if c.isdigit()]
    if "," in line and len(cells) == 6 and len(numbers) >= 3:
        return Text("；X、Y 似乎用逗号作小数点（3945000,123）：应使用小数点（3945000.123）",
                    "; X and Y look written with decimal commas (3945000,123): use a decimal point")
    return Text("", "")


def _at_line(lineno: int, zh: str, en: str) -> Problem:
    """A problem at one line of the file: the line is part of the sentence (and kept as `line`)."""
    return Problem("", Text(f"第 {lineno} 行：{zh}", f"line {lineno}: {en}"), line=lineno)


def parse(text: str, source: str) -> JzdFile:
    problems: list[Problem] = []
    attrs: dict[str, str] = {}
    parcels: list[JzdParcel] = []
    section = None
    columns = dict(_STANDARD_ORDER)  # where 点号, 圈号, X, Y are in a point line
    # per parcel: runs of points with the same 圈号 -> rings
    run_key = None
    seen_rings: set[str] = set()
    points: list[tuple[RawRing, list[tuple[float, float]]]] = []  # each ring's (east, north) as read
    for lineno, raw in enumerate(text.splitlines(), start=1):
        # NFKC: full-width ，＝３７ and ㎡ as their ASCII forms (common in hand-edited files)
        line = unicodedata.normalize("NFKC", raw).strip().lstrip("\ufeff")
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            continue
        if section == "属性描述":
            key, sep, value = line.partition("=")
            if not sep:
                problems.append(_at_line(lineno, f"[属性描述] 中应为 键=值，例如 带号=37；收到 {raw.strip()!r}",
                                         f"expected key=value in [属性描述], got {raw.strip()!r}"))
            else:
                attrs[key.strip()] = _attr_value(key.strip(), value.strip())
        elif section == "地块坐标":
            if line.endswith("@"):
                parcels.append(_header(line[:-1], lineno, problems))
                run_key, seen_rings = None, set()
                continue
            cells = split_fields(line)
            header = _column_header(cells)
            if header is not None:
                if header:
                    columns = header
                continue
            if not parcels:
                problems.append(_at_line(lineno, "界址点行之前应先有地块头行（以 @ 结尾），例如 "
                                         "5,0.1234,QW-1,一号地块,面,,建设用地,0103,@",
                                         "point line before any parcel header line (ending in @)"))
                continue
            expected = max(columns.values()) + 1
            if len(cells) != expected:
                names = ",".join(n for n, _ in sorted(((("点号", "圈号", "X", "Y")[_STANDARD_ORDER[k]], i)
                                                        for k, i in columns.items()), key=lambda t: t[1]))
                hint = _separator_hint(line, cells)
                problems.append(_at_line(
                    lineno,
                    f"应为 {names}（{expected} 个字段，用逗号、制表符或空格分隔，例如 {_POINT_EXAMPLE}），"
                    f"收到 {len(cells)} 个：{raw.strip()!r}{hint.zh}",
                    f"expected {names} ({expected} fields separated by commas, tabs or "
                    f"spaces), got {len(cells)}: {raw.strip()!r}{hint.en}"))
                continue
            name = cells[columns["name"]] if "name" in columns else ""
            ring_no = cells[columns["ring"]] if "ring" in columns else "1"
            x_text, y_text = cells[columns["x"]], cells[columns["y"]]
            bad = [(f, t) for f, t in (("圈号", ring_no), ("X", x_text), ("Y", y_text))
                   if not _NUMBER.match(t) or (f == "圈号" and "." in t)]
            if bad:
                problems += [_at_line(lineno, f"界址点 {name!r} 的{f} {t!r} 不是数字"
                                              + ("；圈号应为整数，例如 1" if f == "圈号" else
                                                 "；坐标应为米数，例如 3945000.000"),
                                      f"{f} {t!r} of point {name!r} is not a number") for f, t in bad]
                continue
            parcel = parcels[-1]
            parcel.n_points += 1
            if ring_no != run_key:
                if ring_no in seen_rings:
                    problems.append(_at_line(lineno, f"地块 {parcel.label}：圈号 {ring_no} 在另一圈之后再次出现；"
                                                     "同一圈的界址点应连续排列",
                                             f"parcel {parcel.label}: 圈号 {ring_no} appears again "
                                             "after another ring; keep each ring's points together"))
                    continue
                seen_rings.add(ring_no)
                run_key = ring_no
                parcel.rings.append(RawRing(label=f"圈{ring_no}", names=[], texts=[], xy_src=np.empty((0, 2))))
                points.append((parcel.rings[-1], []))
            ring, ring_xy = points[-1]
            ring.names.append(name or f"#{len(ring.names) + 1}")
            ring.texts.append(f"X={x_text}, Y={y_text}")
            ring_xy.append((float(y_text), float(x_text)))  # store (east, north)
        elif section is None:
            problems.append(_at_line(lineno, "[属性描述] 或 [地块坐标] 节之前不应有文字；文件应以 [属性描述] 开头",
                                     "text before the [属性描述] or [地块坐标] section"))
        # other sections are ignored: the format allows vendor additions
    if not problems and not parcels:
        problems.append(Problem("", Text("未找到地块：文件应有 [地块坐标] 节，其中每个地块以 @ 结尾的头行开始，"
                                         "例如 5,0.1234,QW-1,一号地块,面,,建设用地,0103,@",
                                         "no parcel found: the file needs a [地块坐标] section with header "
                                         "lines ending in @")))
    if problems:
        raise InputError(source, problems)
    for ring, ring_xy in points:
        ring.xy_src = np.array(ring_xy, dtype=float).reshape(-1, 2)
    return JzdFile(attrs, parcels)


def _attr_value(key: str, value: str) -> str:
    """带号=37带 / 第37带 -> 37, 几度分带=3度 -> 3: the number the other tools decorate."""
    if key in ("带号", "几度分带"):
        match = re.fullmatch(r"第?\s*(\d+)\s*(带|度|度带)?", value)
        if match:
            return match.group(1)
    return value


def _header(line: str, lineno: int, problems: list[Problem]) -> JzdParcel:
    """A parcel header line, its final @ already cut off."""
    cells = split_fields(line.rstrip(" \t,"))
    cells += [""] * (8 - len(cells))
    count_t, area_t, code, name, shape, _sheet, use, land_code = cells[:8]
    count = area = None
    if count_t:
        if count_t.isdigit():
            count = int(count_t)
        else:
            problems.append(_at_line(lineno, f"界址点数 {count_t!r} 不是整数；应为点的个数，例如 5",
                                     f"界址点数 {count_t!r} is not a whole number"))
    if area_t:
        match = _AREA.match(area_t)
        if match:
            unit = (match.group("unit") or "公顷").lower()
            area = Decimal(match.group("n")) * _HA_PER[unit]
            if unit == "亩":
                area = area.quantize(Decimal("0.0001"))
        else:
            problems.append(_at_line(lineno, f"地块面积 {area_t!r} 不是数字；应为数字，可带单位 公顷、平方米 或 亩，"
                                             "例如 0.1234 或 0.1234公顷",
                                     f"地块面积 {area_t!r} is not a number (with an optional unit: "
                                     "公顷, 平方米 or 亩)"))
    return JzdParcel(lineno, count, area, code, name, shape, use, land_code)
