"""Establishments' deployment state (legacy, migrating, live) and held legacy messages
(``core_records.estate.tables``).

Revision ID: 0019_estate
Revises: 0018_business_mi
Create Date: 2026-12-02

For SQLite and PostgreSQL alike. Constraint names follow
``core_records.tables.NAMING_CONVENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_estate"
down_revision: str | None = "0018_business_mi"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Time = sa.DateTime(timezone=True)
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "establishment_state",
        sa.Column("establishment", sa.String(8), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("since", Time, nullable=False),
        sa.Column("changed_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("establishment", name="pk_establishment_state"),
    )
    op.create_table(
        "estate_held_message",
        sa.Column("id", BigId, nullable=False),
        sa.Column("message_id", sa.String(128), nullable=False),
        sa.Column("establishment", sa.String(8), nullable=False),
        sa.Column("adapter", sa.String(64), nullable=False),
        sa.Column("partner", sa.String(100), nullable=False),
        sa.Column("message_type", sa.String(64), nullable=False),
        sa.Column("correlation_id", sa.String(128), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", Time, nullable=False),
        sa.Column("held_at", Time, nullable=False),
        sa.Column("released_at", Time, nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_estate_held_message"),
        sa.UniqueConstraint("message_id", name="uq_estate_held_message_message_id"),
    )
    op.create_index(
        "ix_estate_held_message_establishment_released_at",
        "estate_held_message",
        ["establishment", "released_at"],
    )


def downgrade() -> None:
    op.drop_index(
        "ix_estate_held_message_establishment_released_at", table_name="estate_held_message"
    )
    op.drop_table("estate_held_message")
    op.drop_table("establishment_state")
