"""Indexes for a city's register (bench/register_scale.py: 10,000 cases): events by kind and county
(the quota ledger, suspensions), parcels by their box's width (so the overlap query can bound its
range on minx with the widest parcel)."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_index("ix_events_kind_county_day", "events", ["kind", "county_code", "day"])
    op.create_index("ix_parcels_width", "parcels", [sa.text("(maxx - minx)")])
    op.create_index("ix_parcels_minx", "parcels", ["minx"])
    op.create_index("ix_events_corrects", "events", ["corrects"])


def downgrade() -> None:
    op.drop_index("ix_events_corrects", "events")
    op.drop_index("ix_parcels_minx", "parcels")
    op.drop_index("ix_parcels_width", "parcels")
    op.drop_index("ix_events_kind_county_day", "events")
