"""Generic event subscribers (issue 13).

Revision ID: 0017_subscribers
Revises: 0016_courts
Create Date: 2026-12-02

For SQLite and PostgreSQL alike. Constraint names follow
``core_records.tables.NAMING_CONVENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0017_subscribers"
down_revision: str | None = "0016_courts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
