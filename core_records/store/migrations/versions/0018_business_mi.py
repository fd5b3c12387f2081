"""Business figures: indexes that let the business page (``monitoring.business``) read a
period's movements and each prison's population now without scanning the record.

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


def upgrade() -> None:
    op.create_index("ix_movement_occurred_at", "movement", ["occurred_at"])
    op.create_index(
        "ix_person_in_prison_establishment",
        "person",
        ["current_establishment"],
        postgresql_where=IN_PRISON,
        sqlite_where=IN_PRISON,
    )


def downgrade() -> None:
    op.drop_index("ix_person_in_prison_establishment", table_name="person")
    op.drop_index("ix_movement_occurred_at", table_name="movement")
