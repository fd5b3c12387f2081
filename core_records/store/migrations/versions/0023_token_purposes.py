"""Purposes on a partner token's grant, for the data share.

Revision ID: 0023_token_purposes
Revises: 0022_ingest_partitions
Create Date: 2026-12-02

For SQLite and PostgreSQL alike. Constraint names follow
``core_records.tables.NAMING_CONVENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0023_token_purposes"
down_revision: str | None = "0022_ingest_partitions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
