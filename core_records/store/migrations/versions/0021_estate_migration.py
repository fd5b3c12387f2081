"""Establishment migrations from legacy extracts and their cleansing reports.

Revision ID: 0021_estate_migration
Revises: 0020_lids
Create Date: 2026-12-02

For SQLite and PostgreSQL alike. Constraint names follow
``core_records.tables.NAMING_CONVENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0021_estate_migration"
down_revision: str | None = "0020_lids"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
