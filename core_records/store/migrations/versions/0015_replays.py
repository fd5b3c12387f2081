"""Resend and replay (issue 14).

Revision ID: 0015_replays
Revises: 0014_retention
Create Date: 2026-12-02

For SQLite and PostgreSQL alike. Constraint names follow
``core_records.tables.NAMING_CONVENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0015_replays"
down_revision: str | None = "0014_retention"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
