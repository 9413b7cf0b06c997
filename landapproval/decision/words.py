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
# Who authorised an `authorized` power: the province authorised the city and the county (三(一));
# the State Council authorised the province (国发〔2020〕4号, outside the construction-land scale).
AUTHORIZED_BY = {"zh": {"province": "国务院授权"}, "en": {"province": "authorized by the State Council"}}
# Where the applicable date came from, and the rule that chose it (docs/case-file.md "The law on which day")
AS_OF_SOURCE = {"zh": {"--as-of": "按指定的评估日期（本案未记载审批行为的日期，按评估之日的法律）",
                       "today": "按今天（本案未记载审批行为的日期，按评估之日的法律）",
                       "workflow.decided_on": "按市政府审定日期（审批行为之日的法律）",
                       "workflow.county_approved_on": "按县级人民政府批准日期（审批行为之日的法律）",
                       "workflow.approval_issued_on": "按印发批复日期（审定日期未记载，批复之日已作出批准）",
                       "workflow.reviewed_on": "按会审日期（审定日期未记载，审定不早于会审）"},
                "en": {"--as-of": "the evaluation day given (no approving act on file: the law of the day of evaluation)",
                       "today": "today (no approving act on file: the law of the day of evaluation)",
                       "workflow.decided_on": "the city government's decision (the law on the day of the approving act)",
                       "workflow.county_approved_on": "the county government's approval (the law on the day of the approving act)",
                       "workflow.approval_issued_on": "the day the approval was issued (the decision's day is not on file; it was made by then)",
                       "workflow.reviewed_on": "the joint review (the decision's day is not on file; it cannot precede the review)"}}
WORDS = {
    "zh": {"case": "案件", "as_of": "适用日期", "verdict_yes": "结论：可以批准（各审查事项均通过，无阻断问题）",
           "verdict_no": "结论：暂不能批准", "verdict_nothing": "结论：本案不涉及农用地转用或土地征收审批",
           "verdict_nothing_blocked": "结论：本案不涉及农用地转用或土地征收审批（另有阻断问题，见下）", "conversion": "农用地转用", "expropriation": "土地征收",
           "none": "不涉及", "together": "转用与征收由同一机关一并批准", "separate": "征收须另行报批",
           "blocking": "阻断问题", "other": "其他问题", "checks": "审查事项", "workflow": "审批流程",
           "next": "下一步", "remedy": "处理", "basis": "依据", "due": "期限", "ha": "公顷",
           "totals": "面积", "law": "规则版本", "calendar": "采用用户提供的工作日安排", "agri": "农用地", "cult": "耕地", "pbf": "永久基本农田", "other_land": "其他土地",
           "comma": "，", "semicolon": "；", "yes": "是", "no": "否",
           "verdict_short_yes": "可以批准", "verdict_short_no": "暂不能批准", "verdict_short_nothing": "不涉及转用征收审批", "list": "、", "by": "按{}", "figures": "数据", "missing": "缺少审查材料",
           "appendix": "技术附录", "as_of_field": "适用日期取自", "rules": "审批规则",
           "map_agrees": "地图核对：{n} 个地块已按图层实测，与申报一致",
           "map_disagrees": "地图核对：{n} 个地块已按图层实测，与申报不一致 {k} 处（见上面的问题）",
           "map_no_layers": "地图：已读入 {n} 个地块边界；未给图层（--layers），未与图层核对"},
    "en": {"case": "Case", "as_of": "Law as of", "verdict_yes": "Verdict: APPROVABLE (every review item passes, nothing blocks)",
           "verdict_no": "Verdict: NOT APPROVABLE yet",
           "verdict_nothing": "Verdict: the case involves no approval of a conversion of agricultural land or of an expropriation",
           "verdict_nothing_blocked": "Verdict: the case involves no approval of a conversion or an expropriation (blocking findings below)",
           "conversion": "Conversion", "expropriation": "Expropriation",
           "none": "not involved", "together": "conversion and expropriation are approved together",
           "separate": "the expropriation is filed separately", "blocking": "Blocking findings",
           "other": "Other findings", "checks": "Review items", "workflow": "Workflow", "next": "next step",
           "remedy": "to do", "basis": "basis", "due": "due", "ha": "ha", "totals": "Areas", "law": "Rules",
           "calendar": "Working days counted on a user-supplied schedule",
           "agri": "agricultural", "cult": "cultivated", "pbf": "permanent basic farmland", "other_land": "other land",
           "comma": ", ", "semicolon": "; ", "yes": "yes", "no": "no",
           "verdict_short_yes": "approvable", "verdict_short_no": "not approvable yet", "verdict_short_nothing": "nothing to approve", "list": ", ", "by": "from the {}", "figures": "figures",
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
    if not levels:  # nothing to approve (土地管理法 第四十四条第一款、第四十六条)
        return w["verdict_nothing"] if not decision.blocking else w["verdict_nothing_blocked"]
    if "city" in levels:
        return w["verdict_yes"] if decision.approvable else w["verdict_no"]
    county = (decision.county or {}).get("name")
    who = (w["list"] if lang == "zh" else " and ").join(level_name(level, lang, county) for level in dict.fromkeys(levels))
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


def level_name(level: str, lang: str, county: str | None = None) -> str:
    """The approving government by name: 翼城县人民政府 for a county (三(一) ¶2), else LEVEL."""
    if level == "county" and county:
        return f"{county}人民政府" if lang == "zh" else f"the {county} government"
    return LEVEL[lang][level]


def mode_name(entry: Authority, lang: str) -> str:
    """省政府授权 / 省政府委托 / 法定权限, and 国务院授权 for the province's authorised power."""
    if entry.mode == "authorized" and entry.level in AUTHORIZED_BY[lang]:
        return AUTHORIZED_BY[lang][entry.level]
    return MODE[lang][entry.mode]


def authority_words(entry: Authority | None, lang: str, county: str | None = None) -> str:
    """临汾市人民政府（省政府授权） / Linfen city government (authorized by the province); a county by its
    name (翼城县人民政府（省政府授权）), the province's authorised power as 国务院授权."""
    if entry is None:
        return WORDS[lang]["none"]
    if lang == "zh":
        return f"{level_name(entry.level, lang, county)}（{mode_name(entry, lang)}）"
    return f"{level_name(entry.level, lang, county)} ({mode_name(entry, lang)})"


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
