"""The national 界址点坐标 exchange text file (勘测定界/用地报批 boundary-point file).

    [属性描述]
    坐标系=2000国家大地坐标系
    几度分带=3
    带号=37
    [地块坐标]
    5,0.1234,QW-1,一号地块,面,,建设用地,0103,@      <- 界址点数,地块面积(公顷),地块编号,地块名称,
    J1,1,3945000.000,37542000.000                       记录图形属性(点/线/面),图幅号,地块用途,地类编码,@
    ...                                                  <- 点号,圈号,X(北),Y(东,带号前缀)

This module only parses: text to parcels of named points, with every number checked (a number
that does not parse is an error, never 0). Geometry checks live in rings.py / boundary.py.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from ..errors import InputError
from .rings import RawRing

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


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
    """UTF-8 (with or without BOM) or GBK/GB18030, the encodings these files come in."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(source, [("", f"starts with a UTF-8 BOM but is not UTF-8: {exc}")]) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # superset of GBK and GB2312
    except UnicodeDecodeError as exc:
        raise InputError(source, [("", f"is neither UTF-8 nor GBK/GB18030 text: {exc}")]) from None


def parse(text: str, source: str) -> JzdFile:
    problems: list[tuple[str, str]] = []
    attrs: dict[str, str] = {}
    parcels: list[JzdParcel] = []
    section = None
    # per parcel: runs of points with the same 圈号 -> rings
    run_key = None
    seen_rings: set[str] = set()
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().replace("，", ",")  # full-width commas are common in hand-edited files
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            continue
        where = f"line {lineno}"
        if section == "属性描述":
            key, sep, value = line.partition("=")
            if not sep:
                problems.append((where, f"expected key=value in [属性描述], got {raw.strip()!r}"))
            else:
                attrs[key.strip()] = value.strip()
        elif section == "地块坐标":
            if line.endswith("@"):
                parcels.append(_header(line, lineno, problems))
                run_key, seen_rings = None, set()
                continue
            if not parcels:
                problems.append((where, "point line before any parcel header line (ending in @)"))
                continue
            cells = [c.strip() for c in line.split(",")]
            if len(cells) != 4:
                problems.append((where, f"expected 点号,圈号,X,Y (4 fields), got {len(cells)}: {raw.strip()!r}"))
                continue
            name, ring_no, x_text, y_text = cells
            bad = [(f, t) for f, t in (("圈号", ring_no), ("X", x_text), ("Y", y_text))
                   if not _NUMBER.match(t) or (f == "圈号" and "." in t)]
            if bad:
                problems += [(where, f"{f} {t!r} of point {name!r} is not a number") for f, t in bad]
                continue
            parcel = parcels[-1]
            parcel.n_points += 1
            if ring_no != run_key:
                if ring_no in seen_rings:
                    problems.append((where, f"parcel {parcel.label}: 圈号 {ring_no} appears again "
                                            "after another ring; keep each ring's points together"))
                    continue
                seen_rings.add(ring_no)
                run_key = ring_no
                parcel.rings.append(RawRing(label=f"圈{ring_no}", names=[], texts=[], xy_src=[]))
            ring = parcel.rings[-1]
            ring.names.append(name or f"#{len(ring.names) + 1}")
            ring.texts.append(f"X={x_text}, Y={y_text}")
            ring.xy_src.append((float(y_text), float(x_text)))  # store (east, north)
        elif section is None:
            problems.append((where, "text before the [属性描述] or [地块坐标] section"))
        # other sections are ignored: the format allows vendor additions
    if not problems and not parcels:
        problems.append(("", "no parcel found: the file needs a [地块坐标] section with header "
                             "lines ending in @"))
    if problems:
        raise InputError(source, problems)
    for parcel in parcels:
        for ring in parcel.rings:
            ring.xy_src = np.array(ring.xy_src, dtype=float).reshape(-1, 2)
    return JzdFile(attrs, parcels)


def _header(line: str, lineno: int, problems) -> JzdParcel:
    cells = [c.strip() for c in line[:-1].split(",")]
    cells += [""] * (8 - len(cells))
    count_t, area_t, code, name, shape, _sheet, use, land_code = cells[:8]
    where = f"line {lineno}"
    count = area = None
    if count_t:
        if count_t.isdigit():
            count = int(count_t)
        else:
            problems.append((where, f"界址点数 {count_t!r} is not a whole number"))
    if area_t:
        if _NUMBER.match(area_t):
            area = Decimal(area_t)
        else:
            problems.append((where, f"地块面积 {area_t!r} is not a number"))
    return JzdParcel(lineno, count, area, code, name, shape, use, land_code)
