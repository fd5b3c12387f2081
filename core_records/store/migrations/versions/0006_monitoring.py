"""Service monitoring: journal search indexes, interface health history, dashboard users.

Revision ID: 0006_monitoring
Revises: 0005_file_interfaces
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_monitoring"
down_revision: str | None = "0005_file_interfaces"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Time = sa.DateTime(timezone=True)
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_JOURNAL_INDEXES = {
    "ix_journal_person_key_id": ["person_key", "id"],
    "ix_journal_adapter_id": ["adapter", "id"],
    "ix_journal_adapter_direction_at": ["adapter", "direction", "at"],
}


def upgrade() -> None:
    for name, columns in _JOURNAL_INDEXES.items():
        op.create_index(name, "journal", columns)
    op.create_table(
        "interface_health_change",
        sa.Column("id", BigId, nullable=False),
        sa.Column("adapter", sa.String(64), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("previous_status", sa.String(8)),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", Time, nullable=False),
        sa.Column("notified_at", Time),
        sa.PrimaryKeyConstraint("id", name="pk_interface_health_change"),
    )
    op.create_index(
        "ix_interface_health_change_adapter_direction_id",
        "interface_health_change",
        ["adapter", "direction", "id"],
    )
    op.create_index(
        "ix_interface_health_change_unnotified",
        "interface_health_change",
        ["id"],
        postgresql_where=sa.text("notified_at IS NULL"),
        sqlite_where=sa.text("notified_at IS NULL"),
    )
    op.create_table(
        "dashboard_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("disabled_at", Time),
        sa.PrimaryKeyConstraint("id", name="pk_dashboard_user"),
        sa.UniqueConstraint("username", name="uq_dashboard_user_username"),
    )
    op.create_table(
        "dashboard_session",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("expires_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_dashboard_session"),
    )
    op.create_index("ix_dashboard_session_username", "dashboard_session", ["username"])
    op.create_index("ix_dashboard_session_expires_at", "dashboard_session", ["expires_at"])


def downgrade() -> None:
    op.drop_table("dashboard_session")
    op.drop_table("dashboard_user")
    op.drop_table("interface_health_change")
    for name in _JOURNAL_INDEXES:
        op.drop_index(name, table_name="journal")
