"""Human-readable views of a decision and of the rule book (Chinese by default, or English)."""

from __future__ import annotations

from .decision import Decision, area_text
from .rulebook import RuleBook

LEVEL = {
    "zh": {"county": "县级人民政府", "city": "临汾市人民政府", "province": "山西省人民政府", "state_council": "国务院"},
    "en": {"county": "the county government", "city": "Linfen city government",
           "province": "Shanxi provincial government", "state_council": "the State Council"},
}
MODE = {
    "zh": {"authorized": "省政府授权", "entrusted": "省政府委托", "statutory": "法定权限"},
    "en": {"authorized": "authorized by the province", "entrusted": "entrusted by the province",
           "statutory": "statutory power"},
}
STATUS = {
    "zh": {"pass": "通过", "fail": "不通过", "incomplete": "材料不全", "not_applicable": "不适用",
           "done": "已完成", "pending": "待办", "blocked": "受阻"},
    "en": {"pass": "pass", "fail": "FAIL", "incomplete": "incomplete", "not_applicable": "n/a",
           "done": "done", "pending": "pending", "blocked": "blocked"},
}
SEVERITY = {"zh": {"blocking": "阻断", "correctable": "需补正", "warning": "提示"},
            "en": {"blocking": "blocking", "correctable": "correctable", "warning": "warning"}}
WORDS = {
    "zh": {"case": "案件", "as_of": "适用日期", "verdict_yes": "结论：可以批准（各审查事项均通过，无阻断问题）",
           "verdict_no": "结论：暂不能批准", "conversion": "农用地转用", "expropriation": "土地征收",
           "none": "不涉及", "together": "转用与征收由同一机关一并批准", "separate": "征收须另行报批",
           "blocking": "阻断问题", "other": "其他问题", "checks": "审查事项", "workflow": "审批流程",
           "next": "下一步", "remedy": "处理", "basis": "依据", "due": "期限", "ha": "公顷",
           "totals": "面积", "law": "规则版本", "agri": "农用地", "cult": "耕地", "pbf": "永久基本农田", "other_land": "其他土地"},
    "en": {"case": "Case", "as_of": "Law as of", "verdict_yes": "Verdict: APPROVABLE (every review item passes, nothing blocks)",
           "verdict_no": "Verdict: NOT APPROVABLE yet", "conversion": "Conversion", "expropriation": "Expropriation",
           "none": "not involved", "together": "conversion and expropriation are approved together",
           "separate": "the expropriation is filed separately", "blocking": "Blocking findings",
           "other": "Other findings", "checks": "Review items", "workflow": "Workflow", "next": "next step",
           "remedy": "to do", "basis": "basis", "due": "due", "ha": "ha", "totals": "Areas", "law": "Rules",
           "agri": "agricultural", "cult": "cultivated", "pbf": "permanent basic farmland", "other_land": "other land"},
}


def text(decision: Decision, lang: str = "zh") -> str:
    """The verdict first, then what blocks it (with the clause and what to do), then the rest."""
    w = WORDS[lang]
    verdict = w["verdict_yes"] if decision.approvable else w["verdict_no"]
    lines = [f"{verdict}  —  {w['case']} {decision.case}  {decision.county['name']}  "
             f"({w['as_of']} {decision.as_of.isoformat()}, {decision.as_of_source})"]
    findings = [(c.id, f) for c in decision.checks for f in c.findings] + \
               [(s.id, f) for s in decision.steps for f in s.findings]
    blocking = [(i, f) for i, f in findings if f.severity == "blocking"]
    rest = [(i, f) for i, f in findings if f.severity != "blocking"]
    _findings(lines, w["blocking"], blocking, lang)
    for part, entry in (("conversion", decision.conversion), ("expropriation", decision.expropriation)):
        if entry is None:
            lines.append(f"{w[part]}: {w['none']}")
            continue
        lines.append(f"{w[part]}: {LEVEL[lang][entry.level]}（{MODE[lang][entry.mode]}）" if lang == "zh"
                     else f"{w[part]}: {LEVEL[lang][entry.level]} ({MODE[lang][entry.mode]})")
        for reason in entry.reasons:
            lines.append(f"    {reason[lang]}")
        lines.append(f"    {w['basis']}: {'; '.join(entry.citations)}  [{entry.rule}]")
    if decision.conversion and decision.expropriation:
        lines.append(f"    {w['together'] if decision.together else w['separate']}")
    t = decision.totals
    lines.append(f"{w['totals']}: {w['conversion']} {w['agri']} {area_text(t['conversion']['agricultural'])}"
                 f" / {w['expropriation']} {w['cult']} {area_text(t['expropriation']['cultivated'])},"
                 f" {w['other_land']} {area_text(t['expropriation']['other'])},"
                 f" {w['pbf']} {area_text(t['expropriation']['permanent_basic_farmland'])} {w['ha']}")
    _findings(lines, w["other"], rest, lang)
    if decision.checks:
        lines.append(f"{w['checks']}: " + "  ".join(f"{c.id} {STATUS[lang][c.status]}" for c in decision.checks))
    if decision.steps:
        parts = []
        for step in decision.steps:
            due = f" ({w['due']} {step.due.isoformat()})" if step.due else ""
            parts.append(f"{step.id} {STATUS[lang][step.status]}{due}")
        lines.append(f"{w['workflow']}: " + "  ".join(parts) +
                     (f"  → {w['next']} {decision.next_step}" if decision.next_step else ""))
    if decision.law:  # what a stored decision needs to be reproduced with the same rules
        lines.append(f"{w['law']}: landapproval {decision.law['version']}  rules sha256 {decision.law['rules_sha256']}")
    return "\n".join(lines)


def _findings(lines: list[str], title: str, group: list, lang: str) -> None:
    if not group:
        return
    w = WORDS[lang]
    lines.append(f"{title}:")
    for item_id, finding in group:
        lines.append(f"  [{item_id} {SEVERITY[lang][finding.severity]}] {finding.message[lang]}")
        lines.append(f"      {w['basis']}: {finding.citation}  ({finding.code})")
        if finding.remedy:
            lines.append(f"      {w['remedy']}: {finding.remedy[lang]}")


def describe(cond, catalogue: dict) -> str:
    """A condition as a reader would write it: areas in hectares, dates as dates."""
    import datetime as dt
    from decimal import Decimal

    from .conditions import FactRef, Test

    if not isinstance(cond, Test):
        joiner = " and " if type(cond).__name__ == "All" else " or "
        inner = joiner.join(describe(item, catalogue) for item in cond.items)
        return f"({inner})" if len(cond.items) > 1 else inner
    name = cond.fact[:-len(".known")] if cond.fact.endswith(".known") else cond.fact
    if cond.fact.endswith(".known"):
        return f"{name} {'is given' if cond.value else 'is unknown'}"
    value = cond.value
    kind = catalogue.get(name, {}).get("type")
    if isinstance(value, FactRef):
        shown = value.name
    elif kind == "area":
        shown = f"{Decimal(value) / 10000:.4f} ha"
    elif kind == "date":
        shown = dt.date.fromordinal(value).isoformat()
    else:
        shown = str(value).lower() if isinstance(value, bool) else str(value)
    op = {"eq": "=", "ne": "≠", "gt": ">", "gte": "≥", "lt": "<", "lte": "≤"}[cond.op]
    return f"{name} {op} {shown}"


def rule_dict(rule, catalogue: dict | None = None) -> dict:
    from . import rulebook

    catalogue = catalogue if catalogue is not None else rulebook.load().catalogue
    out = {"id": rule.id, "group": rule.group, "citation": str(rule.cite), "text": rule.cite.text,
           "reason": rule.reason, "when": describe(rule.when, catalogue)}
    if rule.outcome is not None or rule.group.startswith("authority."):
        out["then"] = rule.outcome
    if rule.extra.get("severity"):
        out["severity"] = rule.extra["severity"]
    return out


def rule_list(book: RuleBook, lang: str = "zh") -> str:
    lines = []
    for rule in book.rules.values():
        lines.append(f"{rule.id}")
        lines.append(f"  {rule.cite}: {rule.cite.text}")
        lines.append(f"  {rule.reason[lang]}")
        lines.append(f"  when: {describe(rule.when, book.catalogue)}")
    return "\n".join(lines)
