"""The register's events (REGISTER.md, CONTRACT "Register events"): their kinds, the order the
workflow allows, and a case's status from its effective events (a correction replaces the event it
names; nothing is ever edited or deleted)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

CASE_KINDS = ("受理", "补正", "退件", "会审", "审定", "缴费", "批复", "备案", "征收土地公告")
COUNTY_KINDS = ("暂停", "恢复")
KINDS = CASE_KINDS + COUNTY_KINDS
EN = {"受理": "acceptance", "补正": "correction request", "退件": "return", "会审": "joint review",
      "审定": "city decision", "缴费": "fee paid", "批复": "approval issued", "备案": "archived",
      "征收土地公告": "expropriation announcement", "暂停": "filings suspended", "恢复": "filings resumed"}
# what must have happened (and not been undone by a later 退件) before each kind
NEEDS = {"补正": "受理", "退件": "受理", "会审": "受理", "审定": "会审", "缴费": "审定", "批复": "审定",
         "备案": "批复", "征收土地公告": "批复"}
ONCE = ("会审", "审定", "缴费", "批复", "备案", "征收土地公告")
STATUS = {None: ("已登记", "registered"), "受理": ("已受理", "accepted"), "补正": ("补正中", "correcting"),
          "退件": ("已退件", "returned"), "会审": ("已会审", "reviewed"), "审定": ("已审定", "decided"),
          "缴费": ("已缴费", "fee paid"), "批复": ("已批复", "approved"), "备案": ("已备案", "archived"),
          "征收土地公告": ("已发布征收公告", "expropriation announced")}


@dataclass(frozen=True)
class Event:
    id: int
    kind: str
    day: dt.date
    recorded_at: dt.datetime
    recorded_by: str
    note: str | None
    corrects: int | None


def effective(events: list[Event]) -> list[Event]:
    """The events that stand: each correction replaces the event it corrects (chains followed),
    in the order of their days, then of recording."""
    replaced = {e.corrects for e in events if e.corrects is not None}
    return sorted((e for e in events if e.id not in replaced), key=lambda e: (e.day, e.id))


def current_round(events: list[Event]) -> list[Event]:
    """The effective events since the last 退件 (a returned case filed again starts over at 受理)."""
    standing = effective(events)
    last_return = max((i for i, e in enumerate(standing) if e.kind == "退件"), default=None)
    return standing if last_return is None else standing[last_return + 1:]


def status(events: list[Event]) -> str | None:
    """The kind of the latest step reached (补正 counts until the next step): None when none."""
    standing = effective(events)
    if not standing:
        return None
    if standing[-1].kind == "退件":
        return "退件"
    order = {k: i for i, k in enumerate(CASE_KINDS)}
    return max(current_round(events), key=lambda e: (order[e.kind] if e.kind != "补正" else 1, e.day)).kind


def order_problem(kind: str, day: dt.date, events: list[Event], corrects: int | None) -> tuple[str, str] | None:
    """Why `kind` on `day` may not follow the case's events (zh, en), or None."""
    others = [e for e in events if e.id != corrects]
    standing = effective(others)
    if standing and standing[-1].kind == "退件" and kind != "受理":
        return (f"案件已于 {standing[-1].day} 退件：重新受理前不能登记{kind}",
                f"the case was returned on {standing[-1].day}: nothing but a new acceptance may follow")
    now = current_round(others)
    if kind == "受理":
        if any(e.kind == "受理" for e in now):
            return "案件已受理：重复受理须先退件", "the case is already accepted; a new acceptance needs a return first"
        return None
    need = NEEDS[kind]
    before = [e for e in now if e.kind == need]
    if not before:
        return (f"{kind}须在{need}之后：台账中尚无{need}", f"{EN[kind]} must follow {EN[need]}, which is not recorded")
    if day < before[0].day:
        return (f"{kind}日期 {day} 早于{need}日期 {before[0].day}",
                f"{EN[kind]} on {day} is before {EN[need]} on {before[0].day}")
    if kind in ONCE and any(e.kind == kind for e in now):
        return f"{kind}已登记：更正请用 --corrects 指明被更正的事件", f"{EN[kind]} is already recorded: correct it with --corrects"
    return None
