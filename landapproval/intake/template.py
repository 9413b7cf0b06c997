"""`landapproval init`: a complete case-file template, one comment per field, from the catalogue.

Every field of the contract appears in case-file order with a comment above it: what it is, the
values it takes, how to write "none" or "not known", and the clause that needs it. The template is
generated from the law's field catalogue (the models, rules/facts.yaml and the rule book), so a field
added to the contract appears here without an edit. Required fields carry example values marked as
such, so the template validates and evaluates as written; review evidence is null (not given).
"""

from __future__ import annotations

import datetime as dt

from landapproval.law import Law
from landapproval.law.catalogue import Catalogue, FieldInfo
from landapproval.core.errors import check_lang

KINDS = ("batch", "single_site", "village_housing")
_INDENT = "  "

_HEAD = {
    "zh": ["# landapproval/v1 案件文件（由 landapproval init 生成）",
           "# 写法：每行“字段: 值”，冒号为半角并在后面加一个空格；# 之后是说明，可以保留。",
           "# 标“示例值”的必须改为本案数据。审查材料不知道或尚未取得的写 null（视为未提供，该审查事项为“材料不全”，",
           "# 不会被当作“否”）。写好后运行：landapproval validate 本文件.yaml",
           "# 面积一律填公顷（最多 4 位小数），不要填亩；日期写 2024-09-10。"],
    "en": ["# landapproval/v1 case file (written by landapproval init)",
           "# Each line is 'field: value' (a half-width colon and a space); text after # is a comment.",
           "# Replace every value marked 'example' with the case's own. Review evidence you do not have yet",
           "# stays null (not given: the review item is incomplete, never read as false).",
           "# Then run: landapproval validate THIS-FILE.yaml. Areas in hectares (4 decimals), dates 2024-09-10."],
}


def case_template(kind: str = "batch", county: str | None = None, lang: str = "zh",
                  today: dt.date | None = None, *, law: Law | None = None) -> str:
    """The template text. `county` (a name the jurisdiction knows) fills `county` and the id."""
    check_lang(lang)
    if kind not in KINDS:
        raise ValueError(f"kind is one of {', '.join(KINDS)}")
    zh = lang == "zh"
    year = (today or dt.date.today()).year
    values = {
        "schema": "landapproval/v1",
        "id": f"{county or 'XX'}-{year}-001",
        "county": county or "洪洞县",
        "kind": kind,
        "scope.within_construction_scale": "是" if zh else "true",
        "scope.development_zone": "无" if zh else "null",
        "parcels[].id": "P1",
        "parcels[].ownership": "collective",
    }
    lines = list(_HEAD[lang])
    written = {""}
    catalogue = (law or Law.default()).catalogue
    for info in catalogue:
        parent = info.parent.removesuffix("[]")
        if parent not in written:
            continue  # inside a field written as one value (a zone's or a boundary's {…} form: see its comment)
        if info.kind in ("group", "list"):
            written.add(info.path)
        depth = info.path.count(".")
        indent = _INDENT * depth
        key = info.key
        in_list = "[]" in info.path
        first_of_item = in_list and info.path.rsplit("[]", 1)[1].count(".") == 1 and \
            catalogue.children(info.parent)[0].path == info.path
        if in_list and not _item_shown(info.path):
            continue
        lines.append(f"{indent}# {_comment(info, lang, example=info.path in values and info.required)}")
        if in_list and first_of_item:
            indent = indent[:-2] + "- "
        if info.kind in ("group",):
            lines.append(f"{indent}{key}:")
        elif info.kind == "list":
            if info.path == "parcels":
                lines.append(f"{indent}{key}:")
            else:
                lines.append(f"{indent}{key}: null")
                lines.extend(f"{_INDENT * (depth + 1)}# {line}" for line in _item_example(catalogue, info, lang))
        else:
            lines.append(f"{indent}{key}: {_value(info, values, kind, zh)}")
        if in_list and first_of_item:
            indent = indent[:-2] + _INDENT
    return "\n".join(lines) + "\n"


def _item_shown(path: str) -> bool:
    """Items of parcels are written out (one parcel); items of the evidence lists are commented examples."""
    return path.startswith("parcels[]")


def _value(info: FieldInfo, values: dict[str, str], kind: str, zh: bool) -> str:
    if info.path in values:
        return values[info.path]
    if info.path == "parcels[].expropriate":
        return "null"
    if info.kind == "area" and info.default is not None:
        return "0"
    return "null"


def _comment(info: FieldInfo, lang: str, example: bool) -> str:
    zh = lang == "zh"
    parts = [info.label(lang) + ("（必填）" if zh and info.required else " (required)" if info.required else "")]
    help_text = info.help(lang)
    if help_text:
        parts.append(help_text)
    if len(info.choices) > 1 and "可选" not in help_text and "one of" not in help_text:
        parts.append(("可选：" if zh else "one of: ") + ("、" if zh else ", ").join(
            f"{c.value}（{c.name.zh}）" if zh else f"{c.value} ({c.name.en})" for c in info.choices))
    none = info.none(lang)
    if not info.required and info.kind not in ("group",) and none not in help_text:
        parts.append(none)
    if info.clauses:
        items = f"（{'、'.join(info.items)}）" if zh and info.items else f" ({', '.join(info.items)})" if info.items else ""
        parts.append(("依据：" if zh else "needed by: ") + clauses_text(info.clauses, lang) + items)
    if example:
        parts.append("示例值，请改为本案数据" if zh else "example: replace with the case's own")
    return ("。" if zh else ". ").join(p.rstrip("。.") for p in parts if p)


def clauses_text(clauses: tuple[str, ...], lang: str = "zh") -> str:
    """('临政发〔2024〕7号 五(一)', '临政发〔2024〕7号 五(二)') → '临政发〔2024〕7号 五(一)、五(二)'."""
    by_doc: dict[str, list[str]] = {}
    for clause in clauses:
        doc, _, section = clause.partition(" ")
        listed = by_doc.setdefault(doc, [])
        for part in section.split("、"):  # 五(一)、五(二) cited by two items is said once
            if part not in listed:
                listed.append(part)
    sep = "、" if lang == "zh" else ", "
    return ("；" if lang == "zh" else "; ").join(f"{doc} {sep.join(s for s in sections if s)}".strip()
                                                for doc, sections in by_doc.items())


def _item_example(catalogue: Catalogue, info: FieldInfo, lang: str) -> list[str]:
    """A commented example item of an evidence list, e.g. '- name: 某县饮用水水源保护区'."""
    zh = lang == "zh"
    rows = []
    for index, child in enumerate(catalogue.children(info.path + "[]")):
        value = child.example or ("是" if zh else "true") if child.kind == "bool" else child.example or "…"
        rows.append(("- " if index == 0 else "  ") + f"{child.key}: {value}")
    head = "例如：" if zh else "for example:"
    return [head] + rows
