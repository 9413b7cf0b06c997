"""Printable views: the HTML decision report and the rule book (Markdown or HTML).

Both are self-contained (inline CSS, inline SVG map), so a report opens offline and prints
cleanly. Templates live in landapproval/templates/.
"""

from __future__ import annotations

from functools import lru_cache

from . import rulebook
from .decision import Decision, area_text
from .jurisdiction import read_rule_file
from .render import LEVEL, MODE, SEVERITY, STATUS, WORDS, describe

_EXTRA = {
    "zh": {"title": "用地审批审查报告", "authority": "审批机关", "part": "事项", "approver": "批准机关", "why": "理由与依据",
           "item": "审查事项", "status": "结论", "findings": "问题", "map": "地块与图层", "trail": "触发的规则",
           "rulebook": "临汾市承接用地审批权规则手册", "when": "条件", "then": "结果", "severity": "严重程度",
           "parameters": "参数（按施行日期）", "parameter": "参数", "from": "施行日期", "value": "取值", "reference": "依据", "unless": "除非上面的规则已适用（按顺序取第一条）",
           "intro": "每条规则与其所编码的条文并列，按临政发〔2024〕7号的章节分组；未下放的事项按国家法律列出。",
           "statutory": "国家法律（未下放的审批权）"},
    "en": {"title": "Land approval review report", "authority": "Approving authority", "part": "Part",
           "approver": "Approves", "why": "Why, and the clause", "item": "Review item", "status": "Status",
           "findings": "Findings", "map": "Parcels and layers", "trail": "Rules fired",
           "rulebook": "Linfen land-approval rule book", "when": "when", "then": "then", "severity": "severity",
           "parameters": "Parameters (by date in force)", "parameter": "parameter", "from": "from", "value": "value",
           "reference": "reference", "unless": "unless a rule above applies (the first that applies decides)",
           "intro": "Every rule beside the clause it encodes, grouped by section of 临政发〔2024〕7号; powers that stay where national law puts them are listed under it.",
           "statutory": "National law (powers not delegated)"},
}


@lru_cache(maxsize=1)
def _environment():
    import jinja2  # only the report commands need it

    return jinja2.Environment(loader=jinja2.PackageLoader("landapproval", "templates"),
                              autoescape=jinja2.select_autoescape(["html", "html.j2"]),
                              trim_blocks=True, lstrip_blocks=True)


def html_report(decision: Decision, lang: str = "zh", title: str | None = None, svg: str | None = None) -> str:
    book = rulebook.load()
    words = {**WORDS[lang], **_EXTRA[lang]}
    authorities = []
    for part, entry in (("conversion", decision.conversion), ("expropriation", decision.expropriation)):
        rule_id = entry.rule if entry else next((r for r in decision.fired if r == f"{part}.none"), None)
        authorities.append((part, entry, book.rules.get(rule_id) if rule_id else None))
    totals = {part: {k: area_text(v) for k, v in values.items()} for part, values in decision.totals.items()}
    return _environment().get_template("report.html.j2").render(
        d=decision, lang=lang, w=words, title=title, svg=svg, authorities=authorities, totals=totals,
        level=LEVEL[lang], mode=MODE[lang], status=STATUS[lang], severity=SEVERITY[lang],
        together_cite=str(rulebook.Citation.parse(book.together["cite"], "together")))


def _section(rule: rulebook.Rule) -> tuple[int, str]:
    """Group by the clause of 临政发〔2024〕7号 a rule encodes; national-law rules come last."""
    clause = rule.cite.clause if rule.cite.doc.startswith("临政发") else ""
    item_clause = {"C": "四", "S": "五"}.get(rule.group[:1])
    if not clause and item_clause:
        clause = rule.group  # a finding citing national law still belongs to its review item
    order = ["三", "四", "五", "六", "七", "C", "S"]
    head = clause[:1]
    return (order.index(head) if head in order else len(order)), clause


def rulebook_text(fmt: str = "md", lang: str = "zh") -> str:
    book = rulebook.load()
    words = {**WORDS[lang], **_EXTRA[lang], "title": _EXTRA[lang]["rulebook"]}
    sections: dict[str, dict] = {}
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
        for name, values in _parameters().items() for value in values]
    template = "rulebook.md.j2" if fmt == "md" else "rulebook.html.j2"
    return _environment().get_template(template).render(
        w=words, lang=lang, sections=[sections[k] for k in sorted(sections)], parameters=parameters)


def _parameters():
    from .jurisdiction import Jurisdiction

    return Jurisdiction._read_parameters(read_rule_file("parameters.yaml"))
