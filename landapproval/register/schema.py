"""The register's tables (SQLAlchemy 2 Core): one schema for SQLite and PostgreSQL.

Areas are whole square metres (hectares × 10⁴, exact: the case file admits 4 decimals); a boundary
is WKB in the case CRS (EPSG:4525) with its bounding box, so an overlap query is a box filter in SQL
and then shapely — one path on both databases. The schema is created and changed only by the
Alembic revisions in `migrations/`; `HEAD` names the revision this code reads.
"""

from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, Column, Date, DateTime, Float, ForeignKey, Index, Integer,
                        LargeBinary, MetaData, String, Table, Text, UniqueConstraint)

HEAD = "0003"

metadata = MetaData()

cases = Table(
    "cases", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("county_code", String(6), nullable=False),
    Column("case_id", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("title", Text),
    Column("project_code", String(100)),
    Column("project_name", Text),
    Column("project_applicant", Text),
    Column("first_filed_on", Date),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
    UniqueConstraint("county_code", "case_id", name="uq_cases_county_case"),
)
Index("ix_cases_project_code", cases.c.project_code)

versions = Table(
    "versions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_pk", Integer, ForeignKey("cases.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("raw", LargeBinary),
    Column("normalised", Text, nullable=False),
    Column("changes", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("recorded_by", String(200), nullable=False),
    UniqueConstraint("case_pk", "number", name="uq_versions_number"),
    UniqueConstraint("case_pk", "sha256", name="uq_versions_sha"),
)

decisions = Table(
    "decisions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("version_pk", Integer, ForeignKey("versions.id"), nullable=False),
    Column("rules_sha256", String(64), nullable=False),
    Column("package_version", String(50), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("approvable", Boolean, nullable=False),
    Column("conversion_level", String(20)),
    Column("expropriation_level", String(20)),
    Column("decision", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("version_pk", "rules_sha256", name="uq_decisions_rules"),
)

events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("county_code", String(6), nullable=False),
    Column("case_pk", Integer, ForeignKey("cases.id")),
    Column("kind", String(20), nullable=False),
    Column("day", Date, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("note", Text),
    Column("corrects", Integer, ForeignKey("events.id")),
)
Index("ix_events_case", events.c.case_pk)
Index("ix_events_county_day", events.c.county_code, events.c.day)
Index("ix_events_kind_county_day", events.c.kind, events.c.county_code, events.c.day)
Index("ix_events_corrects", events.c.corrects)

quota = Table(
    "quota", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("county_code", String(6), nullable=False),
    Column("year", Integer, nullable=False),
    Column("area_m2", BigInteger, nullable=False),
    Column("kind", String(20), nullable=False),   # quota | additional
    Column("source", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("recorded_by", String(200), nullable=False),
)

parcels = Table(
    "parcels", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("version_pk", Integer, ForeignKey("versions.id"), nullable=False),
    Column("case_pk", Integer, ForeignKey("cases.id"), nullable=False),
    Column("current", Boolean, nullable=False),
    Column("parcel_id", String(200), nullable=False),
    Column("expropriated", Boolean, nullable=False),
    Column("pbf_m2", BigInteger, nullable=False),
    Column("cultivated_m2", BigInteger, nullable=False),
    Column("other_agricultural_m2", BigInteger, nullable=False),
    Column("construction_m2", BigInteger, nullable=False),
    Column("unused_m2", BigInteger, nullable=False),
    Column("wkb", LargeBinary),
    Column("minx", Float), Column("miny", Float), Column("maxx", Float), Column("maxy", Float),
)
Index("ix_parcels_case_current", parcels.c.case_pk, parcels.c.current)
Index("ix_parcels_box", parcels.c.minx, parcels.c.maxx)
Index("ix_parcels_pid", parcels.c.parcel_id)
Index("ix_parcels_width", (parcels.c.maxx - parcels.c.minx))
Index("ix_parcels_minx", parcels.c.minx)
