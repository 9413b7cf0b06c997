"""Input-error sentences in Chinese and English: what was expected, with an example, and "did you mean".

No pydantic or Python text reaches a user: each error kind maps to a sentence here. The CLI, the
batch runner, the HTTP server and the web workbench all get their `Problem`s from these functions.
"""

from __future__ import annotations

import difflib
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Iterator

from pydantic import ValidationError

from . import forms, labels
from .errors import FieldProblem, Problem, Text

DATE_FORMS = Text("日期应为 YYYY-MM-DD，例如 2024-09-10（也可写 2024/9/10、2024.9.10、2024年9月10日 或 20240910）",
                  "a date is YYYY-MM-DD, e.g. 2024-09-10 (2024/9/10, 2024.9.10, 2024年9月10日 and 20240910 are read too)")
AREA_FORM = Text("面积应为公顷数，最多 4 位小数，例如 5.1234 或 5.1234公顷",
                 "an area is hectares with at most 4 decimals, e.g. 5.1234 or 5.1234公顷")
BOOL_FORM = Text("应填 是 或 否（也可写 true 或 false）", "write true or false (是 / 否 are read too)")
MU_PER_HA = Decimal(15)          # 1 公顷 = 15 亩 exactly
M2_PER_HA = Decimal(10000)


def shown(value: Any, limit: int = 40) -> str:
    """A value as the user wrote it, short enough for one line."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = "null"
    elif isinstance(value, dict):
        text = "{" + ", ".join(map(str, list(value)[:3])) + (", …}" if len(value) > 3 else "}")
    elif isinstance(value, list):
        text = f"[{len(value)} 项]" if value else "[]"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _got(value: Any) -> Text:
    return Text(f"；收到“{shown(value)}”", f"; got {shown(value)!r}")


def _join(*parts: Text) -> Text:
    return Text("".join(p.zh for p in parts), "".join(p.en for p in parts))


def _example(path: str) -> Text:
    info = labels.field_info(path)
    if info is None or info.example is None:
        return Text("", "")
    key = info.key
    return Text(f"，例如 {key}: {info.example}", f", e.g. {key}: {info.example}")


def _label(path: str) -> Text:
    info = labels.field_info(path)
    return info.label if info else Text(path, path)


# ---------------------------------------------------------------------------------------------
# Did you mean

def _core(label: str) -> str:
    """'耕地（永久基本农田以外）' → '耕地'."""
    return label.split("（", 1)[0].split("(", 1)[0].strip()


def suggest_key(path: str, key: str) -> list[str]:
    """Near field names for an unknown key at `path` (its parent's fields first, then anywhere)."""
    parent = labels.canonical(path).rsplit(".", 1)[0] if "." in path else ""
    typed = forms.plain(str(key))
    siblings = labels.children(parent)
    names = {f.key: f for f in siblings}
    hits = difflib.get_close_matches(typed.lower(), list(names), n=3, cutoff=0.6)
    if not typed.isascii():  # a Chinese label typed as a key: 耕地 → cultivated
        for f in siblings:
            core = _core(f.label.zh)
            if typed == core or (len(typed) >= 2 and (typed in f.label.zh or core in typed)):
                hits.append(f.key)
        by_label = {_core(f.label.zh): f.key for f in siblings}
        hits += [by_label[m] for m in difflib.get_close_matches(typed, list(by_label), n=2, cutoff=0.6)]
    hits = list(dict.fromkeys(hits))
    if hits:
        return hits[:3]
    # the right name at the wrong level: say where it belongs
    elsewhere = [f.path for f in labels.catalogue()
                 if f.key == typed or (not typed.isascii() and _core(f.label.zh) == typed)]
    return elsewhere[:3]


def suggest(typed: str, names: Iterable[str], cutoff: float = 0.5) -> list[str]:
    names = list(dict.fromkeys(names))
    text = forms.plain(typed)
    return difflib.get_close_matches(text, names, n=3, cutoff=cutoff) or \
        difflib.get_close_matches(text.lower(), [n.lower() for n in names], n=3, cutoff=cutoff)


def _suffix(suggestions: list[str], english: list[str] | None = None) -> Text:
    """'；是否想写 a 或 b？' / '; did you mean a or b?' (English names may differ from the Chinese)."""
    if not suggestions:
        return Text("", "")
    english = suggestions if english is None else english
    return Text(f"；是否想写 {' 或 '.join(suggestions)}？", f"; did you mean {' or '.join(english)}?")


# ---------------------------------------------------------------------------------------------
# Problems the reader, the models and the jurisdiction find

def unknown_field(path: str, key: Any) -> Problem:
    hints = suggest_key(path, key)
    where = [h if "." in h else _sibling(path, h) for h in hints]
    text = _join(Text(f"不认识的字段“{shown(key)}”（landapproval/v1 合同中没有这一项，请检查拼写）",
                      f"unknown field {shown(key)!r} (not in the landapproval/v1 contract; check the spelling)"),
                 _suffix([f"{h}（{_core(labels.field_label(w))}）" for h, w in zip(hints, where)],
                         [f"{h} ({labels.field_label(w, 'en')})" for h, w in zip(hints, where)]))
    return Problem(path, text, suggestions=tuple(hints))


def _sibling(path: str, key: str) -> str:
    return f"{path.rsplit('.', 1)[0]}.{key}" if "." in path else key


def unknown_county(value: str, counties: Iterable[Any]) -> Problem:
    counties = list(counties)
    names = [c.name for c in counties] + [c.short for c in counties] + [c.pinyin for c in counties]
    by_name = {n: c.name for c in counties for n in (c.name, c.short, c.pinyin)}
    hits = list(dict.fromkeys(by_name.get(h, by_name.get(h.lower(), h)) for h in suggest(value, names)))
    text = _join(Text(f"“{shown(value)}”不是临汾市所辖的县（市、区）：请写名称（洪洞县 或 洪洞）、代码（141024）或拼音（hongtong）",
                      f"{shown(value)!r} is not a county of Linfen: give its name (洪洞县 or 洪洞), code (141024) or pinyin (hongtong)"),
                 _suffix(hits))
    return Problem("county", text, suggestions=tuple(hits))


def unknown_zone(value: str, zones: Iterable[Any]) -> Problem:
    names = [n for z in zones for n in (z.name, *z.aliases)]
    hits = suggest(value, names, cutoff=0.6)
    text = _join(Text(f"“{shown(value)}”不在 rules/jurisdiction.yaml 所列的开发区（示范区）中：请写所列名称，"
                      "或写 {name: 名称, level: 级别}；不在开发区写 无",
                      f"{shown(value)!r} is not a development zone known to rules/jurisdiction.yaml: give a listed "
                      "name, or {name, level}; null when the land is not in a zone"),
                 _suffix(hits))
    return Problem("scope.development_zone", text, suggestions=tuple(hits))


def area_in_other_unit(value: str) -> Text | None:
    """'8亩' or '1200平方米' → a refusal that gives the exact hectares to write (never converted)."""
    text = forms.plain(value)
    for unit, per_ha, zh_unit in (("亩", MU_PER_HA, "亩"), ("平方米", M2_PER_HA, "平方米"),
                                  ("m²", M2_PER_HA, "平方米"), ("m2", M2_PER_HA, "平方米")):
        if text.endswith(unit):
            try:
                amount = Decimal(text[: -len(unit)].strip())
            except InvalidOperation:
                return None
            hectares = amount / per_ha
            exact = hectares == hectares.quantize(Decimal("0.0001"))
            if exact:
                ha = f"{hectares.quantize(Decimal('0.0001')).normalize():f}"
                return Text(f"面积须以公顷填写，不自动换算“{zh_unit}”：{amount} {zh_unit} = {ha} 公顷，请写 {ha}",
                            f"areas are in hectares, never converted: {amount} {zh_unit} = {ha} ha exactly; write {ha}")
            approx = f"{hectares:.6f}".rstrip("0")
            return Text(f"面积须以公顷填写，不自动换算“{zh_unit}”：{amount} {zh_unit} = {approx}… 公顷，"
                        f"不能精确到 4 位小数（四舍五入可能跨过审批面积门槛）；请按测绘成果写公顷数（最多 4 位小数）",
                        f"areas are in hectares, never converted: {amount} {zh_unit} = {approx}… ha, which has more than "
                        f"4 decimals (rounding could cross an approval threshold); write the surveyed hectares")
    return None


def _date_problem(value: Any) -> Text:
    text = forms.plain(value) if isinstance(value, str) else str(value)
    if isinstance(value, str) and (":" in text or "T" in text[8:]):
        return _join(Text("只写日期，不写时刻", "a date without a time of day"), Text("：", ": "), DATE_FORMS, _got(value))
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 6 and forms.parse_date(value) is None and any(sep in text for sep in "-/.年") or len(digits) == 8:
        return _join(Text(f"“{shown(value)}”不是真实存在的日期（请核对月份和日）",
                          f"{shown(value)!r} is not a real calendar day (check the month and the day)"),
                     Text("；", "; "), DATE_FORMS)
    return _join(DATE_FORMS, _got(value))


def _area_problem(value: Any) -> Text:
    if isinstance(value, str):
        other = area_in_other_unit(value)
        if other:
            return other
        if "," in value or "，" in value:
            return _join(Text("面积中不要写千分位逗号或用逗号作小数点", "no thousands separators or decimal commas in an area"),
                         Text("；", "; "), AREA_FORM, _got(value))
    return _join(AREA_FORM, _got(value))


def _enum_problem(path: str, value: Any) -> tuple[Text, list[str]]:
    info = labels.field_info(path)
    choices = info.choices if info else ()
    listed = Text("、".join(f"{c.value}（{c.name.zh}）" for c in choices),
                  ", ".join(f"{c.value} ({c.name.en})" for c in choices))
    spelled = {}
    for c in choices:
        for name in (c.value, c.name.zh, *c.aliases):
            spelled[name] = c.value
    hits = []
    if isinstance(value, str):
        hits = list(dict.fromkeys(spelled[n] for n in suggest(value, list(spelled), cutoff=0.5) if n in spelled))
    names = {c.value: c.name for c in choices}
    text = _join(Text(f"应为以下之一：{listed.zh}", f"expected one of: {listed.en}"), _got(value),
                 _suffix([f"{h}（{names[h].zh}）" for h in hits], [f"{h} ({names[h].en})" for h in hits]))
    return text, hits


def _type_text(path: str, kind: str, value: Any) -> Text:
    label = _label(path)
    if kind == "list":
        return _join(Text(f"“{label.zh}”应为列表：每项另起一行，以“- ”开头；没有写 无 或 []",
                          f"{label.en} is a list: one item per line starting with '- '; [] when there is none"),
                     _got(value))
    if kind in ("group",):
        return _join(Text(f"“{label.zh}”应为一组字段：在下一行缩进书写各项", f"{label.en} is a group of fields, indented below it"),
                     _got(value))
    if kind == "zone":
        return _join(Text("开发区应写名称（如 洪洞经济技术开发区），或写 {name: 名称, level: 级别}；不在开发区写 无",
                          "a development zone is a name, or {name, level}; null when the land is not in a zone"),
                     _got(value))
    return _join(Text(f"“{label.zh}”应为文字", f"{label.en} is text"), _example(path), _got(value))


def problem_for(item: dict, path: str) -> Problem:
    """One pydantic error item, at field path `path`, as a Problem."""
    kind_of_error = item["type"]
    value = item.get("input")
    info = labels.field_info(path)
    kind = info.kind if info else "other"
    if kind == "list" and path.endswith("]"):
        kind = "group"  # an item of a list: every list of the contract holds groups of fields
    label = _label(path)
    suggestions: list[str] = []
    if kind_of_error == "extra_forbidden":
        return unknown_field(path, path.rsplit(".", 1)[-1])
    if kind_of_error == "missing":
        text = _join(Text(f"缺少必填项“{label.zh}”", f"required field {label.en!r} is missing"), _example(path))
    elif (isinstance(value, str) and forms.plain(value) in _NONE_WORDS and kind not in ("list", "zone")
          and info is not None):
        # 无 / 不详 where a value is expected: how this field says "none" or "not known"
        text = _join(Text(f"“{shown(value)}”不能用于“{label.zh}”：{info.none.zh}", f"{shown(value)!r} is not a value "
                          f"for {label.en}: {info.none.en}"), _example(path))
    elif kind_of_error == "value_error" and isinstance((item.get("ctx") or {}).get("error"), FieldProblem):
        error = item["ctx"]["error"]
        text, suggestions = error.text, list(error.suggestions)
    elif kind_of_error.startswith("date") or kind_of_error.startswith("datetime") or (
            kind == "date" and kind_of_error not in ("greater_than_equal", "less_than_equal")):
        text = _date_problem(value)
    elif kind == "date":
        text = _join(Text("日期应在 1986-01-01 至 2099-12-31 之间（请检查年份）",
                          "a date lies between 1986-01-01 and 2099-12-31 (check the year)"), _got(value))
    elif kind == "area" and kind_of_error == "greater_than_equal":
        text = _join(Text("面积不能为负数", "an area is never negative"), _got(value))
    elif kind == "area" and kind_of_error == "less_than_equal":
        text = _join(Text("面积超过临汾市全市面积（约 2,027,500 公顷）：请检查单位和小数点",
                          "the area exceeds the whole of Linfen (about 2,027,500 ha): check the unit and the decimal point"),
                     _got(value))
    elif kind == "area" and kind_of_error == "decimal_max_places":
        text = _join(Text("面积最多 4 位小数（0.0001 公顷 = 1 平方米）：请按测绘成果写到 4 位小数，不要四舍五入到门槛附近",
                          "an area has at most 4 decimals (0.0001 ha = 1 m²): give the surveyed figure to 4 decimals"),
                     _got(value))
    elif kind == "area":
        text = _area_problem(value)
    elif kind == "bool":
        text = _join(BOOL_FORM, _got(value))
    elif kind_of_error == "literal_error" or kind == "enum":
        text, suggestions = _enum_problem(path, value)
    elif kind_of_error == "string_too_short":
        text = _join(Text(f"“{label.zh}”不能为空", f"{label.en} may not be empty"), _example(path))
    elif kind_of_error == "too_short":
        text = Text(f"“{label.zh}”至少要有一项", f"{label.en} needs at least one item")
    else:
        text = _type_text(path, kind, value)
    return Problem(path, text, suggestions=tuple(suggestions))


# ---------------------------------------------------------------------------------------------
# pydantic locations → field paths

def field_path(loc: tuple) -> str:
    """pydantic's ('parcels', 2, 'land', 'cultivated') → 'parcels[2].land.cultivated'.

    Union-branch labels pydantic adds to a location ('str', 'ZoneRef', 'function-after[…]') are
    not fields of the contract and are left out."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
            continue
        candidate = f"{path}.{part}" if path else str(part)
        known = path == "" or labels.field_info(path) is not None
        if not known or labels.field_info(candidate) is not None:
            path = candidate  # (under a field the catalogue does not describe, keep what pydantic says)
    return path


_NONE_WORDS = forms.EMPTY_WORDS | {"不详", "未知", "待定", "暂无", "空"}
_TYPE_ERRORS = ("string_type", "model_type", "dict_type", "model_attributes_type", "is_instance_of")


def from_validation(error: ValidationError) -> Iterator[Problem]:
    """Problems from a pydantic ValidationError; one per field, branches of a union merged."""
    items = error.errors(include_url=False)
    by_path: dict[str, list[dict]] = {}
    for item in items:
        path = field_path(item["loc"])
        key = item["loc"][-1] if item["type"] == "extra_forbidden" and item["loc"] else None
        if key is not None and not path.endswith(str(key)):
            path = f"{path}.{key}" if path else str(key)
        by_path.setdefault(path, []).append(item)
    for path, group in by_path.items():
        if all(i["type"] in _TYPE_ERRORS for i in group) and any(p.startswith(path + ".") for p in by_path):
            continue  # a union's other branch (text) refused a mapping whose own fields are reported
        real = [i for i in group if i["type"] not in _TYPE_ERRORS] or group[:1]
        # a value that fits no branch of a union: one sentence for the field, not one per branch
        if len(group) > 1 and len(real) == len(group) and all(i["type"] in _TYPE_ERRORS for i in group):
            real = group[:1]
        seen = set()
        for item in real:
            problem = problem_for(item, path)
            if problem.text not in seen:
                seen.add(problem.text)
                yield problem


# ---------------------------------------------------------------------------------------------
# Whole-file problems

def file_problem(kind: str, **values: Any) -> Text:
    """Sentences for problems with the file itself (path "")."""
    v = values
    table = {
        "too_big": (f"文件有 {v.get('size', 0):,} 字节，超过上限 {v.get('limit', 0):,} 字节：这不是一个案件文件",
                    f"the file is {v.get('size', 0):,} bytes; the limit is {v.get('limit', 0):,}"),
        "directory": ("这是一个文件夹，不是案件文件", "is a directory, not a case file"),
        "unreadable": (f"无法读取文件（{v.get('reason', '')}）", f"cannot be read: {v.get('reason', '')}"),
        "not_found": ("文件不存在：请检查路径和文件名", "no such file: check the path and the name"),
        "encoding": ("文件既不是 UTF-8 也不是 GBK/GB18030 编码的文字：请用记事本“另存为”，编码选 UTF-8",
                     "the file is neither UTF-8 nor GBK/GB18030 text: save it as UTF-8"),
        "nul": ("文件中有 NUL 字符：这不是文本文件", "contains NUL characters: not a text file"),
        "depth": (f"嵌套超过 {v.get('limit', 0)} 层：案件文件最多嵌套 5 层，请检查缩进",
                  f"nested more than {v.get('limit', 0)} levels deep"),
        "not_mapping": (f"案件文件应为一组“字段: 值”（landapproval/v1），实际是{v.get('got_zh', '')}：可用 landapproval init 生成模板",
                        f"a case file is a mapping of fields (schema landapproval/v1), got {v.get('got_en', '')}; "
                        "`landapproval init` writes a template"),
        "not_a_case": ("这不是案件文件：没有 id、county、kind、scope、parcels 中的任何一项（图层文件请用 --layers 指定；"
                       "新案件可用 landapproval init 生成模板）",
                       "not a case file: none of id, county, kind, scope, parcels (give a layers file with --layers; "
                       "`landapproval init` writes a case template)"),
        "anchors": ("案件文件中不接受 YAML 锚点和别名（& 和 *）：请把内容直接写出", "YAML anchors and aliases (&, *) are not accepted in case files"),
        "repeated_key": (f"字段“{shown(v.get('key'))}”在同一层写了两次：请删去一处", f"the key {shown(v.get('key'))!r} appears twice in one mapping"),
        "bad_key": ("字段名应为普通文字", "a mapping key must be a plain name"),
        "gb18030": ("文件不是 UTF-8 编码，已按 GBK/GB18030（Windows 记事本的“ANSI”）读取；建议“另存为”UTF-8",
                    "the file is not UTF-8; it was read as GBK/GB18030 (Windows Notepad's \"ANSI\"); save it as UTF-8"),
    }
    zh, en = table[kind]
    return Text(zh, en)


def yaml_problem(problem: str, rows: list[tuple[int, str]], line: int | None,
                 column: int | None) -> tuple[Text, int | None]:
    """A PyYAML parser message as a sentence an official can act on, and the line it is about
    (`rows`: the line the parser stopped on and the one before, where the mistake often is)."""
    def found(test) -> int | None:
        return next((n for n, row in reversed(rows) if test(row)), None)

    tab = found(lambda row: "\t" in row[: len(row) - len(row.lstrip())])
    colon = found(lambda row: "：" in row and ":" not in row.split("#", 1)[0])
    column_text = (f"第 {column} 列：", f", column {column}") if column else ("", "")
    if tab is not None or "'\\t'" in problem:
        line = tab or line
        hint = Text("用了制表符（Tab）缩进：YAML 只能用空格缩进", "a tab is used for indentation: YAML indents with spaces only")
        column_text = ("", "")
    elif colon is not None:
        line = colon
        hint = Text("用了全角冒号“：”：字段名和值之间应为半角冒号加空格，例如 county: 洪洞县",
                    "a full-width colon '：' is used: write a half-width colon and a space, e.g. county: 洪洞县")
        column_text = ("", "")
    elif "mapping values are not allowed" in problem:
        hint = Text("冒号位置不对：值中含有“: ”时请给值加引号，或检查缩进",
                    "a colon in the wrong place: quote a value that contains ': ', or check the indentation")
    elif "could not find expected ':'" in problem:
        hint = Text("缺少冒号：每行应为“字段: 值”（冒号后加空格）", "a colon is missing: each line is 'key: value'")
    elif "quoted scalar" in problem or "end of stream" in problem:
        hint = Text("引号没有配对：请检查这一行的引号", "a quote is not closed")
    elif "indentation" in problem or "expected <block end>" in problem or "did not find expected" in problem:
        hint = Text("缩进不对齐：同一层的字段应左对齐，下一层多缩进两个空格",
                    "the indentation does not line up: fields of one level start in the same column")
    else:
        hint = Text("格式有误：请检查缩进、冒号和引号", f"not valid YAML ({problem})")
    where = Text(f"第 {line} 行{column_text[0] or '：'}" if line else "",
                 f"line {line}{column_text[1]}" if line else "")
    return Text(f"不是有效的 YAML：{where.zh}{hint.zh}", f"not valid YAML ({where.en}): {hint.en}"), line


def json_problem(message: str, line: int, column: int) -> Text:
    return Text(f"不是有效的 JSON：第 {line} 行第 {column} 列格式有误（检查逗号、引号和括号）",
                f"not valid JSON (line {line}, column {column}): {message}")
