"""Business figures: indexes that let the business page (``monitoring.business``) read a
period's movements and each prison's population now without scanning the record, and the
movement-to-delivery summary kept from the journal
(``core_records.bookkeeping.movement_deliveries``) with its watermark.

Revision ID: 0018_business_mi
Revises: 0017_subscribers
Create Date: 2026-12-02

For SQLite and PostgreSQL alike. Constraint names follow
``core_records.tables.NAMING_CONVENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_business_mi"
down_revision: str | None = "0017_subscribers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IN_PRISON = sa.text("custody_status = 'IN_PRISON'")
Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_index("ix_movement_occurred_at", "movement", ["occurred_at"])
    op.create_index("ix_movement_message_id", "movement", ["message_id"])
    op.create_index(
        "ix_person_in_prison_establishment",
        "person",
        ["current_establishment"],
        postgresql_where=IN_PRISON,
        sqlite_where=IN_PRISON,
    )
    op.create_table(
        "movement_delivery",
        sa.Column("message_id", sa.String(128), nullable=False),
        sa.Column("adapter", sa.String(64), nullable=False),
        sa.Column("occurred_at", Time, nullable=False),
        sa.Column("prison_in", sa.String(6), nullable=True),
        sa.Column("prison_out", sa.String(6), nullable=True),
        sa.Column("stored_at", Time, nullable=False),
        sa.Column("delivered_at", Time, nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("message_id", "adapter", name="pk_movement_delivery"),
    )
    op.create_index("ix_movement_delivery_occurred_at", "movement_delivery", ["occurred_at"])
    op.create_table(
        "summary_watermark",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("safe_id", sa.BigInteger(), nullable=False),
        sa.Column("seen_id", sa.BigInteger(), nullable=False),
        sa.Column("seen_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_summary_watermark"),
    )


def downgrade() -> None:
    op.drop_table("summary_watermark")
    op.drop_index("ix_movement_delivery_occurred_at", table_name="movement_delivery")
    op.drop_table("movement_delivery")
    op.drop_index("ix_person_in_prison_establishment", table_name="person")
    op.drop_index("ix_movement_message_id", table_name="movement")
    op.drop_index("ix_movement_occurred_at", table_name="movement")
