"""Establishments' deployment state (legacy, migrating, live) and held legacy messages.

Revision ID: 0019_estate
Revises: 0018_business_mi
Create Date: 2026-12-02

For SQLite and PostgreSQL alike. Constraint names follow
``core_records.tables.NAMING_CONVENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0019_estate"
down_revision: str | None = "0018_business_mi"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
