"""Shared limits: partner request rates and the dashboard sign-in throttle, kept in the store
so that every api process counts against the same limit (``core_records.tables.rate_limit``,
``core_records.tables.sign_in_throttle``).

Revision ID: 0011_shared_limits
Revises: 0010_submissions
Create Date: 2026-12-02

For SQLite and PostgreSQL alike. Constraint names follow
``core_records.tables.NAMING_CONVENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_shared_limits"
down_revision: str | None = "0010_submissions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "rate_limit",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("tat_us", sa.BigInteger(), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_rate_limit"),
    )
    op.create_table(
        "sign_in_throttle",
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("subject", sa.String(100), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", Time, nullable=False),
        sa.Column("locked_until", Time, nullable=True),
        sa.PrimaryKeyConstraint("kind", "subject", name="pk_sign_in_throttle"),
    )
    op.create_index(
        "ix_sign_in_throttle_window_started_at", "sign_in_throttle", ["window_started_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_sign_in_throttle_window_started_at", table_name="sign_in_throttle")
    op.drop_table("sign_in_throttle")
    op.drop_table("rate_limit")
