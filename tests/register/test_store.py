"""The register itself: versions, idempotent adds, append-only events in workflow order, the
schema's migration from its first revision, and concurrent writers (threads and processes)."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import threading

import orjson
import pytest
from sqlalchemy import func, select, text

from landapproval.core.errors import InputError
from landapproval.register import Register
from landapproval.register import db as register_db
from landapproval.register.schema import HEAD, events, parcels, versions
from tests.register.conftest import case


def test_same_file_twice_is_one_version_and_a_correction_is_the_next_with_what_changed(register):
    first = register.add(case("HD-2024-01", parcels=[("A", 1, 0)]), by="县局 张")
    again = register.add(case("HD-2024-01", parcels=[("A", 1, 0)]), by="县局 张")
    assert (first.version, first.new, again.version, again.new) == (1, True, 1, False)
    fixed = register.add(case("HD-2024-01", parcels=[("A", "1.5", 0)], filed_on="2024-08-02"), by="县局 张")
    assert (fixed.version, fixed.new) == (2, True)
    changed = {c["field"]: (c["old"], c["new"]) for c in fixed.changes}
    assert changed == {"filed_on": ("2024-08-01", "2024-08-02"), "parcels[A].land.cultivated": ("1.0000", "1.5000")} or \
        changed == {"filed_on": ("2024-08-01", "2024-08-02"), "parcels[A].land.cultivated": ("1", "1.5")}
    assert {c["label"] for c in fixed.changes} == {"报件日期", "地块"}
    shown = register.show("洪洞县", "HD-2024-01")
    assert [v["number"] for v in shown["versions"]] == [1, 2]
    rules = shown["versions"][1]["decisions"][0]["rules_sha256"]
    assert rules == register.law.fingerprint and len(rules) == 64


def test_events_out_of_order_are_refused_and_nothing_is_written(register):
    register.add(case("HD-2024-01", parcels=[("A", 1, 0)]), by="县局")
    with pytest.raises(InputError, match="批复须在审定之后"):
        register.event("洪洞县", "HD-2024-01", "批复", "2024-08-05", by="市局")
    register.event("洪洞县", "HD-2024-01", "受理", "2024-08-05", by="市局")
    with pytest.raises(InputError, match="早于受理日期"):
        register.event("洪洞县", "HD-2024-01", "会审", "2024-08-04", by="市局")
    with pytest.raises(InputError, match="退件须写明理由"):
        register.event("洪洞县", "HD-2024-01", "退件", "2024-08-06", by="市局")
    with pytest.raises(InputError, match="不是有效日期"):
        register.event("洪洞县", "HD-2024-01", "会审", "2024-02-30", by="市局")
    with pytest.raises(InputError, match="没有 141024 的案件 HD-2099"):
        register.event("洪洞县", "HD-2099", "受理", "2024-08-05", by="市局")
    assert len(register.show("洪洞县", "HD-2024-01")["events"]) == 1


def test_a_correction_is_a_new_event_that_names_the_one_it_corrects(register):
    register.add(case("HD-2024-01", parcels=[("A", 1, 0)]), by="县局")
    wrong = register.event("洪洞县", "HD-2024-01", "受理", "2024-08-15", by="市局")
    register.event("洪洞县", "HD-2024-01", "受理", "2024-08-05", by="市局", corrects=wrong, note="日期录错")
    register.event("洪洞县", "HD-2024-01", "会审", "2024-08-10", by="市局")  # after the corrected day
    shown = register.show("洪洞县", "HD-2024-01")
    assert [e["kind"] for e in shown["events"]] == ["受理", "受理", "会审"]  # nothing deleted
    assert shown["status"] == "已会审"


def test_an_old_register_is_migrated_from_the_first_schema_version(db_url):
    """A register written by revision 0001 (no project, no parcels) opens at HEAD with both filled in
    from its stored versions — and the cross-case rules then see its cases."""
    engine = register_db.make_engine(register_db.resolve_url(db_url))
    now = dt.datetime(2024, 8, 1, tzinfo=dt.timezone.utc)
    normalised = case("HD-2024-01", parcels=[("A", 20, 0)], project={"code": "P-1", "phases_in_feasibility_study": False})
    with register_db.write(engine) as conn:
        register_db.upgrade(conn, "0001")
        conn.execute(text("INSERT INTO cases (county_code, case_id, kind, created_at, created_by) "
                          "VALUES ('141024', 'HD-2024-01', 'batch', :t, 'old')"), {"t": now})
        conn.execute(text("INSERT INTO versions (case_pk, number, sha256, normalised, changes, recorded_at, recorded_by) "
                          "VALUES (1, 1, :h, :n, '[]', :t, 'old')"), {"h": "0" * 64, "n": orjson.dumps(normalised).decode(), "t": now})
    engine.dispose()
    register = Register.open(db_url)
    try:
        assert register.migrated_from == "0001"
        with register.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(parcels)).scalar() == 1
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        second = register.add(case("HD-2024-02", parcels=[("B", 20, 0)], project={"code": "P-1", "phases_in_feasibility_study": False}), by="县局")
        assert "register.same_project" in second.decision.blocking
    finally:
        register.close()


def test_a_register_newer_than_the_code_is_refused(db_url):
    register = Register.open(db_url)
    with register_db.write(register.engine) as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    register.close()
    register_db._migrated.clear()
    with pytest.raises(InputError, match="比本程序.*新"):
        Register.open(db_url)


def test_two_writer_threads_lose_nothing(register):
    register.add(case("HD-2024-01", parcels=[("A", 1, 0)]), by="县局")
    register.event("洪洞县", "HD-2024-01", "受理", "2024-08-01", by="市局")
    errors = []

    def writer(name):
        try:
            for n in range(25):
                register.event("洪洞县", "HD-2024-01", "补正", "2024-08-02", by=name, note=f"{name} {n}")
                register.add(case(f"HD-{name}-{n}", parcels=[(f"{name}-{n}", 1, 0)]), by=name)
        except Exception as error:  # pragma: no cover - the assertion below reports it
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("甲", "乙")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with register.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(events).where(events.c.kind == "补正")).scalar() == 50
        assert conn.execute(select(func.count()).select_from(versions)).scalar() == 51


def _process_writer(url, name, count):
    register = Register.open(url)
    for n in range(count):
        register.event("洪洞县", "HD-2024-01", "补正", "2024-08-02", by=name, note=str(n))
        register.add(case("HD-2024-01", parcels=[("A", 1, 0)], filed_on=f"2024-0{1 + n % 7}-{10 + n:02d}"
                          if name == "甲" else f"2023-0{1 + n % 7}-{10 + n:02d}"), by=name)
    register.close()


def test_two_writer_processes_lose_nothing(db_url):
    register = Register.open(db_url)
    register.add(case("HD-2024-01", parcels=[("A", 1, 0)]), by="县局")
    register.event("洪洞县", "HD-2024-01", "受理", "2024-08-01", by="市局")
    spawn = multiprocessing.get_context("spawn")
    workers = [spawn.Process(target=_process_writer, args=(db_url, name, 12)) for name in ("甲", "乙")]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=300)
    assert [w.exitcode for w in workers] == [0, 0]
    shown = register.show("洪洞县", "HD-2024-01")
    assert sum(e["kind"] == "补正" for e in shown["events"]) == 24
    numbers = [v["number"] for v in shown["versions"]]
    assert numbers == list(range(1, 26))  # every version kept, numbered without a gap or a repeat
    register.close()
