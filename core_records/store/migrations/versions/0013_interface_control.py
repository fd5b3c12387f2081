"""Interface pauses and scheduled dead-letter retry (issue 14).

Revision ID: 0013_interface_control
Revises: 0012_message_history
Create Date: 2026-12-02

For SQLite and PostgreSQL alike. Constraint names follow
``core_records.tables.NAMING_CONVENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_interface_control"
down_revision: str | None = "0012_message_history"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "interface_pause",
        sa.Column("interface", sa.String(80), nullable=False),
        sa.Column("paused_by", sa.String(128), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("since", Time, nullable=False),
        sa.PrimaryKeyConstraint("interface", name="pk_interface_pause"),
    )
    op.create_table(
        "dead_letter_retry_schedule",
        sa.Column("interface", sa.String(80), nullable=False),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        sa.Column("max_retries", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.String(128), nullable=False),
        sa.Column("set_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("interface", name="pk_dead_letter_retry_schedule"),
    )


def downgrade() -> None:
    op.drop_table("dead_letter_retry_schedule")
    op.drop_table("interface_pause")
