"""The 七(三) 通报 (REGISTER.md "Definitions"): per county and period — filed, accepted at first
filing, 补正 and 退件 with their reasons by review item, working days from 受理 to 审定, approvals by
authority with their areas; the quota ledger; the counties meeting the (placeholder) 补正频繁/多次退件
parameter, listed for a person to decide; overdue and due-soon deadlines (备案, 征收土地公告) by
working day. One computation, three views: csv, html, xlsx."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
import statistics
from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from landapproval.decision.words import LEVEL
from landapproval.law.workdays import MissingYear
from landapproval.register import events as ev
from landapproval.register.schema import cases, decisions, events, parcels, versions
from landapproval.register.units import ha

if TYPE_CHECKING:
    from landapproval.register.store import Register

# the report as data: year, county, today, counties (one row each), candidates, ledgers, deadlines
Report = dict[str, Any]

ITEM = re.compile(r"\b([CS][1-8])\b")


def build(register: Register, year: int, county: str | None = None, today: dt.date | None = None) -> Report:
    law = register.law
    today = today or dt.date.today()
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    only = register.county_of(county) if county else None
    with register.engine.connect() as conn:
        # the cases with an event in the year, or shortly before it (a deadline running into the year)
        active = select(events.c.case_pk).where(events.c.case_pk.is_not(None),
                                                events.c.day >= start - dt.timedelta(days=60), events.c.day <= end)
        if only:
            active = active.where(events.c.county_code == only)
        query = select(events).where(events.c.case_pk.in_(active)).order_by(events.c.id)
        by_case: dict[int, list[ev.Event]] = defaultdict(list)
        county_of: dict[int, str] = {}
        for r in conn.execute(query):
            by_case[r.case_pk].append(ev.Event(r.id, r.kind, r.day, r.recorded_at, r.recorded_by, r.note, r.corrects))
            county_of[r.case_pk] = r.county_code
        names = dict(conn.execute(select(cases.c.id, cases.c.case_id).where(cases.c.id.in_(active))).all())
        latest: dict[int, tuple[int, int]] = {}  # case: (id, number) of its latest version
        for r in conn.execute(select(versions.c.case_pk, versions.c.id, versions.c.number)
                              .where(versions.c.case_pk.in_(active))):
            if r.case_pk not in latest or r.number > latest[r.case_pk][1]:
                latest[r.case_pk] = (r.id, r.number)
        levels: dict[int, tuple[str | None, str | None]] = {}  # version: (conversion, expropriation) level
        version_ids = select(versions.c.id).where(versions.c.case_pk.in_(active))
        for r in conn.execute(select(decisions.c.version_pk, decisions.c.id, decisions.c.conversion_level,
                                     decisions.c.expropriation_level).where(decisions.c.version_pk.in_(version_ids))
                              .order_by(decisions.c.id)):
            levels[r.version_pk] = (r.conversion_level, r.expropriation_level)
        areas: dict[int, dict[str, int]] = defaultdict(lambda: {"converted": 0, "expropriated": 0})
        for r in conn.execute(select(parcels).where(parcels.c.current.is_(True), parcels.c.case_pk.in_(active))):
            a = areas[r.case_pk]
            a["converted"] += r.pbf_m2 + r.cultivated_m2 + r.other_agricultural_m2
            if r.expropriated:
                a["expropriated"] += r.pbf_m2 + r.cultivated_m2 + r.other_agricultural_m2 + r.construction_m2 + r.unused_m2
    rows: dict[str, dict[str, Any]] = {}
    deadlines: list[dict[str, Any]] = []
    period_counts: dict[tuple[str, int], Counter[str]] = defaultdict(Counter)
    # the periods as the rule book sets them that year; a period it does not set is not tracked (never guessed)
    archive_days = law.jurisdiction.period("archive_working_days", end)
    notice = law.cross_case.value("expropriation_announcement_working_days", end)
    notice_days = int(notice.values["value"]) if notice else None
    soon = law.cross_case.value("due_soon_working_days", end)
    soon_days = int(soon.values["value"]) if soon else None
    for pk, evs in by_case.items():
        code = county_of[pk]
        # the approving levels of the latest version's latest decision (None, None: not decided)
        conv, expr = levels.get(latest[pk][0], (None, None)) if pk in latest else (None, None)
        row = rows.setdefault(code, _empty(register, code))
        standing = ev.effective(evs)
        accepted = [e for e in standing if e.kind == "受理"]
        for e in standing:
            if start <= e.day <= end and e.kind in ("补正", "退件"):
                row["corrections" if e.kind == "补正" else "returns"] += 1
                reasons = row["correction_reasons" if e.kind == "补正" else "return_reasons"]
                for item in ITEM.findall(e.note or "") or ["未注明"]:
                    reasons[item] += 1
                period_counts[(code, (e.day.month - 1) // 3 + 1)][e.kind] += 1
        if accepted and start <= accepted[0].day <= end:
            row["filed"] += 1
            decided_once = next((e for e in standing if e.kind == "审定"), None)
            if decided_once and not any(e.kind in ("补正", "退件") for e in standing):
                row["accepted_first"] += 1
        decided = [e for e in ev.current_round(evs) if e.kind == "审定"]
        if decided and start <= decided[0].day <= end:
            first_accept = next(e for e in ev.current_round(evs) if e.kind == "受理")
            try:
                row["days"].append(law.calendar.working_days_between(first_accept.day, decided[0].day))
            except MissingYear:
                row["days_unknown"] += 1
            key = f"{LEVEL['zh'].get(conv, '—') if conv else '—'} / {LEVEL['zh'].get(expr, '—') if expr else '—'}"
            entry = row["approvals"].setdefault(key, {"cases": 0, "converted": 0, "expropriated": 0})
            entry["cases"] += 1
            entry["converted"] += areas[pk]["converted"]
            entry["expropriated"] += areas[pk]["expropriated"]
        approved = next((e for e in ev.current_round(evs) if e.kind == "批复"), None)
        if approved is None:
            continue
        duties = [("备案", archive_days, "临政发〔2024〕7号 五(六)")]
        if expr:
            duties.append(("征收土地公告", notice_days, "土地管理法实施条例 第三十一条"))
        for kind, days, cite in duties:
            if days is None or any(e.kind == kind for e in ev.current_round(evs)):
                continue
            try:
                due = law.calendar.add_workdays(approved.day, days)
                left = law.calendar.working_days_between(today, due) if due >= today else None
            except MissingYear as error:
                deadlines.append({"county": register._county_name(code), "case": names[pk], "duty": kind,
                                  "approved": approved.day, "due": None, "state": f"{error.year}年工作日安排未知", "cite": cite})
                continue
            state = "逾期" if today > due else ("即将到期" if left is not None and soon_days is not None and left <= soon_days else None)
            if state:
                deadlines.append({"county": register._county_name(code), "case": names[pk], "duty": kind,
                                  "approved": approved.day, "due": due, "state": state, "cite": cite})
    for row in rows.values():
        days = row.pop("days")
        median = statistics.median(days) if days else None
        row["days_median"] = int(median) if median is not None and median == int(median) else median
        row["days_max"] = max(days) if days else None
    candidates: list[dict[str, Any]] = []
    rule = law.cross_case.value("suspension_candidates", end)
    if rule is not None:
        for (code, quarter), counts in sorted(period_counts.items()):
            if counts["退件"] >= int(rule.values["returns_at_least"]) or counts["补正"] >= int(rule.values["corrections_at_least"]):
                candidates.append({"county": register._county_name(code), "quarter": f"{year}Q{quarter}",
                                   "returns": counts["退件"], "corrections": counts["补正"],
                                   "parameter": f"退件≥{rule.values['returns_at_least']} 或 补正≥{rule.values['corrections_at_least']}"
                                                + ("（占位值，待市局确定）" if rule.values.get("placeholder") else ""),
                                   "reference": rule.reference})
    ledgers: list[dict[str, Any]] = []
    for code in sorted({*rows, *([only] if only else [])}):
        ledger = register.ledger(code, year)
        if ledger:
            ledgers.append({"county": register._county_name(code), **ledger})
    return {"year": year, "county": only, "today": today, "counties": [rows[c] for c in sorted(rows)],
            "candidates": candidates, "ledgers": ledgers, "deadlines": sorted(deadlines, key=lambda d: (str(d["due"]), d["case"]))}


def _empty(register: Register, code: str) -> dict[str, Any]:
    return {"county": register._county_name(code), "code": code, "filed": 0, "accepted_first": 0, "corrections": 0,
            "returns": 0, "correction_reasons": Counter(), "return_reasons": Counter(), "days": [], "days_unknown": 0,
            "approvals": {}}


HEAD = ["县（市、区）", "受理件数", "一次性通过", "补正次数", "退件次数", "补正原因", "退件原因",
        "受理至审定工作日（中位）", "受理至审定工作日（最长）", "审定（转用/征收批准机关：件数，转用/征收公顷）"]


def table_rows(report: Report) -> list[list[Any]]:
    out: list[list[Any]] = []
    for r in report["counties"]:
        approvals = "；".join(f"{k}：{v['cases']}件，{ha(v['converted'])}/{ha(v['expropriated'])}"
                             for k, v in sorted(r["approvals"].items()))
        out.append([r["county"], r["filed"], r["accepted_first"], r["corrections"], r["returns"],
                    _reasons(r["correction_reasons"]), _reasons(r["return_reasons"]),
                    "" if r["days_median"] is None else r["days_median"], "" if r["days_max"] is None else r["days_max"],
                    approvals])
    return out


def _reasons(counter: Counter[str]) -> str:
    return "、".join(f"{k}×{v}" for k, v in sorted(counter.items()))


def sections(report: Report) -> list[tuple[str, list[str], list[list[Any]]]]:
    ledger = [[l["county"], l["quota"], l["additional"], l["used"], l["available"]] for l in report["ledgers"]]
    cands = [[c["county"], c["quarter"], c["returns"], c["corrections"], c["parameter"], c["reference"]]
             for c in report["candidates"]]
    dues = [[d["county"], d["case"], d["duty"], d["approved"], d["due"] or "", d["state"], d["cite"]]
            for d in report["deadlines"]]
    return [(f"{report['year']}年各县（市、区）建设用地报件质量通报（临政发〔2024〕7号 七(三)）", HEAD, table_rows(report)),
            ("年度计划指标台账（公顷）", ["县（市、区）", "年度指标", "追加指标", "已审定使用", "可用"], ledger),
            ("补正频繁、多次退件的县（列出供研究决定，不自动暂停）",
             ["县（市、区）", "季度", "退件次数", "补正次数", "标准", "依据"], cands),
            (f"期限提示（截至 {report['today']}）", ["县（市、区）", "案件", "事项", "批复日期", "期限", "状态", "依据"], dues)]


def to_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for title, head, rows in sections(report):
        writer.writerow([title])
        writer.writerow(head)
        writer.writerows(rows)
        writer.writerow([])
    return buffer.getvalue()


def to_html(report: Report) -> str:
    parts = ["<!doctype html><html lang=\"zh\"><head><meta charset=\"utf-8\">",
             f"<title>{report['year']}年建设用地报件质量通报</title>",
             "<style>body{font-family:sans-serif}table{border-collapse:collapse;margin-bottom:1.5em}"
             "td,th{border:1px solid #999;padding:2px 6px}</style></head><body>"]
    for title, head, rows in sections(report):
        parts.append(f"<h2>{html.escape(title)}</h2><table><thead><tr>"
                     + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr></thead><tbody>")
        for row in rows or [["（无）"]]:
            parts.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "".join(parts)


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for index, (title, head, rows) in enumerate(sections(report)):
        sheet = book.create_sheet(["通报", "指标台账", "暂停候选", "期限"][index])
        sheet.append([title])
        sheet.append(head)
        for row in rows:
            sheet.append([c if isinstance(c, (int, float, str)) or c is None else str(c) for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
