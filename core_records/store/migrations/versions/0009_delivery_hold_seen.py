"""When a held event was last seen (``core_records.tables.delivery_hold.seen_at``).

Revision ID: 0009_delivery_hold_seen
Revises: 0008_non_associations
Create Date: 2026-12-01

A hold guards an event waiting in a delay tier. Each time that event comes back and waits
again, its hold is seen again; a hold not seen for longer than any delay tier guards an
event that is no longer queued, and the hold sweep releases it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_delivery_hold_seen"
down_revision: str | None = "0008_non_associations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("delivery_hold") as batch:
        batch.add_column(sa.Column("seen_at", Time, nullable=True))
    op.execute("UPDATE delivery_hold SET seen_at = parked_at")
    with op.batch_alter_table("delivery_hold") as batch:
        batch.alter_column("seen_at", existing_type=Time, nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("delivery_hold") as batch:
        batch.drop_column("seen_at")
