"""Batch file interfaces: the files partners dropped, their progress and unreadable lines.

Revision ID: 0005_file_interfaces
Revises: 0004_canteen
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_file_interfaces"
down_revision: str | None = "0004_canteen"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Time = sa.DateTime(timezone=True)
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "file_transfer",
        sa.Column("id", BigId, nullable=False),
        sa.Column("interface", sa.String(64), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("correlation_id", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("lines_read", sa.Integer(), nullable=False),
        sa.Column("records_published", sa.Integer(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("started_at", Time, nullable=False),
        sa.Column("finished_at", Time, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_file_transfer"),
        sa.UniqueConstraint("correlation_id", name="uq_file_transfer_correlation_id"),
        sa.UniqueConstraint("interface", "file_name", "sha256", name="uq_file_transfer_identity"),
    )
    op.create_table(
        "file_line_error",
        sa.Column("transfer_id", BigId, nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["file_transfer.id"],
            name="fk_file_line_error_transfer_id_file_transfer",
        ),
        sa.PrimaryKeyConstraint("transfer_id", "line", name="pk_file_line_error"),
    )


def downgrade() -> None:
    op.drop_table("file_line_error")
    op.drop_table("file_transfer")
