"""The decision's words: authorities, statuses, severities and the verdict line, in Chinese and
English. Every surface (text, report, CSV, xlsx, the page) takes its words from here, so a status or
a verdict reads the same everywhere."""

from __future__ import annotations

from landapproval.core.values import Message
from landapproval.decision.model import Authority, Check, Decision, Finding, Step

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


def all_findings(decision: Decision) -> list[tuple[Check | Step, Finding]]:
    """(check or step, finding) in the order of the review items, then the steps."""
    return [(c, f) for c in decision.checks for f in c.findings] + \
           [(s, f) for s in decision.steps for f in s.findings]


def item_name(item: Check | Step, lang: str) -> str:
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


def authority_words(entry: Authority | None, lang: str) -> str:
    """临汾市人民政府（省政府授权） / Linfen city government (authorized by the province)."""
    if entry is None:
        return WORDS[lang]["none"]
    if lang == "zh":
        return f"{LEVEL[lang][entry.level]}（{MODE[lang][entry.mode]}）"
    return f"{LEVEL[lang][entry.level]} ({MODE[lang][entry.mode]})"


def rules_note(decision: Decision, fingerprint: str) -> Message | None:
    """None when `fingerprint` (the rule book a view takes its clause texts from) is the one the
    decision was made under; else the note a view prints: the texts shown are another rule book's
    (the verdict, facts and figures are always the decision's own)."""
    stored = decision.law.get("rules_sha256", "")
    if not stored or stored == fingerprint:
        return None
    return Message(
        f"注意：本决定依据的规则（sha256 {stored[:12]}…）不在手边，条文与说明按现有规则（sha256 {fingerprint[:12]}…）显示；"
        f"结论、事实与数字仍为原决定所存",
        f"Note: the rules this decision was made under (sha256 {stored[:12]}…) are not at hand; clause texts and "
        f"explanations are shown from other rules (sha256 {fingerprint[:12]}…); the verdict, facts and figures "
        f"are those stored with the decision")
