"""The first register schema: cases, versions, decisions, events and the quota ledger."""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("county_code", sa.String(6), nullable=False),
        sa.Column("case_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("first_filed_on", sa.Date),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.UniqueConstraint("county_code", "case_id", name="uq_cases_county_case"))
    op.create_table(
        "versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_pk", sa.Integer, sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("raw", sa.LargeBinary),
        sa.Column("normalised", sa.Text, nullable=False),
        sa.Column("changes", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.UniqueConstraint("case_pk", "number", name="uq_versions_number"),
        sa.UniqueConstraint("case_pk", "sha256", name="uq_versions_sha"))
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("version_pk", sa.Integer, sa.ForeignKey("versions.id"), nullable=False),
        sa.Column("rules_sha256", sa.String(64), nullable=False),
        sa.Column("package_version", sa.String(50), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("approvable", sa.Boolean, nullable=False),
        sa.Column("conversion_level", sa.String(20)),
        sa.Column("expropriation_level", sa.String(20)),
        sa.Column("decision", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("version_pk", "rules_sha256", name="uq_decisions_rules"))
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("county_code", sa.String(6), nullable=False),
        sa.Column("case_pk", sa.Integer, sa.ForeignKey("cases.id")),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("corrects", sa.Integer, sa.ForeignKey("events.id")))
    op.create_index("ix_events_case", "events", ["case_pk"])
    op.create_index("ix_events_county_day", "events", ["county_code", "day"])
    op.create_table(
        "quota",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("county_code", sa.String(6), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("area_m2", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False))


def downgrade() -> None:
    for table in ("quota", "events", "decisions", "versions", "cases"):
        op.drop_table(table)
