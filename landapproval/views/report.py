"""Printable views: the HTML decision report and the rule book (Markdown or HTML).

Both are self-contained (inline CSS, inline SVG map), so a report opens offline and prints
cleanly. Templates live in landapproval/templates/.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from landapproval.decision.figures import enum_label
from landapproval.decision.model import LAND_CLASSES, Check, Decision, Finding, Step, area_text, land_by_class
from landapproval.decision.words import (LEVEL, MODE, SEVERITY, STATUS, WORDS, all_findings, deciding_facts, item_name,
                                         level_name, mode_name, next_words, rules_note, verdict)
from landapproval.law import Law
from landapproval.law.types import Citation, Rule
from landapproval.views import text as render
from landapproval.views.text import describe

if TYPE_CHECKING:
    import jinja2

_EXTRA = {
    "zh": {"title": "建设用地审查意见", "authority": "审批机关", "part": "事项", "approver": "批准机关", "why": "理由与依据",
           "item": "审查事项", "status": "结论", "findings": "问题", "map": "地块与图层", "trail": "触发的规则",
           "rulebook": "临汾市承接用地审批权规则手册", "when": "条件", "then": "结果", "severity": "严重程度",
           "parameters": "参数（按施行日期）", "parameter": "参数", "from": "施行日期", "value": "取值", "reference": "依据", "unless": "除非上面的规则已适用（按顺序取第一条）",
           "intro": "每条规则与其所编码的条文并列，按临政发〔2024〕7号的章节分组；未下放的事项按国家法律列出。",
           "statutory": "国家法律（未下放的审批权）",
           "doc_no": "文号", "case_id": "案件编号", "county": "县（市、区）", "kind": "用地类型", "generated": "生成日期",
           "fingerprint": "规则文件指纹", "calendar": "用户提供的工作日安排", "parcels": "地块", "parcel": "地块编号", "ownership": "权属",
           "expropriate": "征收", "total": "合计", "measured_area": "实测面积", "unit_note": "面积单位：公顷。",
           "opinion": "审查意见签署", "handler": "经办人", "reviewer": "审核人", "date": "日期", "seal": "签章",
           "date_blank": "　　年　　月　　日", "missing_count": "缺少审查材料 {n} 项（见上）",
           "appendix_note": "供技术人员核对：适用日期取自的字段、审批规则编号、问题代码及其读取的事实或缺少的字段。", "colon": "：", "lp": "（", "rp": "）", "gap": "　"},
    "en": {"title": "Land approval review opinion", "authority": "Approving authority", "part": "Part",
           "approver": "Approves", "why": "Why, and the clause", "item": "Review item", "status": "Status",
           "findings": "Findings", "map": "Parcels and layers", "trail": "Rules fired",
           "rulebook": "Linfen land-approval rule book", "when": "when", "then": "then", "severity": "severity",
           "parameters": "Parameters (by date in force)", "parameter": "parameter", "from": "from", "value": "value",
           "reference": "reference", "unless": "unless a rule above applies (the first that applies decides)",
           "intro": "Every rule beside the clause it encodes, grouped by section of 临政发〔2024〕7号; powers that stay where national law puts them are listed under it.",
           "statutory": "National law (powers not delegated)",
           "doc_no": "Document no.", "case_id": "Case", "county": "County", "kind": "Kind", "generated": "Generated on",
           "fingerprint": "rules fingerprint", "calendar": "user-supplied working-day schedule", "parcels": "Parcels", "parcel": "Parcel", "ownership": "Ownership",
           "expropriate": "Expropr.", "total": "Total", "measured_area": "Measured area",
           "unit_note": "Areas in hectares.", "opinion": "Signatures", "handler": "Prepared by",
           "reviewer": "Reviewed by", "date": "Date", "seal": "Seal", "date_blank": "",
           "missing_count": "{n} pieces of evidence missing (see above)",
           "appendix_note": "For technical checking: the field the date was taken from, the deciding rule ids, each finding's code with the facts it read or the fields it lacks.", "colon": ": ", "lp": " (", "rp": ")", "gap": "  "},
}
_CLASS_NAMES = {"zh": {"permanent_basic_farmland": "永久基本农田", "cultivated": "耕地", "other_agricultural": "其他农用地",
                       "construction": "建设用地", "unused": "未利用地"},
                "en": {"permanent_basic_farmland": "permanent basic farmland", "cultivated": "cultivated",
                       "other_agricultural": "other agricultural", "construction": "construction", "unused": "unused"}}


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    import jinja2  # only the report commands need it

    return jinja2.Environment(loader=jinja2.PackageLoader("landapproval.views", "templates"),
                              autoescape=jinja2.select_autoescape(["html", "html.j2"]),
                              trim_blocks=True, lstrip_blocks=True)


def html_report(decision: Decision, lang: str = "zh", title: str | None = None, svg: str | None = None,
                generated: dt.date | None = None, *, law: Law | None = None, appendix: bool = False) -> str:
    """The printable 审查意见 (A4): who approves and why (with the deciding facts), the findings with
    their figures, the evidence still missing by its name, blanks to sign kept with the last section;
    the case number and 第 X 页 / 共 Y 页 on every printed page (CSS page margin boxes); codes, field
    paths and rule ids only in the technical appendix (`appendix=True`)."""
    law = law or Law.default()
    book = law.as_of(decision.as_of)
    words = {**WORDS[lang], **_EXTRA[lang]}
    authorities = []
    for part, entry in (("conversion", decision.conversion), ("expropriation", decision.expropriation)):
        rule_id = entry.rule if entry else next((r for r in decision.fired if r == f"{part}.none"), None)
        authorities.append((part, entry, book.rules.get(rule_id) if rule_id else None))
    totals = {part: {k: area_text(v) for k, v in values.items()} for part, values in decision.totals.items()}
    def is_missing(finding: Finding) -> bool:
        return render.is_missing_evidence(finding, book)

    stated = [(item, f) for item, f in all_findings(decision) if not is_missing(f)]
    shown = [(item_name(i, lang), f, list(f.figures.get(lang, ()))) for i, f in stated]
    groups = [(words["blocking"], [entry for entry in shown if entry[1].severity == "blocking"]),
              (words["other"], [entry for entry in shown if entry[1].severity != "blocking"])]
    items: tuple[Check | Step, ...] = (*decision.checks, *decision.steps)
    environment = _environment()
    return environment.get_template("report.html.j2").render(
        d=decision, lang=lang, w=words, title=title, svg=svg, authorities=authorities, totals=totals,
        verdict=verdict(decision, lang), level=LEVEL[lang], mode=MODE[lang],
        level_name=lambda lv: level_name(lv, lang, decision.county["name"]), mode_name=lambda e: mode_name(e, lang), status=STATUS[lang], severity=SEVERITY[lang],
        together_cite=str(Citation.parse(book.together["cite"], "together")),
        kind=enum_label("case.kind", decision.facts.get("case.kind", ""), book.catalogue, law.catalogue, lang),
        as_of_words=render.as_of_words(decision, lang, book), generated=(generated or dt.date.today()).isoformat(),
        classes=LAND_CLASSES, class_names=_CLASS_NAMES[lang], **_parcel_rows(decision, words, lang, law),
        finding_groups=groups, missing=render.missing_by_item(decision, lang, book),
        item_names={i.id: item_name(i, lang) for i in items},
        is_missing=is_missing, missing_count={c.id: sum(map(is_missing, c.findings)) for c in decision.checks},
        map_line=render.map_summary(decision, lang),
        measured_findings=render.measurement_findings(decision),
        appendix=render.appendix_entries(decision, lang), show_appendix=appendix,
        deciding=deciding_facts(decision, lang), next_words=next_words(decision, lang),
        page_case=_css_string(f"{words['case_id']}{words['colon']}{decision.case}"),
        page_of=_PAGE_OF[lang],
        rules_note=(note[lang] if (note := rules_note(decision, law.fingerprint)) else None))


# 第 X 页 / 共 Y 页 in the page margin (CSS paged media; `content` outside the quotes is CSS)
_PAGE_OF = {"zh": '第 " counter(page) " 页 / 共 " counter(pages) " 页',
            "en": 'page " counter(page) " / " counter(pages) "'}


def _css_string(text: str) -> str:
    """Text inside a CSS double-quoted string (the template's `content: "…"`)."""
    return "".join(f"\\{ord(ch):x} " if ch in '"\\<>&' or ord(ch) < 32 else ch for ch in text)


def _parcel_rows(decision: Decision, words: dict[str, str], lang: str, law: Law) -> dict[str, Any]:
    """The parcel table: each parcel's land by class, the totals, and the measured area where the
    case has a boundary."""
    rows = []
    for parcel in decision.parcels:
        land = parcel["land"]
        rows.append({"id": parcel["id"], "ownership": law.catalogue.value_name("parcels[].ownership", parcel["ownership"], lang),
                     "expropriate": words["yes"] if parcel["expropriate"] else words["no"],
                     "land": {k: area_text(land[k]) for k in LAND_CLASSES},
                     "total": area_text(sum(land.values(), Decimal(0)))})
    by_class = land_by_class(decision)
    parcel_totals = {k: area_text(v) for k, v in by_class.items()}
    parcel_totals["total"] = area_text(sum(by_class.values(), Decimal(0)))
    measured = {p["id"]: p["area_plane"] for p in (decision.geometry or {}).get("parcels", [])}
    return {"parcels": rows, "parcel_totals": parcel_totals, "measured_area": measured}


def _section(rule: Rule) -> tuple[int, str]:
    """Group by the clause of 临政发〔2024〕7号 a rule encodes; national-law rules come last."""
    clause = rule.cite.clause if rule.cite.doc.startswith("临政发") else ""
    item_clause = {"C": "四", "S": "五"}.get(rule.group[:1])
    if not clause and item_clause:
        clause = rule.group  # a finding citing national law still belongs to its review item
    order = ["三", "四", "五", "六", "七", "C", "S"]
    head = clause[:1]
    return (order.index(head) if head in order else len(order)), clause


def rulebook_text(fmt: str = "md", lang: str = "zh", *, law: Law | None = None) -> str:
    book = (law or Law.default()).as_of()
    words = {**WORDS[lang], **_EXTRA[lang], "title": _EXTRA[lang]["rulebook"]}
    sections: dict[tuple[int, str], dict[str, Any]] = {}  # by (part, clause or item): heading, rules
    for rule in book.rules.values():
        rank, clause = _section(rule)
        if rule.group.startswith(("C", "S")):
            item = next(i for i in book.checks + book.steps if i.id == rule.group)
            heading = f"{item.cite} {item.title[lang]} ({item.id})"
            key = (1, item.id)
        elif rule.cite.doc.startswith("临政发"):
            heading, key = f"{rule.cite.doc} {clause}", (0, clause)
        else:
            heading, key = words["statutory"], (2, "")
        section = sections.setdefault(key, {"heading": heading, "rules": []})
        table = book.tables.get(rule.group.split(".", 1)[1]) if rule.group.startswith("authority.") else None
        above = [r.id for r in table.rules[:table.rules.index(rule)]] if table else []
        section["rules"].append({
            "id": rule.id, "cite": rule.cite, "reason": rule.reason, "when_text": describe(rule.when, book.catalogue),
            "unless": above,
            "outcome": rule.outcome, "severity": rule.extra.get("severity") if rule.extra else None})
    parameters = [
        {"name": name, "start": value.start.isoformat(), "value": value.value, "reference": value.reference}
        for name, values in book.parameters.items() for value in values]
    template = "rulebook.md.j2" if fmt == "md" else "rulebook.html.j2"
    return _environment().get_template(template).render(
        w=words, lang=lang, sections=[sections[k] for k in sorted(sections)], parameters=parameters)
