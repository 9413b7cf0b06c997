"""The decision's words: authorities, statuses, severities and the verdict line, in Chinese and
English. Every surface (text, report, CSV, xlsx, the page) takes its words from here, so a status or
a verdict reads the same everywhere."""

from __future__ import annotations

from decimal import Decimal

from landapproval.core.values import Message
from landapproval.decision.model import Authority, Check, Decision, Finding, Step, area_text

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
           "appendix": "技术附录", "deciding": "认定事实", "as_of_field": "适用日期取自", "rules": "审批规则",
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
           "missing": "Evidence missing", "appendix": "Technical appendix", "deciding": "deciding facts", "as_of_field": "date taken from",
           "rules": "deciding rules",
           "map_agrees": "Map: {n} parcels measured against the layers; they agree with the case",
           "map_disagrees": "Map: {n} parcels measured against the layers; {k} differences from the case (see the findings above)",
           "map_no_layers": "Map: {n} parcel boundaries read; no layers given (--layers), nothing compared"},
}


# Whose approval the tool's users hold: the city (临政发〔2024〕7号 三) and, for rural housing, the county.
USER_LEVELS = ("city", "county")
_VERDICT = {
    "zh": {"approve": "可以批准", "file": "可以报批", "hold": "暂不能批准", "dash": "——", "to": "应报{who}批准",
           "part_to": "{part}应报{who}批准", "part_by": "{part}由{who}批准", "no_power": "市人民政府对本案无审批权",
           "clean": "各审查事项均通过，无阻断问题", "needs": "待解决：{items}", "lp": "（", "rp": "）",
           "next_fix": "解决上述问题后重新审查", "catch_up": "（后面的步骤已记录完成，本步骤尚缺日期或材料，请补记）", "next_file": "报{who}批准", "next_done": "各步骤均已完成，无待办步骤"},
    "en": {"approve": "approvable", "file": "ready to file", "hold": "not approvable yet", "dash": " — ",
           "to": "to be approved by {who}", "part_to": "{part} to be approved by {who}",
           "part_by": "{part} approved by {who}", "no_power": "the city holds no approving power here",
           "clean": "every review item passes, nothing blocks", "needs": "to resolve: {items}", "lp": " (", "rp": ")",
           "next_fix": "resolve the items above, then review again",
           "catch_up": " (later steps are recorded as done; this one still lacks its dates or evidence: record them)", "next_file": "file with {who}",
           "next_done": "every step is done; nothing pending"},
}


def _parts(decision: Decision) -> list[tuple[str, str]]:
    return [(part, entry.level) for part, entry in (("conversion", decision.conversion),
                                                      ("expropriation", decision.expropriation)) if entry is not None]


def _above(decision: Decision, lang: str) -> str:
    """Who the case is filed with, when the tool's users cannot approve all of it: 国务院 / 土地征收应报国务院批准."""
    v, w = _VERDICT[lang], WORDS[lang]
    parts = _parts(decision)
    above = [(part, level) for part, level in parts if level not in USER_LEVELS]
    if not above:
        return ""
    if len(above) == len(parts):
        who = w["list"].join(dict.fromkeys(LEVEL[lang][level] for _, level in above))
        return v["to"].format(who=who)
    said = [v["part_to"].format(part=w[part], who=LEVEL[lang][level]) for part, level in above]
    said += [v["part_by"].format(part=w[part], who=LEVEL[lang][level]) for part, level in parts if level in USER_LEVELS]
    return w["comma"].join(said)


def open_items(decision: Decision, lang: str, *, short: bool = False) -> list[str]:
    """What keeps a case from approval, by item: the review items not passed or with a blocking
    finding (C4 严格非农建设占用耕地审查（不通过）), then a step with a blocking finding. Short: by
    status, ids only (C1、C2 材料不全), for a table cell or many items."""
    v = _VERDICT[lang]
    entries: list[tuple[Check | Step, str]] = [(item, STATUS[lang][item.status]) for item in decision.checks
               if item.status in ("fail", "incomplete") or any(f.severity == "blocking" for f in item.findings)]
    entries += [(step, SEVERITY[lang]["blocking"] if any(f.severity == "blocking" for f in step.findings)
                 else STATUS[lang][step.status]) for step in decision.steps
                if step.status == "blocked" or any(f.severity == "blocking" for f in step.findings)]
    if not short and len(entries) <= 3:
        return [f"{item_name(item, lang)}{v['lp']}{said}{v['rp']}" for item, said in entries]
    groups: dict[str, list[str]] = {}
    for item, said in entries:
        groups.setdefault(said, []).append(item.id)
    return [WORDS[lang]["list"].join(ids) + " " + said for said, ids in groups.items()]


def verdict_kind(decision: Decision) -> str:
    """approve (the city or the county may approve it now) | file (ready, for a higher authority) | hold."""
    if not decision.approvable:
        return "hold"
    return "file" if any(level not in USER_LEVELS for _, level in _parts(decision)) else "approve"


def verdict_short(decision: Decision, lang: str = "zh") -> str:
    """The verdict in a table cell or the page's heading: 可以批准 only when the city (the county for
    rural housing) may approve the whole case now; else 可以报批——应报国务院批准, or 暂不能批准——the items."""
    v = _VERDICT[lang]
    if not _parts(decision):  # nothing to approve: neither a conversion nor an expropriation
        return WORDS[lang]["verdict_short_nothing"]
    above = _above(decision, lang)
    if decision.approvable:
        return v["approve"] if not above else v["file"] + v["dash"] + above
    items = open_items(decision, lang, short=True)
    text = v["hold"] + (v["dash"] + WORDS[lang]["list"].join(items) if items else "")
    return text + (v["lp"] + above + v["rp"] if above else "")


def verdict(decision: Decision, lang: str = "zh") -> str:
    """The verdict line. Where the city holds neither power (土地管理法 第四十四条、第四十六条; 临政发〔2024〕7号
    三), it never reads as "the city may approve": it names who the case is filed with."""
    w, v = WORDS[lang], _VERDICT[lang]
    if not _parts(decision):  # nothing to approve (土地管理法 第四十四条第一款、第四十六条)
        return w["verdict_nothing"] if not decision.blocking else w["verdict_nothing_blocked"]
    above = _above(decision, lang)
    if not _parts(decision) or not above:
        if decision.approvable:
            return w["verdict_yes"]
        items = open_items(decision, lang)
        return w["verdict_no"] + (v["dash"] + v["needs"].format(items=w["list"].join(items)) if items else "")
    lead = "结论：" if lang == "zh" else "Verdict: "
    if all(level not in USER_LEVELS for _, level in _parts(decision)):
        above += w["comma"] + v["no_power"]
    if decision.approvable:
        return f"{lead}{v['file']}{v['dash']}{above}{v['lp']}{v['clean']}{v['rp']}"
    items = open_items(decision, lang)
    return (f"{lead}{v['hold']}" + (v["dash"] + v["needs"].format(items=w["list"].join(items)) if items else "")
            + f"{w['semicolon']}{above}")


def next_words(decision: Decision, lang: str = "zh") -> str:
    """下一步, never blank: the next step of the workflow, else what the official does now."""
    v = _VERDICT[lang]
    step = next((s for s in decision.steps if s.id == decision.next_step), None)
    if step is not None:
        later = decision.steps[decision.steps.index(step) + 1:]
        if any(s.status == "done" for s in later):   # S1 待办 while S2 已完成: say why S1 comes next
            return item_name(step, lang) + v["catch_up"]
        return item_name(step, lang)
    if not decision.approvable:
        return v["next_fix"]
    above = [LEVEL[lang][level] for _, level in _parts(decision) if level not in USER_LEVELS]
    if above:
        return v["next_file"].format(who=WORDS[lang]["list"].join(dict.fromkeys(above)))
    return v["next_done"]


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


_FACTS = {
    "zh": {"county": "县（市、区）：{name}（{code}）", "delegated": "属临政发〔2024〕7号 三 承接范围",
           "not_delegated": "不在临政发〔2024〕7号 三 承接范围内", "before": "适用日期早于下放施行之日",
           "zone": "开发区：{name}，{level}（级别{source}）", "no_zone": "开发区：不在开发区（示范区）内",
           "scale": "位于国土空间规划确定的建设用地规模范围内：{yes}",
           "cultivated": "征收耕地 {area} 公顷 {op} {limit} 公顷", "other": "征收其他土地 {area} 公顷 {op} {limit} 公顷",
           "pbf": "涉及永久基本农田 {area} 公顷", "kind": "用地类型：{kind}",
           "declared": "由案件申报", "listed": "取自开发区名录，见于国家标准", "reported": "取自开发区名录，据公开报道",
           "inferred": "取自开发区名录，据统计推断", "uncertain": "取自开发区名录，尚待核实"},
    "en": {"county": "county: {name} ({code})", "delegated": "within the delegation of 临政发〔2024〕7号 三",
           "not_delegated": "outside the delegation of 临政发〔2024〕7号 三", "before": "law applied before the delegation took effect",
           "zone": "development zone: {name}, {level} (level {source})", "no_zone": "development zone: none",
           "scale": "inside the plan's construction-land scale: {yes}",
           "cultivated": "cultivated land expropriated {area} ha {op} {limit} ha",
           "other": "other land expropriated {area} ha {op} {limit} ha", "pbf": "permanent basic farmland {area} ha",
           "kind": "kind: {kind}",
           "declared": "as declared in the case", "listed": "from the zone list, in the national standard",
           "reported": "from the zone list, as reported", "inferred": "from the zone list, inferred",
           "uncertain": "from the zone list, to be confirmed"},
}


def deciding_facts(decision: Decision, lang: str = "zh") -> list[str]:
    """The facts that decided who approves, in words, for the authority section of every surface:
    the county and whether it is in the delegation, the development zone with its level and where
    that level comes from, the construction-land scale, and the areas against the thresholds
    (征收耕地 40.0000 公顷 > 35 公顷)."""
    from landapproval.contract.words import label_data

    v, w = _FACTS[lang], WORDS[lang]
    raw = decision.engine_facts.get("authority") or {}
    facts = decision.facts
    out = []
    county = v["county"].format(name=decision.county.get("name", ""), code=decision.county.get("code", ""))
    if raw.get("law.delegation_in_force") is False:
        county += w["comma"] + v["before"]
    elif "county.delegated" in raw:
        county += w["comma"] + (v["delegated"] if raw["county.delegated"] else v["not_delegated"])
    out.append(county)
    level = raw.get("scope.zone_level")
    shown = facts.get("scope.zone")
    if level and level != "none" and isinstance(shown, str) and " (" in shown:
        name = shown.rsplit(" (", 1)[0]
        level_words = (label_data()["values"].get("scope.development_zone.level", {}).get(level) or {}).get(lang, level)
        confidence = facts.get("scope.zone_confidence", "declared")
        out.append(v["zone"].format(name=name, level=level_words, source=v.get(confidence, v["declared"])))
    else:
        out.append(v["no_zone"])
    if "scope.within_construction_scale" in raw:
        out.append(v["scale"].format(yes=w["yes"] if raw["scope.within_construction_scale"] else w["no"]))
    if decision.expropriation is not None:
        for key, limit_key in (("cultivated", "threshold.cultivated"), ("other", "threshold.other")):
            area, limit = facts.get(f"expropriation.{key}"), facts.get(limit_key)
            if isinstance(area, Decimal) and isinstance(limit, Decimal):
                out.append(v[key].format(area=area_text(area), op=">" if area > limit else "≤", limit=format(limit.normalize(), "f")))
    pbf = max(facts.get("conversion.permanent_basic_farmland") or Decimal(0),
              facts.get("expropriation.permanent_basic_farmland") or Decimal(0))
    if isinstance(pbf, Decimal) and pbf:
        out.append(v["pbf"].format(area=area_text(pbf)))
    return out
