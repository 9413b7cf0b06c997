"""Input-error sentences in Chinese and English: what was expected, with an example, and "did you mean".

No pydantic or Python text reaches a user: each error kind maps to a sentence here. The CLI, the
batch runner, the HTTP server and the web workbench all get their `Problem`s from these functions.
"""

from __future__ import annotations

import difflib
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Iterator

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from landapproval.contract.words import EMPTY_WORDS, parse_date
from landapproval.contract import walker
from landapproval.contract.walker import canonical
from landapproval.law.catalogue import Catalogue
from landapproval.core.errors import FieldProblem, Problem, Text
from landapproval.core.sentences import plain, shown, suggest

DATE_FORMS = Text("日期应为 YYYY-MM-DD，例如 2024-09-10（也可写 2024/9/10、2024.9.10、2024年9月10日 或 20240910）",
                  "a date is YYYY-MM-DD, e.g. 2024-09-10 (2024/9/10, 2024.9.10, 2024年9月10日 and 20240910 are read too)")
AREA_FORM = Text("面积应为公顷数，最多 4 位小数，例如 5.1234 或 5.1234公顷",
                 "an area is hectares with at most 4 decimals, e.g. 5.1234 or 5.1234公顷")
BOOL_FORM = Text("应填 是 或 否（也可写 true 或 false）", "write true or false (是 / 否 are read too)")
MU_PER_HA = Decimal(15)          # 1 公顷 = 15 亩 exactly
M2_PER_HA = Decimal(10000)


def _got(value: Any) -> Text:
    return Text(f"；收到“{shown(value)}”", f"; got {shown(value)!r}")


def _join(*parts: Text) -> Text:
    return Text("".join(p.zh for p in parts), "".join(p.en for p in parts))


def _example(catalogue: Catalogue, path: str) -> Text:
    info = catalogue.field_info(path)
    if info is None or info.example is None:
        return Text("", "")
    key = info.key
    return Text(f"，例如 {key}: {info.example}", f", e.g. {key}: {info.example}")


def _label(catalogue: Catalogue, path: str) -> Text:
    info = catalogue.field_info(path)
    return info.label if info else Text(path, path)


# ---------------------------------------------------------------------------------------------
# Did you mean

def _core(label: str) -> str:
    """'耕地（永久基本农田以外）' → '耕地'."""
    return label.split("（", 1)[0].split("(", 1)[0].strip()


def suggest_key(catalogue: Catalogue, path: str, key: str) -> list[str]:
    """Near field names for an unknown key at `path` (its parent's fields first, then anywhere)."""
    parent = canonical(path).rsplit(".", 1)[0] if "." in path else ""
    typed = plain(str(key))
    siblings = catalogue.children(parent)
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
    elsewhere = [f.path for f in catalogue
                 if f.key == typed or (not typed.isascii() and _core(f.label.zh) == typed)]
    return elsewhere[:3]


def _suffix(suggestions: list[str], english: list[str] | None = None) -> Text:
    """'；是否想写 a 或 b？' / '; did you mean a or b?' (English names may differ from the Chinese)."""
    if not suggestions:
        return Text("", "")
    english = suggestions if english is None else english
    return Text(f"；是否想写 {' 或 '.join(suggestions)}？", f"; did you mean {' or '.join(english)}?")


# ---------------------------------------------------------------------------------------------
# Problems the reader, the models and the jurisdiction find

def unknown_field(catalogue: Catalogue, path: str, key: Any) -> Problem:
    if isinstance(key, str) and ":" in key and path.endswith(key):
        name, _, value = key.partition(":")
        parent = path[: len(path) - len(key)].rstrip(".")
        if catalogue.field_info(f"{parent}.{name}" if parent else name) is not None:
            # {cultivated:21.5}: no space after the colon, so YAML read one word, a key without a value
            return Problem(path, Text(f"冒号后缺少空格：“{shown(key)}”被读成一个字段名；请写成 {name}: {value}（冒号后加一个空格）",
                                      f"no space after the colon: {shown(key)!r} reads as one key; write {name}: {value}"),
                           suggestions=(f"{name}: {value}",))
    hints = suggest_key(catalogue, path, key)
    where = [h if "." in h else _sibling(path, h) for h in hints]
    text = _join(Text(f"不认识的字段“{shown(key)}”（landapproval/v1 合同中没有这一项，请检查拼写）",
                      f"unknown field {shown(key)!r} (not in the landapproval/v1 contract; check the spelling)"),
                 _suffix([f"{h}（{_core(catalogue.field_label(w))}）" for h, w in zip(hints, where)],
                         [f"{h} ({catalogue.field_label(w, 'en')})" for h, w in zip(hints, where)]))
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
    text = plain(value)
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


_RANGE = __import__("re").compile(r"^(.+?)\s*(?:至|到|~|～|—|–|－{1,2}|-{2})\s*(.+)$")


def _date_problem(value: Any) -> Text:
    text = plain(value) if isinstance(value, str) else str(value)
    fixed = parse_date(text.replace("号", "日")) if isinstance(value, str) and "号" in text else None
    if fixed is not None:
        return _join(Text(f"日期写“日”，不写“号”：请写 {fixed.year}年{fixed.month}月{fixed.day}日 或 {fixed.isoformat()}",
                          f"a date ends in 日, not 号: write {fixed.year}年{fixed.month}月{fixed.day}日 or {fixed.isoformat()}"),
                     _got(value))
    ranged = _RANGE.match(text) if isinstance(value, str) else None
    last = parse_date(ranged.group(2).replace("号", "日")) if ranged else None
    if ranged and parse_date(ranged.group(1).replace("号", "日")) and last:
        return _join(Text("这里填一个日期，不填期间：请写该事项办理（完成）的那一天，例如期间的最后一天 "
                          f"{last.isoformat()}",
                          "one date is asked here, not a period: give the day it was done, e.g. the period's last day "
                          f"{last.isoformat()}"),
                     _got(value))
    if isinstance(value, str) and (":" in text or "T" in text[8:]):
        return _join(Text("只写日期，不写时刻", "a date without a time of day"), Text("：", ": "), DATE_FORMS, _got(value))
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 6 and parse_date(value) is None and any(sep in text for sep in "-/.年") or len(digits) == 8:
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


def _enum_problem(catalogue: Catalogue, path: str, value: Any) -> tuple[Text, list[str]]:
    info = catalogue.field_info(path)
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
    # in Chinese by the values' Chinese names (each is read as its value); in English by the values
    chinese = "、".join(c.name.zh for c in choices)
    text = _join(Text(f"应为以下之一：{chinese}", f"expected one of: {listed.en}"), _got(value),
                 _suffix([names[h].zh for h in hits], [f"{h} ({names[h].en})" for h in hits]))
    return text, hits


def _type_text(catalogue: Catalogue, path: str, kind: str, value: Any) -> Text:
    label = _label(catalogue, path)
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
    return _join(Text(f"“{label.zh}”应为文字", f"{label.en} is text"), _example(catalogue, path), _got(value))


def problem_for(catalogue: Catalogue, item: ErrorDetails, path: str) -> Problem:
    """One pydantic error item, at field path `path`, as a Problem."""
    kind_of_error = item["type"]
    value = item.get("input")
    info = catalogue.field_info(path)
    kind = info.kind if info else "other"
    if kind == "list" and path.endswith("]"):
        kind = "group"  # an item of a list: every list of the contract holds groups of fields
    label = _label(catalogue, path)
    suggestions: list[str] = []
    if kind_of_error == "extra_forbidden":
        loc = item.get("loc") or ()
        return unknown_field(catalogue, path, loc[-1] if loc and isinstance(loc[-1], str) else path.rsplit(".", 1)[-1])
    if kind_of_error == "missing":
        text = _join(Text(f"缺少必填项“{label.zh}”", f"required field {label.en!r} is missing"), _example(catalogue, path))
    elif isinstance(value, str) and plain(value) in _NONE_WORDS and kind == "bool" and info is not None:
        # 无 for a yes/no question: 否 is the answer "no"; null is "not known" (the item is then incomplete)
        text = Text(f"“{label.zh}”是一个是/否问题，“{shown(value)}”不是回答：没有这种情况写 否；"
                    f"不知道或尚未核查写 null（视为未提供，该审查事项为材料不全）。例如 {info.key}: 否",
                    f"{label.en} is a yes/no question and {shown(value)!r} is no answer: write false (否) when it "
                    f"is not so; null when not known (the item is then incomplete). E.g. {info.key}: false")
        suggestions = ["否"]
    elif (isinstance(value, str) and plain(value) in _NONE_WORDS and kind not in ("list", "zone")
          and info is not None):
        # 无 / 不详 where a value is expected: how this field says "none" or "not known"
        text = _join(Text(f"“{shown(value)}”不能用于“{label.zh}”：{info.none.zh}", f"{shown(value)!r} is not a value "
                          f"for {label.en}: {info.none.en}"), _example(catalogue, path))
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
        text, suggestions = _enum_problem(catalogue, path, value)
    elif kind_of_error == "string_too_short":
        text = _join(Text(f"“{label.zh}”不能为空", f"{label.en} may not be empty"), _example(catalogue, path))
    elif kind_of_error == "too_short":
        text = Text(f"“{label.zh}”至少要有一项", f"{label.en} needs at least one item")
    else:
        text = _type_text(catalogue, path, kind, value)
    return Problem(path, text, suggestions=tuple(suggestions))


# ---------------------------------------------------------------------------------------------
# pydantic locations → field paths

def field_path(loc: tuple[int | str, ...]) -> str:
    """pydantic's ('parcels', 2, 'land', 'cultivated') → 'parcels[2].land.cultivated'.

    Union-branch labels pydantic adds to a location ('str', 'ZoneRef', 'function-after[…]') are
    not fields of the contract and are left out."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
            continue
        candidate = f"{path}.{part}" if path else str(part)
        known = path == "" or walker.field(path) is not None
        if not known or walker.field(candidate) is not None:
            path = candidate  # (under a field the catalogue does not describe, keep what pydantic says)
    return path


_NONE_WORDS = EMPTY_WORDS | {"不详", "未知", "待定", "暂无", "空"}
_TYPE_ERRORS = ("string_type", "model_type", "dict_type", "model_attributes_type", "is_instance_of")


def from_validation(catalogue: Catalogue, error: ValidationError) -> Iterator[Problem]:
    """Problems from a pydantic ValidationError; one per field, branches of a union merged."""
    items = error.errors(include_url=False)
    by_path: dict[str, list[ErrorDetails]] = {}
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
        seen: set[Text] = set()
        for item in real:
            problem = problem_for(catalogue, item, path)
            if problem.text not in seen:
                seen.add(problem.text)
                yield problem




# ---------------------------------------------------------------------------------------------
# Where a problem is, as the official wrote the case

_STEP = __import__("re").compile(r"([^.\[\]]+)|\[(\d+)\]")


def place(catalogue: Catalogue, path: str, data: Any) -> Text | None:
    """'parcels[1].land.cultivated' of a case whose second parcel is P2 →
    地块 P2（第 2 个地块）的 耕地（永久基本农田以外） / parcel P2 (no. 2 of the parcels): cultivated land …;
    the field's name from the catalogue, an item of a list by its id and its number counted from 1.
    None for a whole-file problem."""
    if not path or path.startswith("-"):
        return None
    zh: list[str] = []
    en: list[str] = []
    node: Any = data
    so_far = ""
    parts = [(m.group(1), m.group(2)) for m in _STEP.finditer(path)]
    for index, (key, number) in enumerate(parts):
        last = index == len(parts) - 1
        if number is not None:
            n = int(number)
            item = node[n] if isinstance(node, list) and n < len(node) else None
            name = item.get("id") if isinstance(item, dict) else None
            label = _core(_label(catalogue, so_far).zh)
            label_en = _label(catalogue, so_far).en
            named = f" {shown(name)}" if isinstance(name, (str, int)) and not isinstance(name, bool) else ""
            zh[-1:] = [f"{label}{named}（第 {n + 1} 个{label}）"]
            en[-1:] = [f"{label_en}{named} (no. {n + 1})"]
            so_far += f"[{n}]"
            node = item
            continue
        candidate = f"{so_far}.{key}" if so_far else key
        info = catalogue.field_info(candidate)
        if info is None:  # a key the contract does not have (it may hold dots: cultivated:21.5) ends the path
            rest = path[len(so_far):].lstrip(".")
            zh.append(f"“{shown(rest)}”")
            en.append(repr(rest))
            break
        so_far = candidate
        node = node.get(key) if isinstance(node, dict) else None
        following_is_item = not last and parts[index + 1][1] is not None
        if last or following_is_item or (info.kind == "group" and so_far.startswith("review.")
                                           and so_far.count(".") == 1):
            zh.append(info.label.zh)
            en.append(info.label.en)
    return Text("的 ".join(zh), ": ".join(en))
