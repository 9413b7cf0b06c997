"""The project of each case (实施条例 第二十五条) and the parcels of each version (land filed twice).

An existing register is filled from the versions it already holds: each case's project from its
latest version, each version's parcels (areas; boundaries given inline as WKT are measured; a
boundary given as a path could not be stored by 0001 and stays unknown)."""

import json
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def _m2(value: object) -> int:  # an area from the stored JSON (a number, text or None)
    return int(Decimal(str(value or 0)).scaleb(4))


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("project_code", sa.String(100)))
        batch.add_column(sa.Column("project_name", sa.Text))
        batch.add_column(sa.Column("project_applicant", sa.Text))
    op.create_index("ix_cases_project_code", "cases", ["project_code"])
    parcels = op.create_table(
        "parcels",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("version_pk", sa.Integer, sa.ForeignKey("versions.id"), nullable=False),
        sa.Column("case_pk", sa.Integer, sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("current", sa.Boolean, nullable=False),
        sa.Column("parcel_id", sa.String(200), nullable=False),
        sa.Column("expropriated", sa.Boolean, nullable=False),
        sa.Column("pbf_m2", sa.BigInteger, nullable=False),
        sa.Column("cultivated_m2", sa.BigInteger, nullable=False),
        sa.Column("other_agricultural_m2", sa.BigInteger, nullable=False),
        sa.Column("construction_m2", sa.BigInteger, nullable=False),
        sa.Column("unused_m2", sa.BigInteger, nullable=False),
        sa.Column("wkb", sa.LargeBinary),
        sa.Column("minx", sa.Float), sa.Column("miny", sa.Float), sa.Column("maxx", sa.Float),
        sa.Column("maxy", sa.Float))
    op.create_index("ix_parcels_case_current", "parcels", ["case_pk", "current"])
    op.create_index("ix_parcels_box", "parcels", ["minx", "maxx"])
    op.create_index("ix_parcels_pid", "parcels", ["parcel_id"])

    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, case_pk, number, normalised FROM versions ORDER BY case_pk, number")).all()
    latest: dict[int, int] = {}
    for row in rows:
        latest[row.case_pk] = max(latest.get(row.case_pk, 0), row.number)
    cases_table = sa.table("cases", sa.column("id"), sa.column("project_code"), sa.column("project_name"),
                           sa.column("project_applicant"))
    for row in rows:
        case = json.loads(row.normalised)
        current = row.number == latest[row.case_pk]
        if current:
            project = case.get("project") or {}
            bind.execute(cases_table.update().where(cases_table.c.id == row.case_pk).values(
                project_code=project.get("code"), project_name=project.get("name"),
                project_applicant=project.get("applicant")))
        for parcel in case.get("parcels", []):
            land = parcel.get("land", {})
            ownership = parcel.get("ownership")
            expropriate = parcel.get("expropriate")
            if expropriate is None:
                expropriate = ownership == "collective" and case.get("kind") != "village_housing"
            bind.execute(parcels.insert().values(
                version_pk=row.id, case_pk=row.case_pk, current=current, parcel_id=str(parcel["id"]),
                expropriated=bool(expropriate and ownership != "state"),
                pbf_m2=_m2(land.get("permanent_basic_farmland")), cultivated_m2=_m2(land.get("cultivated")),
                other_agricultural_m2=_m2(land.get("other_agricultural")),
                construction_m2=_m2(land.get("construction")), unused_m2=_m2(land.get("unused"))))


def downgrade() -> None:
    op.drop_table("parcels")
    op.drop_index("ix_cases_project_code", "cases")
    with op.batch_alter_table("cases") as batch:
        for name in ("project_applicant", "project_name", "project_code"):
            batch.drop_column(name)
