"""Registers to test on: a SQLite file, and a database of its own on the real PostgreSQL
(LANDAPPROVAL_TEST_PG; under CI=true its absence fails, elsewhere the PostgreSQL half is skipped)."""

from __future__ import annotations

import os
import uuid

import pytest

from landapproval.law import Law
from landapproval.register import Register

PG = os.environ.get("LANDAPPROVAL_TEST_PG")


def _admin():
    import psycopg
    return psycopg.connect(PG, autocommit=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh, empty register address: a SQLite file, or a new PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        yield str(tmp_path / "台账.sqlite")
        return
    if not PG:
        if os.environ.get("CI") == "true":
            pytest.fail("LANDAPPROVAL_TEST_PG is not set: the register must be tested on PostgreSQL in CI")
        pytest.skip("LANDAPPROVAL_TEST_PG not set (a PostgreSQL server for the register tests)")
    name = f"la_register_{uuid.uuid4().hex[:12]}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with _admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def register(db_url):
    reg = Register.open(db_url, law=Law.default())
    yield reg
    reg.close()


def case(case_id, *, county="洪洞县", parcels, project=None, filed_on="2024-08-01", kind="batch", review=None,
         workflow=None):
    """A small case file as a dict: parcels are (id, cultivated ha, other agricultural ha[, WKT boundary])."""
    out = {"id": case_id, "county": county, "kind": kind, "filed_on": filed_on,
           "scope": {"within_construction_scale": True, "development_zone": None}, "parcels": []}
    for entry in parcels:
        pid, cultivated, other = entry[:3]
        parcel = {"id": pid, "ownership": "collective",
                  "land": {"cultivated": str(cultivated), "other_agricultural": str(other)}}
        if len(entry) > 3:
            parcel["boundary"] = {"format": "wkt", "data": entry[3], "crs": "EPSG:4525"}
        out["parcels"].append(parcel)
    if project is not None:
        out["project"] = project
    if review is not None:
        out["review"] = review
    if workflow is not None:
        out["workflow"] = workflow
    return out


def square(x0, y0, side):
    """A square in EPSG:4525 metres (easting with the zone prefix 37, inside Linfen)."""
    return (f"POLYGON (({x0} {y0}, {x0 + side} {y0}, {x0 + side} {y0 + side}, {x0} {y0 + side}, {x0} {y0}))")


def findings(decision, code):
    return [f for item in (*decision.checks, *decision.steps) for f in item.findings if f.code == code]
