"""Purposes on a partner token's grant, for the data share.

Revision ID: 0023_token_purposes
Revises: 0022_ingest_partitions
Create Date: 2026-12-02

For SQLite and PostgreSQL alike. Constraint names follow
``core_records.tables.NAMING_CONVENTION``. ``purposes`` is a JSON array (a purpose may
hold a comma); NULL (every token issued before) names none, and the data share falls back
to the partner's policy.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_token_purposes"
down_revision: str | None = "0022_ingest_partitions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("partner_token_grant") as batch:
        batch.add_column(sa.Column("purposes", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("partner_token_grant") as batch:
        batch.drop_column("purposes")
