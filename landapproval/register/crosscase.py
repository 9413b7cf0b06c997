"""Cross-case facts: what the register knows about the other cases, turned into the findings of
rules/register.yaml (and the `county.filing_suspended` fact) for one evaluation. Read-only.

- the same project (实施条例 第二十五条): the other cases of the same project code that are not
  returned, their areas summed with this case's, and who approves the sum (the engine decides a
  case made of all their parcels);
- land filed twice: a box filter in SQL, then shapely, above the digitising tolerance; by parcel id
  within the county where either side has no boundary;
- the county-year quota ledger against the case's own statement (C2);
- suspension (七(三)) from the county's recorded 暂停 / 恢复 events;
- workflow dates in the file that differ from the recorded events.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Iterable, NamedTuple, Protocol, cast

from sqlalchemy import ColumnElement, Row, and_, func, literal, or_, select, union_all
from sqlalchemy.engine import Connection

from landapproval.contract.models import Case
from landapproval.core.values import Message
from landapproval.decision.facts import Context
from landapproval.decision.model import Finding, FindingKind, Severity
from landapproval.decision.words import LEVEL
from landapproval.law import Law
from landapproval.register import events as ev
from landapproval.register.schema import cases, events, parcels
from landapproval.register.units import geometries, ha, m2


class RegisterReads(Protocol):
    """What the cross-case facts read of the register (store.Register, which imports this module)."""

    def reader(self) -> Connection: ...

    def ledger(self, county_code: str, year: int, conn: Connection | None = None,
               exclude_case_pk: int | None = None) -> dict[str, Any] | None: ...

    def _events(self, conn: Connection, *, case_pk: int | None = None, county: str | None = None,
                kinds: Iterable[str] | None = None, county_only: bool = False) -> list[ev.Event]: ...


class ParcelAreas(NamedTuple):
    """What the project rules read of another case's current parcel (areas in m²)."""

    parcel_id: str
    expropriated: bool
    pbf_m2: int
    cultivated_m2: int
    other_agricultural_m2: int
    construction_m2: int
    unused_m2: int


# the other cases found: each case's row with its status (the kind of its latest event, None: none)
Others = list[tuple[Row[Any], str | None]]

DATE_FIELDS = (("accepted_on", "受理"), ("reviewed_on", "会审"), ("decided_on", "审定"), ("fee_paid_on", "缴费"),
               ("approval_issued_on", "批复"), ("archived_on", "备案"))


class CrossCase:
    def __init__(self, register: RegisterReads, law: Law):
        self.register, self.law = register, law
        self.rules = law.cross_case.rules
        self._parcels: dict[int, list[ParcelAreas]] = {}

    def facts_and_findings(self, model: Case, ctx: Context) -> dict[str, Any]:
        county = ctx.county.code
        found: dict[str, list[Finding]] = {}
        facts: dict[str, Any] = {}
        with self.register.reader() as conn:
            # the case itself, if registered, is told apart by (county, case id) — unique — in SQL, so
            # no round trip looks up its key; its key comes with its own events (none: nothing of it counts)
            own, county_events, self_pk = self._own_and_county_events(conn, county, model.id)
            self_row = and_(cases.c.county_code == county, cases.c.case_id == model.id)
            self._project(conn, model, ctx, ~self_row, found)
            self._land(conn, model, county, ~self_row, found)
            self._quota(conn, model, ctx, self_pk, found)
            if self._suspended(county_events, model.filed_on or ctx.as_of):
                facts["county.filing_suspended"] = True
            if own:
                self._dates(own, model, found)
        return {"facts": facts, "findings": found}

    def _finding(self, found: dict[str, list[Finding]], rule_id: str, shown: dict[str, object],
                 en: dict[str, str] | None = None) -> None:
        rule = self.rules.get(rule_id)
        if rule is None:  # a rules folder without that rule: the register says nothing about it
            return
        words = {k: str(v) for k, v in shown.items()}
        words_en = {**words, **{f"{k}_en": str(v) for k, v in (en or {}).items()}}
        for key in shown:
            words_en.setdefault(f"{key}_en", words[key])
        found.setdefault(rule.item, []).append(Finding(
            # severity and kind: read as text from rules/register.yaml, checked there and by Finding
            code=rule.id, severity=cast(Severity, rule.severity), kind=cast(FindingKind, rule.kind), missing=rule.missing,
            message=Message(rule.message["zh"].format_map(words), rule.message["en"].format_map(words_en)),
            citation=str(rule.cite), remedy=Message.maybe(rule.remedy),
            facts={f"register.{k}": v for k, v in shown.items() if k in rule.shows}))

    # ---- one project, one application ------------------------------------------------
    def _others(self, conn: Connection, where: ColumnElement[bool]) -> Others:
        # the cases and their current parcels in one query (a row per parcel; a case without one: one row)
        columns = [parcels.c[name].label(f"p_{name}") for name in ParcelAreas._fields]
        joined = conn.execute(
            select(cases, parcels.c.id.label("p_id"), *columns)
            .outerjoin(parcels, and_(parcels.c.case_pk == cases.c.id, parcels.c.current.is_(True)))
            .where(where).order_by(cases.c.first_filed_on, cases.c.id, parcels.c.id)).all()
        if not joined:
            return []
        rows: list[Row[Any]] = []
        self._parcels = {}
        for r in joined:
            if not rows or rows[-1].id != r.id:
                rows.append(r)
            if r.p_id is not None:
                self._parcels.setdefault(r.id, []).append(
                    ParcelAreas(*(getattr(r, f"p_{name}") for name in ParcelAreas._fields)))
        by_case = self._events_of(conn, [row.id for row in rows])
        return [(row, state) for row in rows if (state := ev.status(by_case.get(row.id, []))) != "退件"]

    @staticmethod
    def _events_of(conn: Connection, pks: list[int]) -> dict[int, list[ev.Event]]:
        out: dict[int, list[ev.Event]] = {}
        for r in conn.execute(select(events).where(events.c.case_pk.in_(pks)).order_by(events.c.id)):
            out.setdefault(r.case_pk, []).append(ev.Event(r.id, r.kind, r.day, r.recorded_at, r.recorded_by, r.note, r.corrects))
        return out

    def _project(self, conn: Connection, model: Case, ctx: Context, not_self: ColumnElement[bool],
                 found: dict[str, list[Finding]]) -> None:
        project = model.project
        if project is None:
            return
        if project.code:
            others = self._others(conn, and_(cases.c.project_code == project.code, not_self))
            if not others:
                return
            label = f"{project.code} {project.name or ''}".strip()
            if project.phases_in_feasibility_study is True:
                return
            earlier = self._earlier_words(conn, others)
            if project.phases_in_feasibility_study is None:
                self._finding(found, "register.same_project_phases_unknown", {"project": label, "earlier": earlier})
                return
            totals, authority, authority_en = self._on_the_sum(conn, model, ctx, others)
            self._finding(found, "register.same_project",
                          {"project": label, "earlier": earlier, "totals": totals, "authority": authority},
                          {"authority": authority_en})
        elif project.name and project.applicant:
            others = self._others(conn, and_(cases.c.project_name == project.name,
                                             cases.c.project_applicant == project.applicant, not_self))
            if others:
                self._finding(found, "register.same_project_name_no_code",
                              {"project": f"{project.name}（{project.applicant}）", "earlier": self._earlier_words(conn, others)})

    def _areas(self, conn: Connection, case_pk: int) -> dict[str, int]:
        rows = self._parcels.get(case_pk, [])
        return {"cultivated": sum(r.cultivated_m2 + r.pbf_m2 for r in rows if r.expropriated),
                "other": sum(r.other_agricultural_m2 + r.construction_m2 + r.unused_m2 for r in rows if r.expropriated),
                "agricultural": sum(r.pbf_m2 + r.cultivated_m2 + r.other_agricultural_m2 for r in rows)}

    def _earlier_words(self, conn: Connection, others: Others) -> str:
        parts = []
        for row, state in others:
            a = self._areas(conn, row.id)
            parts.append(f"{row.case_id}（{ev.STATUS[state][0]}，征收耕地 {ha(a['cultivated'])} 公顷、其他土地 "
                         f"{ha(a['other'])} 公顷）")
        return "、".join(parts)

    def _on_the_sum(self, conn: Connection, model: Case, ctx: Context, others: Others) -> tuple[str, str, str]:
        """The totals of all the project's cases and who approves them together: the engine decides
        one case made of every parcel of them (boundaries left out: the areas are the filed ones)."""
        combined = model.model_dump(mode="json", by_alias=True, exclude_none=True)
        combined.pop("review", None)
        combined.pop("workflow", None)
        for parcel in combined["parcels"]:
            parcel.pop("boundary", None)
        for row, _ in others:
            for p in self._parcels.get(row.id, []):
                combined["parcels"].append({
                    "id": f"{row.case_id}/{p.parcel_id}", "ownership": "collective" if p.expropriated else "state",
                    "expropriate": bool(p.expropriated),
                    "land": {"permanent_basic_farmland": str(ha(p.pbf_m2)), "cultivated": str(ha(p.cultivated_m2)),
                             "other_agricultural": str(ha(p.other_agricultural_m2)),
                             "construction": str(ha(p.construction_m2)), "unused": str(ha(p.unused_m2))}})
        from landapproval.api import evaluate

        decision = evaluate(combined, as_of=ctx.as_of, law=self.law, source="register")
        t = decision.totals
        totals = (f"征收耕地 {t['expropriation']['cultivated'] + t['expropriation']['permanent_basic_farmland']} 公顷"
                  f"（其中永久基本农田 {t['expropriation']['permanent_basic_farmland']}）、征收其他土地 "
                  f"{t['expropriation']['other']} 公顷、转用农用地 {t['conversion']['agricultural']} 公顷")
        parts = [(name_zh, name_en, entry.level) for name_zh, name_en, entry in
                 (("农用地转用", "the conversion", decision.conversion), ("土地征收", "the expropriation", decision.expropriation))
                 if entry is not None]
        zh = "，".join(f"{a}由{LEVEL['zh'][level]}" for a, _, level in parts) or "无需审批"
        en = ", ".join(f"{b} by {LEVEL['en'][level]}" for _, b, level in parts) or "no one"
        return totals, zh, en

    # ---- land filed twice --------------------------------------------------------------
    def _land(self, conn: Connection, model: Case, county: str, not_self: ColumnElement[bool],
              found: dict[str, list[Finding]]) -> None:
        parameter = self.law.jurisdiction.parameter("digitising_tolerance_m2", model.filed_on or dt.date.today())
        tolerance = float(parameter.value) if parameter else 1.0
        data = model.model_dump(mode="json", by_alias=True, exclude_none=True)
        path_bound = any(p.get("boundary") and isinstance(p["boundary"], str) for p in data["parcels"])
        geoms = {} if path_bound else geometries(data)
        states: dict[int, str | None] = {}
        for parcel in model.parcels:
            geometry = geoms.get(parcel.id)
            hits: list[tuple[Row[Any], Decimal]] = []
            by_id = [parcels.c.current.is_(True), not_self, parcels.c.parcel_id == parcel.id,
                     cases.c.county_code == county]
            if geometry is not None:  # both have boundaries: the geometry alone decides
                by_id.append(parcels.c.wkb.is_(None))
            # the box filter and the parcel-id match in one query (one round trip), told apart by `matched_by`
            id_query = (select(parcels, cases.c.case_id, cases.c.county_code, literal(1).label("matched_by"))
                        .join(cases, cases.c.id == parcels.c.case_pk).where(*by_id))
            if geometry is not None:
                minx, miny, maxx, maxy = geometry.bounds
                # the widest stored box bounds the range on minx (an index on the width; evaluated once per query)
                widest = select(func.coalesce(func.max(parcels.c.maxx - parcels.c.minx), 0.0)).scalar_subquery()
                box_query = (select(parcels, cases.c.case_id, cases.c.county_code, literal(0).label("matched_by"))
                             .join(cases, cases.c.id == parcels.c.case_pk)
                             .where(parcels.c.minx >= minx - widest, parcels.c.minx <= maxx,
                                    parcels.c.current.is_(True), not_self, parcels.c.wkb.is_not(None),
                                    parcels.c.maxx >= minx, parcels.c.miny <= maxy, parcels.c.maxy >= miny))
                found_rows = conn.execute(union_all(box_query, id_query)).all()
            else:
                found_rows = conn.execute(id_query).all()
            by_box = [row for row in found_rows if row.matched_by == 0]
            if by_box and geometry is not None:
                from shapely import wkb as shapely_wkb
                for row in by_box:
                    overlap = geometry.intersection(shapely_wkb.loads(row.wkb)).area
                    if overlap > tolerance:
                        hits.append((row, Decimal(round(overlap)).scaleb(-4).quantize(Decimal("0.0001"))))
            for row in (row for row in found_rows if row.matched_by == 1):
                area = row.pbf_m2 + row.cultivated_m2 + row.other_agricultural_m2 + row.construction_m2 + row.unused_m2
                mine = m2(parcel.land.permanent_basic_farmland + parcel.land.cultivated + parcel.land.other_agricultural
                          + parcel.land.construction + parcel.land.unused)
                hits.append((row, ha(min(area, mine))))
            unknown = [row.case_pk for row, _ in hits if row.case_pk not in states]
            if unknown:
                found_events = self._events_of(conn, unknown)
                for pk in unknown:
                    states[pk] = ev.status(found_events.get(pk, []))
            for row, overlap in hits:
                state = states[row.case_pk]
                if state == "退件":
                    continue
                self._finding(found, "register.land_filed_twice",
                              {"parcel": parcel.id, "other": f"{row.case_id}/{row.parcel_id}",
                               "status": ev.STATUS[state][0], "overlap": overlap},
                              {"status": ev.STATUS[state][1]})

    # ---- the quota ledger --------------------------------------------------------------
    def _quota(self, conn: Connection, model: Case, ctx: Context, self_pk: int | None,
               found: dict[str, list[Finding]]) -> None:
        year = (model.workflow.decided_on or model.filed_on or ctx.as_of).year
        ledger = self.register.ledger(ctx.county.code, year, conn, exclude_case_pk=self_pk)
        if ledger is None:
            return
        plan = model.review.annual_plan
        words = (f"{year}年 {ctx.county.name}：指标 {ledger['quota']}，追加 {ledger['additional']}，"
                 f"已审定使用 {ledger['used']}，可用 {ledger['available']} 公顷")
        words_en = (f"{year} {ctx.county.name}: quota {ledger['quota']}, additional {ledger['additional']}, "
                    f"used by decided cases {ledger['used']}, available {ledger['available']} ha")
        if plan is not None and plan.quota_available is not None and plan.quota_available != ledger["available"]:
            self._finding(found, "register.quota_statement_differs",
                          {"stated": plan.quota_available, "available": ledger["available"], "ledger": words},
                          {"ledger": words_en})
        requested = plan.quota_requested if plan is not None else None
        if requested is not None and requested > ledger["available"]:
            self._finding(found, "register.quota_ledger_exceeded",
                          {"requested": requested, "available": ledger["available"], "ledger": words},
                          {"ledger": words_en})

    @staticmethod
    def _own_and_county_events(conn: Connection, county: str,
                               case_id: str) -> tuple[list[ev.Event], list[ev.Event], int | None]:
        """The case's own events, the county's 暂停 / 恢复 events (each list in recording order, what
        store.Register._events gives for either) and the case's key when it has events, in one query."""
        self_pk = select(cases.c.id).where(cases.c.county_code == county, cases.c.case_id == case_id).scalar_subquery()
        county_wide = and_(events.c.case_pk.is_(None), events.c.county_code == county,
                           events.c.kind.in_(list(ev.COUNTY_KINDS)))
        own: list[ev.Event] = []
        county_events: list[ev.Event] = []
        pk: int | None = None
        for r in conn.execute(select(events).where(or_(events.c.case_pk == self_pk, county_wide)).order_by(events.c.id)):
            if r.case_pk is not None:
                pk = r.case_pk
            (county_events if r.case_pk is None else own).append(
                ev.Event(r.id, r.kind, r.day, r.recorded_at, r.recorded_by, r.note, r.corrects))
        return own, county_events, pk

    # ---- suspension ----------------------------------------------------------------------
    @staticmethod
    def _suspended(county_events: list[ev.Event], day: dt.date) -> bool:
        standing = ev.effective(county_events)
        last = [e for e in standing if e.day <= day]
        return bool(last) and last[-1].kind == "暂停"

    # ---- the file's dates and the register's events ------------------------------------------
    def _dates(self, own: list[ev.Event], model: Case, found: dict[str, list[Finding]]) -> None:
        standing = ev.current_round(own)
        for field, kind in DATE_FIELDS:
            day = getattr(model.workflow, field)
            recorded = next((e.day for e in standing if e.kind == kind), None)
            if day is not None and recorded is not None and day != recorded:
                self._finding(found, "register.workflow_dates_differ",
                              {"field": f"workflow.{field}", "file_day": day, "event": kind, "event_day": recorded},
                              {"event": ev.EN[kind]})
