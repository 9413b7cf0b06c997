"""The register: case file versions, decisions with their rule-book fingerprint, dated append-only
events and the county-year quota ledger, in one SQLite file or a shared PostgreSQL database.

    reg = Register.open("台账.sqlite")          # or "postgresql://…"; created or migrated on open
    added = reg.add("洪洞-2024-01.yaml", by="张三")   # a new version (a 补正) or the same one again
    reg.event("洪洞县", "HD-2024-01", "受理", date(2024, 7, 1), by="李四")
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

import orjson
from sqlalchemy import Date, Row, String, and_, cast, func, literal, null, select, text, union_all
from sqlalchemy import Text as SQLText
from sqlalchemy.engine import Connection, CursorResult, Engine

from landapproval.api import evaluate, load_case
from landapproval.contract.models import Case, InlineBoundary
from landapproval.core.errors import InputError, Text
from landapproval.core.jsonout import dumps, dumps_text
from landapproval.decision.model import Decision
from landapproval.law import Law
from landapproval.register import events as ev
from landapproval.register.crosscase import CrossCase
from landapproval.register.db import ensure_schema, is_sqlite, make_engine, resolve_url, write
from landapproval.register.schema import cases, decisions, events, parcels, quota, versions
from landapproval.register.units import geometries as _geometries, ha, m2

LABELS = {"filed_on": "报件日期", "title": "标题", "kind": "用地类型", "scope": "范围", "parcels": "地块",
          "review": "审查材料", "workflow": "流程日期", "project": "建设项目"}


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass(frozen=True)
class Added:
    county_code: str
    case_id: str
    version: int
    new: bool                    # False: the same content was already the case's version `version`
    changes: list[dict[str, Any]]
    decision: Decision           # with the cross-case findings


class Register:
    """One register (see the module doc). Thread-safe; each call is its own transaction."""

    def __init__(self, engine: Engine, law: Law | None = None):
        self.engine = engine
        self.law = law or Law.default()
        self.migrated_from = ensure_schema(engine)

    @classmethod
    def open(cls, db: str | Path | None = None, *, law: Law | None = None) -> "Register":
        return cls(make_engine(resolve_url(db)), law)

    def reader(self) -> Connection:
        """A connection for reads only. PostgreSQL: autocommit, so closing it costs no ROLLBACK round
        trip (the cross-case facts are advisory reads, taken statement by statement)."""
        if is_sqlite(self.engine):
            return self.engine.connect()
        return self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def close(self) -> None:
        self.engine.dispose()

    # ---- cases and versions ------------------------------------------------------------
    def add(self, case: Any, *, by: str, source: str | None = None, base_dir: Path | None = None,
            raw: bytes | None = None, today: dt.date | None = None) -> Added:
        """File a case (path, dict or model): a new version when its content is new, else the same
        version again (content hash). The case is decided with the cross-case rules on the way in."""
        if isinstance(case, (str, Path)) and raw is None and Path(case).is_file():
            raw = Path(case).read_bytes()
            base_dir = base_dir or Path(case).parent
        model, source = load_case(case, source, law=self.law)
        normalised = self.normalise(model, base_dir or Path("."), source)
        digest = hashlib.sha256(dumps(normalised)).hexdigest()
        county = self.county_code(model, source)
        decision = self.decide(normalised, source=source, today=today)
        geoms = _geometries(normalised)
        with write(self.engine) as conn:
            self._lock(conn, county, model.id)
            row = conn.execute(select(cases).where(cases.c.county_code == county, cases.c.case_id == model.id)).first()
            project = model.project
            values = dict(kind=model.kind, title=model.title, project_code=project and project.code,
                          project_name=project and project.name, project_applicant=project and project.applicant)
            if row is None:
                case_pk = _inserted_id(conn.execute(cases.insert().values(
                    county_code=county, case_id=model.id, first_filed_on=model.filed_on, created_at=now_utc(),
                    created_by=by, **values)))
                previous = None
            else:
                case_pk = row.id
                same = conn.execute(select(versions.c.number).where(versions.c.case_pk == case_pk,
                                                                    versions.c.sha256 == digest)).first()
                if same is not None:
                    self._store_decision(conn, case_pk, same.number, decision)
                    return Added(county, model.id, same.number, False, [], decision)
                previous = conn.execute(select(versions).where(versions.c.case_pk == case_pk)
                                        .order_by(versions.c.number.desc()).limit(1)).first()
                conn.execute(cases.update().where(cases.c.id == case_pk).values(**values))
            number = 1 if previous is None else previous.number + 1
            changes = [] if previous is None else diff(orjson.loads(previous.normalised), normalised)
            version_pk = _inserted_id(conn.execute(versions.insert().values(
                case_pk=case_pk, number=number, sha256=digest, raw=raw, normalised=dumps_text(normalised),
                changes=dumps_text(changes), recorded_at=now_utc(), recorded_by=by)))
            conn.execute(parcels.update().where(parcels.c.case_pk == case_pk).values(current=False))
            conn.execute(parcels.insert(), [_parcel_row(model, p, version_pk, case_pk, geoms.get(p["id"]))
                                            for p in normalised["parcels"]])
            self._insert_decision(conn, version_pk, decision)
        return Added(county, model.id, number, True, changes, decision)

    def normalise(self, model: Case, base_dir: Path, source: str) -> dict[str, Any]:
        """The case as JSON, self-contained: a boundary given as a path is stored inline (WKT, EPSG:4525)."""
        data = model.model_dump(mode="json", by_alias=True, exclude_none=True)
        for index, parcel in enumerate(model.parcels):
            if parcel.boundary is not None and not isinstance(parcel.boundary, InlineBoundary):
                from landapproval.decision.mapfacts import read_parcel_boundary
                geometry = read_parcel_boundary(parcel.boundary, base_dir, source, f"parcels[{index}].boundary").geometry
                data["parcels"][index]["boundary"] = {"format": "wkt", "data": geometry.wkt, "crs": "EPSG:4525"}
        return data

    def county_code(self, model: Case, source: str = "case") -> str:
        county = self.law.jurisdiction.county(model.county)
        if county is None:
            from landapproval.intake import messages
            raise InputError(source, [messages.unknown_county(model.county, self.law.jurisdiction.counties)])
        return county.code

    def county_of(self, text_: str) -> str:
        county = self.law.jurisdiction.county(str(text_))
        if county is None:
            raise InputError("county", [("county", Text(f"不认识的县（市、区）：{text_}", f"unknown county {text_!r}"))])
        return county.code

    def decide(self, normalised: dict[str, Any], *, source: str = "register", today: dt.date | None = None,
               law: Law | None = None, cross: bool = True, as_of: dt.date | None = None) -> Decision:
        law = law or self.law
        checker = CrossCase(self, law) if cross else None
        return evaluate(normalised, source=source, today=today, law=law, base_dir=Path("."), as_of=as_of,
                        cross_case=checker.facts_and_findings if checker else None)

    def _insert_decision(self, conn: Connection, version_pk: int, decision: Decision) -> None:
        data = decision.to_dict("zh")
        conn.execute(decisions.insert().values(
            version_pk=version_pk, rules_sha256=decision.law["rules_sha256"],
            package_version=decision.law["version"], as_of=decision.as_of, approvable=decision.approvable,
            conversion_level=decision.conversion and decision.conversion.level,
            expropriation_level=decision.expropriation and decision.expropriation.level,
            decision=dumps_text(data), recorded_at=now_utc()))

    def _store_decision(self, conn: Connection, case_pk: int, number: int, decision: Decision) -> None:
        version_pk = conn.execute(select(versions.c.id).where(versions.c.case_pk == case_pk,
                                                              versions.c.number == number)).scalar_one()
        known = conn.execute(select(decisions.c.id).where(decisions.c.version_pk == version_pk,
                                                          decisions.c.rules_sha256 == decision.law["rules_sha256"])).first()
        if known is None:
            self._insert_decision(conn, version_pk, decision)

    def _lock(self, conn: Connection, county: str, case_id: str) -> None:
        if not is_sqlite(self.engine):  # SQLite: BEGIN IMMEDIATE already holds the database
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"{county}/{case_id}"})

    def _case_pk(self, conn: Connection, county: str, case_id: str) -> int:
        pk: int | None = conn.execute(select(cases.c.id).where(cases.c.county_code == county,
                                                               cases.c.case_id == case_id)).scalar()
        if pk is None:
            raise InputError("register", [("case", Text(f"台账中没有 {county} 的案件 {case_id}",
                                                        f"no case {case_id} of county {county} in the register"))])
        return pk

    # ---- events ------------------------------------------------------------------------
    def event(self, county: str, case_id: str | None, kind: str, day: dt.date | str, *, by: str,
              note: str | None = None, corrects: int | None = None, recorded_at: dt.datetime | None = None) -> int:
        """Record an event; refused (InputError, nothing written) when the workflow forbids it."""
        code = self.county_of(county)
        day = _day(day)
        if kind not in ev.KINDS:
            raise InputError("event", [("kind", Text(f"事件类型应为 {'、'.join(ev.KINDS)} 之一，收到“{kind}”",
                                                     f"the event kind must be one of {', '.join(ev.KINDS)}, got {kind!r}"))])
        if kind == "退件" and not (note or "").strip():
            raise InputError("event", [("note", Text("退件须写明理由（--note）", "a return needs its reason (--note)"))])
        if not by.strip():
            raise InputError("event", [("by", Text("须写明登记人（--by）", "say who records it (--by)"))])
        with write(self.engine) as conn:
            if kind in ev.COUNTY_KINDS:
                if case_id:
                    raise InputError("event", [("kind", Text(f"{kind}属于县（市、区）的报件，不属于单个案件",
                                                             f"{ev.EN[kind]} belongs to a county, not a case"))])
                self._lock(conn, code, "*county*")
                case_pk = None
                existing = self._events(conn, county=code, kinds=ev.COUNTY_KINDS, county_only=True)
            else:
                if not case_id:
                    raise InputError("event", [("case", Text(f"{kind}须指明案件", f"{ev.EN[kind]} needs a case"))])
                self._lock(conn, code, case_id)
                case_pk = self._case_pk(conn, code, case_id)
                existing = self._events(conn, case_pk=case_pk)
                if corrects is not None and corrects not in {e.id for e in existing}:
                    raise InputError("event", [("corrects", Text(f"本案件没有编号为 {corrects} 的事件",
                                                                 f"the case has no event {corrects}"))])
                problem = ev.order_problem(kind, day, existing, corrects)
                if problem:
                    raise InputError("event", [("kind", Text(*problem))])
            return _inserted_id(conn.execute(events.insert().values(
                county_code=code, case_pk=case_pk, kind=kind, day=day, recorded_at=recorded_at or now_utc(),
                recorded_by=by, note=note, corrects=corrects)))

    def _events(self, conn: Connection, *, case_pk: int | None = None, county: str | None = None,
                kinds: Iterable[str] | None = None, county_only: bool = False) -> list[ev.Event]:
        query = select(events).order_by(events.c.id)
        if county_only:
            query = query.where(events.c.case_pk.is_(None))
        if case_pk is not None:
            query = query.where(events.c.case_pk == case_pk)
        if county is not None:
            query = query.where(events.c.county_code == county)
        if kinds is not None:
            query = query.where(events.c.kind.in_(list(kinds)))
        return [ev.Event(r.id, r.kind, r.day, r.recorded_at, r.recorded_by, r.note, r.corrects)
                for r in conn.execute(query)]

    # ---- quota -------------------------------------------------------------------------
    def set_quota(self, county: str, year: int, hectares: Decimal | str, *, source: str, by: str,
                  kind: str = "quota") -> int:
        """A county-year quota (a later row supersedes earlier ones) or an additional grant (summed)."""
        if not str(source).strip():
            raise InputError("quota", [("source", Text("须写明指标来源文号（--source）", "give the quota's source (--source)"))])
        try:
            area = Decimal(str(hectares))
        except Exception:
            area = Decimal("NaN")
        if not area.is_finite() or area < 0 or area != area.quantize(Decimal("0.0001")):
            raise InputError("quota", [("hectares", Text(f"指标面积应为不小于 0、至多 4 位小数的公顷数，收到 {hectares}",
                                                         f"the quota is hectares >= 0 with at most 4 decimals, got {hectares}"))])
        with write(self.engine) as conn:
            return _inserted_id(conn.execute(quota.insert().values(
                county_code=self.county_of(county), year=int(year), area_m2=m2(area), kind=kind, source=source,
                recorded_at=now_utc(), recorded_by=by)))

    def ledger(self, county_code: str, year: int, conn: Connection | None = None,
               exclude_case_pk: int | None = None) -> dict[str, Any] | None:
        """The year's quota ledger: quota − new construction land of cases decided (审定) that year
        + additional quota granted; None when no quota is recorded for the county-year."""
        if conn is None:
            with self.engine.connect() as conn:
                return self.ledger(county_code, year, conn, exclude_case_pk)
        # the quota rows (part 0) and the cases decided that year (part 1) in one query (one round trip)
        quota_rows = select(literal(0).label("part"), quota.c.id.label("n"), quota.c.kind, quota.c.source,
                            quota.c.area_m2.label("area"), cast(null(), Date).label("day")) \
            .where(quota.c.county_code == county_code, quota.c.year == year)
        both = conn.execute(union_all(quota_rows, self._decided_query(county_code, year))).all()
        rows = sorted((r for r in both if r.part == 0), key=lambda r: int(r.n))
        base = [r for r in rows if r.kind == "quota"]
        if not base:
            return None
        granted = base[-1]
        additional = [r for r in rows if r.kind == "additional"]
        lines: list[dict[str, Any]] = [{"what": "年度计划指标", "source": granted.source, "area": ha(granted.area)}]
        lines += [{"what": "追加指标", "source": r.source, "area": ha(r.area)} for r in additional]
        used = 0
        decided = sorted(((int(r.n), _day(r.day), int(r.area or 0)) for r in both if r.part == 1),
                         key=lambda t: (t[1], t[0]))
        for case_row, day, new_m2 in decided:
            if case_row == exclude_case_pk:
                continue
            used += new_m2
            lines.append({"what": "审定使用", "case": case_row, "day": day, "area": -ha(new_m2)})
        available = int(granted.area) + sum(int(r.area) for r in additional) - used
        return {"county": county_code, "year": year, "quota": ha(granted.area),
                "additional": ha(sum(int(r.area) for r in additional)), "used": ha(used), "available": ha(available),
                "lines": lines}

    @staticmethod
    def _decided_query(county_code: str, year: int) -> Any:
        """(1, case, -, -, new construction land m², day of its 审定) of the cases the city decided in
        `year`, in the columns of the ledger's quota rows. A corrected 审定 does not count; the correcting
        event counts on its own day."""
        corrected = select(events.c.corrects).where(events.c.corrects.is_not(None))
        new = func.sum(parcels.c.pbf_m2 + parcels.c.cultivated_m2 + parcels.c.other_agricultural_m2 + parcels.c.unused_m2)
        return (select(literal(1), events.c.case_pk, cast(null(), String(20)), cast(null(), SQLText), new,
                       func.min(events.c.day))
                .join(parcels, and_(parcels.c.case_pk == events.c.case_pk, parcels.c.current.is_(True)))
                .where(events.c.kind == "审定", events.c.county_code == county_code,
                       events.c.day >= dt.date(year, 1, 1), events.c.day <= dt.date(year, 12, 31),
                       events.c.id.not_in(corrected))
                .group_by(events.c.case_pk))

    # ---- reading -----------------------------------------------------------------------
    def list_cases(self, *, county: str | None = None, year: int | None = None, status: str | None = None,
                   project: str | None = None, offset: int = 0, limit: int = 100) -> dict[str, Any]:
        with self.engine.connect() as conn:
            query = select(cases).order_by(cases.c.county_code, cases.c.case_id)
            if county:
                query = query.where(cases.c.county_code == self.county_of(county))
            if project:
                query = query.where(cases.c.project_code == project)
            rows = conn.execute(query).all()
            items = []
            for row in rows:
                evs = self._events(conn, case_pk=row.id)
                state = ev.status(evs)
                accepted = next((e.day for e in ev.effective(evs) if e.kind == "受理"), None)
                if year and not ((accepted or row.first_filed_on) and (accepted or row.first_filed_on).year == year):
                    continue
                if status and state != status and ev.STATUS[state][0] != status:
                    continue
                items.append(self._summary(conn, row, evs))
        return {"total": len(items), "offset": offset, "limit": limit, "cases": items[offset:offset + limit]}

    def _summary(self, conn: Connection, row: Row[Any], evs: list[ev.Event]) -> dict[str, Any]:
        latest = conn.execute(select(versions.c.id, versions.c.number).where(versions.c.case_pk == row.id)
                              .order_by(versions.c.number.desc()).limit(1)).first()
        decision = conn.execute(select(decisions).where(decisions.c.version_pk == latest.id)
                                .order_by(decisions.c.id.desc()).limit(1)).first() if latest else None
        state = ev.status(evs)
        return {"county": row.county_code, "county_name": self._county_name(row.county_code), "id": row.case_id,
                "kind": row.kind, "title": row.title,
                "project": {"code": row.project_code, "name": row.project_name, "applicant": row.project_applicant},
                "status": ev.STATUS[state][0], "status_en": ev.STATUS[state][1], "versions": latest.number if latest else 0,
                "approvable": decision.approvable if decision else None,
                "conversion": decision.conversion_level if decision else None,
                "expropriation": decision.expropriation_level if decision else None}

    def _county_name(self, code: str) -> str:
        county = self.law.jurisdiction.county(code)
        return county.name if county else code

    def show(self, county: str, case_id: str) -> dict[str, Any]:
        code = self.county_of(county)
        with self.engine.connect() as conn:
            pk = self._case_pk(conn, code, case_id)
            row = conn.execute(select(cases).where(cases.c.id == pk)).one()
            evs = self._events(conn, case_pk=pk)
            out = self._summary(conn, row, evs)
            out["versions"] = []
            for v in conn.execute(select(versions).where(versions.c.case_pk == pk).order_by(versions.c.number)):
                decs = conn.execute(select(decisions).where(decisions.c.version_pk == v.id).order_by(decisions.c.id)).all()
                out["versions"].append({
                    "number": v.number, "sha256": v.sha256, "recorded_at": v.recorded_at, "recorded_by": v.recorded_by,
                    "changes": orjson.loads(v.changes), "case": orjson.loads(v.normalised),
                    "decisions": [{"rules_sha256": d.rules_sha256, "package_version": d.package_version,
                                   "as_of": d.as_of, "approvable": d.approvable, "recorded_at": d.recorded_at,
                                   "decision": orjson.loads(d.decision)} for d in decs]})
            out["events"] = [{"id": e.id, "kind": e.kind, "day": e.day, "recorded_at": e.recorded_at,
                              "recorded_by": e.recorded_by, "note": e.note, "corrects": e.corrects} for e in evs]
        return out

    def stored_cases(self) -> list[tuple[str, str, int, dict[str, Any]]]:
        """(county code, case id, version number, normalised case) of each case's latest version."""
        with self.engine.connect() as conn:
            latest = select(versions.c.case_pk, func.max(versions.c.number).label("n")).group_by(versions.c.case_pk).subquery()
            rows = conn.execute(select(cases.c.county_code, cases.c.case_id, versions.c.number, versions.c.normalised)
                                .join(versions, versions.c.case_pk == cases.c.id)
                                .join(latest, and_(latest.c.case_pk == versions.c.case_pk, latest.c.n == versions.c.number))
                                .order_by(cases.c.county_code, cases.c.case_id)).all()
        return [(r.county_code, r.case_id, r.number, orjson.loads(r.normalised)) for r in rows]

    def latest_decision(self, county_code: str, case_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            pk = self._case_pk(conn, county_code, case_id)
            row = conn.execute(select(decisions.c.decision, decisions.c.rules_sha256)
                               .join(versions, versions.c.id == decisions.c.version_pk)
                               .where(versions.c.case_pk == pk)
                               .order_by(versions.c.number.desc(), decisions.c.id.desc()).limit(1)).first()
        return orjson.loads(row.decision) if row else None


def _day(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError("event", [("day", Text(f"“{value}”不是有效日期（YYYY-MM-DD）",
                                                f"{value!r} is not a real day (YYYY-MM-DD)"))]) from None


def _inserted_id(result: CursorResult[Any]) -> int:
    """The id of the row a one-row INSERT wrote (SQLAlchemy types the key as optional: it is None
    only for an executemany, which these inserts are not)."""
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _parcel_row(model: Case, parcel: dict[str, Any], version_pk: int, case_pk: int,
                geometry: Any) -> dict[str, Any]:  # geometry: shapely (no stubs) or None
    land = parcel.get("land", {})
    source = next(p for p in model.parcels if p.id == parcel["id"])
    box = geometry.bounds if geometry is not None else (None,) * 4
    return dict(version_pk=version_pk, case_pk=case_pk, current=True, parcel_id=str(parcel["id"]),
                expropriated=model.expropriates(source),
                pbf_m2=m2(land.get("permanent_basic_farmland")), cultivated_m2=m2(land.get("cultivated")),
                other_agricultural_m2=m2(land.get("other_agricultural")), construction_m2=m2(land.get("construction")),
                unused_m2=m2(land.get("unused")), wkb=geometry.wkb if geometry is not None else None,
                minx=box[0], miny=box[1], maxx=box[2], maxy=box[3])


def diff(old: Any, new: Any, path: str = "") -> list[dict[str, Any]]:
    """What changed from one version to the next: field path (with its Chinese label), old → new."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[dict[str, Any]] = []
        for key in list(old) + [k for k in new if k not in old]:
            out += diff(old.get(key), new.get(key), f"{path}.{key}" if path else str(key))
        return out
    if isinstance(old, list) and isinstance(new, list) and all(isinstance(x, dict) and "id" in x for x in old + new):
        before, after = {x["id"]: x for x in old}, {x["id"]: x for x in new}
        out = []
        for key in list(before) + [k for k in after if k not in before]:
            out += diff(before.get(key), after.get(key), f"{path}[{key}]")
        return out
    if old == new:
        return []
    top = path.split(".")[0].split("[")[0]
    return [{"field": path, "label": LABELS.get(top, top), "old": old, "new": new}]
