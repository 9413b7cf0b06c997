"""Human-readable views of a decision and of the rule book (Chinese by default, or English)."""

from __future__ import annotations

from .decision import Decision, area_text
from .figures import figures
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
AS_OF_SOURCE = {"zh": {"--as-of": "按指定日期", "today": "按今天"},
                "en": {"--as-of": "as given", "today": "today"}}
WORDS = {
    "zh": {"case": "案件", "as_of": "适用日期", "verdict_yes": "结论：可以批准（各审查事项均通过，无阻断问题）",
           "verdict_no": "结论：暂不能批准", "conversion": "农用地转用", "expropriation": "土地征收",
           "none": "不涉及", "together": "转用与征收由同一机关一并批准", "separate": "征收须另行报批",
           "blocking": "阻断问题", "other": "其他问题", "checks": "审查事项", "workflow": "审批流程",
           "next": "下一步", "remedy": "处理", "basis": "依据", "due": "期限", "ha": "公顷",
           "totals": "面积", "law": "规则版本", "calendar": "采用用户提供的工作日安排", "agri": "农用地", "cult": "耕地", "pbf": "永久基本农田", "other_land": "其他土地",
           "comma": "，", "semicolon": "；", "yes": "是", "no": "否",
           "verdict_short_yes": "可以批准", "verdict_short_no": "暂不能批准", "list": "、", "by": "按{}", "figures": "数据", "missing": "缺少审查材料",
           "appendix": "技术附录", "as_of_field": "适用日期取自", "rules": "审批规则",
           "map_agrees": "地图核对：{n} 个地块已按图层实测，与申报一致",
           "map_disagrees": "地图核对：{n} 个地块已按图层实测，与申报不一致 {k} 处（见上面的问题）",
           "map_no_layers": "地图：已读入 {n} 个地块边界；未给图层（--layers），未与图层核对"},
    "en": {"case": "Case", "as_of": "Law as of", "verdict_yes": "Verdict: APPROVABLE (every review item passes, nothing blocks)",
           "verdict_no": "Verdict: NOT APPROVABLE yet", "conversion": "Conversion", "expropriation": "Expropriation",
           "none": "not involved", "together": "conversion and expropriation are approved together",
           "separate": "the expropriation is filed separately", "blocking": "Blocking findings",
           "other": "Other findings", "checks": "Review items", "workflow": "Workflow", "next": "next step",
           "remedy": "to do", "basis": "basis", "due": "due", "ha": "ha", "totals": "Areas", "law": "Rules",
           "calendar": "Working days counted on a user-supplied schedule",
           "agri": "agricultural", "cult": "cultivated", "pbf": "permanent basic farmland", "other_land": "other land",
           "comma": ", ", "semicolon": "; ", "yes": "yes", "no": "no",
           "verdict_short_yes": "approvable", "verdict_short_no": "not approvable yet", "list": ", ", "by": "from the {}", "figures": "figures",
           "missing": "Evidence missing", "appendix": "Technical appendix", "as_of_field": "date taken from",
           "rules": "deciding rules",
           "map_agrees": "Map: {n} parcels measured against the layers; they agree with the case",
           "map_disagrees": "Map: {n} parcels measured against the layers; {k} differences from the case (see the findings above)",
           "map_no_layers": "Map: {n} parcel boundaries read; no layers given (--layers), nothing compared"},
}


_FILED_WITH = {
    "zh": {True: "结论：可以报批（各审查事项均通过，无阻断问题）——应报{who}批准，市人民政府对本案无审批权",
           False: "结论：暂不能报批——本案应报{who}批准，市人民政府对本案无审批权"},
    "en": {True: "Verdict: READY TO FILE with {who} (every review item passes, nothing blocks); the city holds no approving power here",
           False: "Verdict: NOT READY to file yet; the case is for {who} to approve, the city holds no approving power here"},
}


def verdict(decision: Decision, lang: str = "zh") -> str:
    """The verdict line. Where the city holds neither power (土地管理法 第四十四条、第四十六条; 临政发〔2024〕7号
    三), it never reads as "the city may approve": it names who the case is filed with."""
    w = WORDS[lang]
    levels = [a.level for a in (decision.conversion, decision.expropriation) if a is not None]
    if not levels or "city" in levels:
        return w["verdict_yes"] if decision.approvable else w["verdict_no"]
    who = (w["list"] if lang == "zh" else " and ").join(LEVEL[lang][level] for level in dict.fromkeys(levels))
    return _FILED_WITH[lang][decision.approvable].format(who=who)


def text(decision: Decision, lang: str = "zh") -> str:
    """The verdict first, then what blocks it (with its figures, the clause and what to do), then the
    rest, in the words of the review; codes, field paths and rule ids go to the appendix at the end."""
    w = WORDS[lang]
    lines = [f"{verdict(decision, lang)}  —  {w['case']} {decision.case}  {decision.county['name']}  "
             f"({w['as_of']} {decision.as_of.isoformat()}{w['comma']}{as_of_words(decision, lang)})"]
    for supplied in decision.calendars:
        lines.append(f"{w['calendar']}: {supplied['file']}  ({supplied['source']})")
    findings = all_findings(decision)
    stated = [(item, f) for item, f in findings if not is_missing_evidence(f)]
    _findings(lines, w["blocking"], [(i, f) for i, f in stated if f.severity == "blocking"], lang, decision.as_of)
    for part, entry in (("conversion", decision.conversion), ("expropriation", decision.expropriation)):
        if entry is None:
            lines.append(f"{w[part]}: {w['none']}")
            continue
        lines.append(f"{w[part]}: {authority_words(entry, lang)}")
        for reason in entry.reasons:
            lines.append(f"    {reason[lang]}")
        lines.append(f"    {w['basis']}: {'; '.join(entry.citations)}")
    if decision.conversion and decision.expropriation:
        lines.append(f"    {w['together'] if decision.together else w['separate']}")
    t = decision.totals
    lines.append(f"{w['totals']}: {w['conversion']} {w['agri']} {area_text(t['conversion']['agricultural'])}"
                 f" / {w['expropriation']} {w['cult']} {area_text(t['expropriation']['cultivated'])},"
                 f" {w['other_land']} {area_text(t['expropriation']['other'])},"
                 f" {w['pbf']} {area_text(t['expropriation']['permanent_basic_farmland'])} {w['ha']}")
    _findings(lines, w["other"], [(i, f) for i, f in stated if f.severity != "blocking"], lang, decision.as_of)
    missing = missing_by_item(decision, lang)
    if missing:
        lines.append(f"{w['missing']}:")
        for item, labels in missing:
            lines.append(f"  {item_name(item, lang)}: {w['semicolon'].join(labels)}")
    map_line = map_summary(decision, lang)
    if map_line:
        lines.append(map_line)
        for raw in measurement_findings(decision):
            lines.append(f"  [{SEVERITY[lang].get(raw['severity'], raw['severity'])}] {raw['message_' + lang]}")
            lines.append(f"      {w['basis']}: {raw['citation']}")
            if raw.get("remedy"):
                lines.append(f"      {w['remedy']}: {raw['remedy']}")
    if decision.checks:
        lines.append(f"{w['checks']}: " + checks_summary(decision, lang))
    if decision.steps:
        parts = []
        for step in decision.steps:
            due = f" ({w['due']} {step.due.isoformat()})" if step.due else ""
            parts.append(f"{item_name(step, lang)} {STATUS[lang][step.status]}{due}")
        nxt = next((s for s in decision.steps if s.id == decision.next_step), None)
        lines.append(f"{w['workflow']}: " + w["semicolon"].join(parts) +
                     (f"  → {w['next']} {item_name(nxt, lang)}" if nxt else ""))
    lines.extend(appendix(decision, lang))
    return "\n".join(lines)


def _findings(lines: list[str], title: str, group: list, lang: str, day=None) -> None:
    if not group:
        return
    w = WORDS[lang]
    lines.append(f"{title}:")
    for item, finding in group:
        lines.append(f"  [{item_name(item, lang)} · {SEVERITY[lang][finding.severity]}] {finding.message[lang]}")
        shown = figures(finding, lang, day)
        if shown:
            lines.append(f"      {w['figures']}: {w['semicolon'].join(shown)}")
        lines.append(f"      {w['basis']}: {finding.citation}")
        if finding.remedy:
            lines.append(f"      {w['remedy']}: {finding.remedy[lang]}")


def all_findings(decision: Decision) -> list[tuple]:
    """(check or step, finding) in the order of the review items, then the steps."""
    return [(c, f) for c in decision.checks for f in c.findings] + \
           [(s, f) for s in decision.steps for f in s.findings]


def item_name(item, lang: str) -> str:
    """"C4 严格非农建设占用耕地审查": the id an official cross-references, with its title."""
    return f"{item.id} {item.title[lang]}" if item.title else item.id


def checks_summary(decision: Decision, lang: str) -> str:
    """The items grouped by status, each with its title: 不通过 C4 …；通过 C1 …、C2 …"""
    w = WORDS[lang]
    groups = []
    for status in ("fail", "incomplete", "pass", "not_applicable"):
        items = [item_name(c, lang) for c in decision.checks if c.status == status]
        if items:
            groups.append(f"{STATUS[lang][status]} " + w["list"].join(items))
    return w["semicolon"].join(groups)


def authority_words(entry, lang: str) -> str:
    """临汾市人民政府（省政府授权） / Linfen city government (authorized by the province)."""
    if entry is None:
        return WORDS[lang]["none"]
    if lang == "zh":
        return f"{LEVEL[lang][entry.level]}（{MODE[lang][entry.mode]}）"
    return f"{LEVEL[lang][entry.level]} ({MODE[lang][entry.mode]})"


def as_of_words(decision: Decision, lang: str) -> str:
    """Where the applicable date came from, in words (the field name is in the appendix)."""
    source = decision.as_of_source
    if source in AS_OF_SOURCE[lang]:
        return AS_OF_SOURCE[lang][source]
    from . import rulebook

    catalogue = rulebook.current(decision.as_of).catalogue
    fact = source if source.startswith("workflow.") else f"workflow.{source}"
    return WORDS[lang]["by"].format(catalogue.get(fact, {}).get(lang, source))


def is_missing_evidence(finding) -> bool:
    """A finding that only says a piece of evidence is absent (shown in the missing-evidence list)."""
    return finding.kind == "missing" and ".missing." in finding.code and _missing_fact(finding) is not None


def _missing_fact(finding) -> str | None:
    from . import rulebook

    fact = finding.code.split(".missing.", 1)[1]
    return fact if fact in rulebook.current().catalogue else None


def missing_label(finding, lang: str, day=None) -> str:
    """The evidence a missing-evidence finding names, by its label (是否符合国土空间规划…)."""
    from . import rulebook

    fact = _missing_fact(finding)
    if fact is None:
        return finding.message[lang]
    meta = rulebook.current(day).catalogue[fact]
    if meta.get("type") == "bool":
        return f"是否{meta['zh']}" if lang == "zh" else f"{meta['en']} (yes or no)"
    return meta[lang]


def missing_by_item(decision: Decision, lang: str) -> list[tuple]:
    """[(check or step, [evidence labels])] for the evidence the file does not give."""
    out: dict = {}
    for item, finding in all_findings(decision):
        if is_missing_evidence(finding):
            out.setdefault(item.id, (item, []))[1].append(missing_label(finding, lang, decision.as_of))
    return list(out.values())


def map_findings(decision: Decision) -> list[tuple]:
    """The findings the map produced: its comparisons (on the review items) and its measurements."""
    out = [(item, f) for item, f in all_findings(decision)
           if f.code.startswith(("geo.", "map.")) and not f.code.startswith("map.not_checked.")]
    return out  # (a layer not given is not a disagreement: rules/map.yaml map.not_checked.*)


def measurement_findings(decision: Decision) -> list[dict]:
    """What measuring the boundaries found (a sliver ignored, swapped coordinates …): these belong
    to no review item, so they are listed under the map line."""
    return list((decision.geometry or {}).get("findings") or [])


def map_summary(decision: Decision, lang: str) -> str | None:
    """One line on the map: checked and agrees, or how many findings it raised (listed above)."""
    if not decision.geometry:
        return None
    w = WORDS[lang]
    parcels = decision.geometry.get("parcels", [])
    measured = decision.geometry.get("measured") or {}
    raised = len(map_findings(decision)) + len(measurement_findings(decision))
    count = len(parcels)
    if not measured:
        return w["map_no_layers"].format(n=count)
    if raised:
        return w["map_disagrees"].format(n=count, k=raised)
    return w["map_agrees"].format(n=count)


def appendix(decision: Decision, lang: str) -> list[str]:
    """Technical appendix: the codes, field paths and rule ids behind the words above, and the
    law applied (the last line: what a stored decision needs to be reproduced)."""
    w = WORDS[lang]
    lines = [f"{w['appendix']}:", *(f"  {line}" for line in appendix_entries(decision, lang))]
    if decision.law:
        lines.append(f"  {w['law']}: landapproval {decision.law['version']}  rules sha256 {decision.law['rules_sha256']}")
    return lines


def appendix_entries(decision: Decision, lang: str) -> list[str]:
    """One line each: where the date came from, the deciding rule ids, each finding's code with the
    facts it read or the fields it lacks, and the map's own findings."""
    w = WORDS[lang]
    lines = [f"{w['as_of_field']}: {decision.as_of_source}"]
    rules = [f"{w[part]} {entry.rule}" for part, entry in
             (("conversion", decision.conversion), ("expropriation", decision.expropriation)) if entry]
    if rules:
        lines.append(f"{w['rules']}: " + w["semicolon"].join(rules))
    for item, finding in all_findings(decision):
        detail = f"{item.id} {finding.code}"
        if finding.missing:
            detail += "  ← " + ", ".join(finding.missing)
        elif finding.facts:
            detail += "  (" + ", ".join(f"{k}={_plain_value(v)}" for k, v in finding.facts.items()) + ")"
        lines.append(detail)
    for extra in (decision.geometry or {}).get("findings") or []:
        lines.append(f"map {extra.get('code')}: {extra.get('message_' + lang, '')}")
    return lines


def _plain_value(value) -> str:
    from .decision import _plain

    plain = _plain(value)
    return ",".join(map(str, plain)) if isinstance(plain, list) else str(plain).lower() if isinstance(plain, bool) else str(plain)


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

    catalogue = catalogue if catalogue is not None else rulebook.current().catalogue
    out = {"id": rule.id, "group": rule.group, "citation": str(rule.cite), "text": rule.cite.text,
           "reason": rule.reason, "when": describe(rule.when, catalogue)}
    if rule.outcome is not None or rule.group.startswith("authority."):
        out["then"] = rule.outcome
    if rule.extra.get("severity"):
        out["severity"] = rule.extra["severity"]
    for key in ("item", "adopt"):  # rules/map.yaml: the review item, and what the decision takes from the map
        if rule.extra.get(key):
            out[key] = rule.extra[key]
    return out


def rule_list(book: RuleBook, lang: str = "zh") -> str:
    lines = []
    for rule in book.rules.values():
        lines.append(f"{rule.id}")
        lines.append(f"  {rule.cite}: {rule.cite.text}")
        lines.append(f"  {rule.reason[lang]}")
        lines.append(f"  when: {describe(rule.when, book.catalogue)}")
    return "\n".join(lines)
