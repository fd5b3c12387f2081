"""Message history: every partner document received or sent, compressed with its SHA-256
(``core_records.tables.message_document``), and the dashboard grant to read them
(``dashboard_user.may_view_content``).

Revision ID: 0012_message_history
Revises: 0011_shared_limits
Create Date: 2026-12-02

For SQLite and PostgreSQL alike; the table is created plain here (a later revision makes it
range-partitioned on PostgreSQL). Constraint names follow
``core_records.tables.NAMING_CONVENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_message_history"
down_revision: str | None = "0011_shared_limits"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Time = sa.DateTime(timezone=True)
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_INDEXES = ("message_id", "correlation_id", "stored_at")


def upgrade() -> None:
    op.create_table(
        "message_document",
        sa.Column("id", BigId, nullable=False),
        sa.Column("message_id", sa.String(128), nullable=False),
        sa.Column("correlation_id", sa.String(128), nullable=True),
        sa.Column("interface", sa.String(80), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("partner", sa.String(200), nullable=True),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_message_document"),
    )
    for column in _INDEXES:
        op.create_index(f"ix_message_document_{column}", "message_document", [column])
    with op.batch_alter_table("dashboard_user") as batch:
        batch.add_column(
            sa.Column("may_view_content", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("dashboard_user") as batch:
        batch.drop_column("may_view_content")
    for column in _INDEXES:
        op.drop_index(f"ix_message_document_{column}", table_name="message_document")
    op.drop_table("message_document")
