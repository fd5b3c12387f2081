"""Submissions: each partner's message references, so that a resend answers as the first
post did (``core_records.tables.submission``, ``core_records.bookkeeping.submissions``).

Revision ID: 0010_submissions
Revises: 0009_delivery_hold_seen
Create Date: 2026-12-02

For SQLite and PostgreSQL alike. Constraint names follow
``core_records.tables.NAMING_CONVENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_submissions"
down_revision: str | None = "0009_delivery_hold_seen"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.String(128)
Time = sa.DateTime(timezone=True)
TABLE = "submission"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("partner", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(128), nullable=False),
        sa.Column("body_sha256", sa.String(64), nullable=False),
        sa.Column("message_id", Id, nullable=False),
        sa.Column("received_at", Time, nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("partner", "reference", name=f"pk_{TABLE}"),
    )
    op.create_index(f"ix_{TABLE}_received_at", TABLE, ["received_at"])


def downgrade() -> None:
    op.drop_index(f"ix_{TABLE}_received_at", table_name=TABLE)
    op.drop_table(TABLE)
