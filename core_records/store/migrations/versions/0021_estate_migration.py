"""Establishment migrations from legacy extracts and their cleansing reports.

Revision ID: 0021_estate_migration
Revises: 0020_lids
Create Date: 2026-12-02

For SQLite and PostgreSQL alike. Constraint names follow
``core_records.tables.NAMING_CONVENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_estate_migration"
down_revision: str | None = "0020_lids"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "migration_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("establishment", sa.String(6), nullable=False),
        sa.Column("extract_name", sa.String(255), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("started_at", Time, nullable=False),
        sa.Column("finished_at", Time, nullable=True),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("loaded", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.Column("report_html", sa.Text(), nullable=True),
        sa.Column("report_csv", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_migration_run"),
    )
    op.create_index("ix_migration_run_establishment", "migration_run", ["establishment"])
    op.create_table(
        "migration_row",
        sa.Column("establishment", sa.String(6), nullable=False),
        sa.Column("lids_number", sa.String(16), nullable=False),
        sa.Column("row_hash", sa.String(32), nullable=False),
        sa.Column("message_id", sa.String(128), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("prison_number", sa.String(7), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", Time, nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["migration_run.id"], name="fk_migration_row_run_id_migration_run"
        ),
        sa.PrimaryKeyConstraint(
            "establishment", "lids_number", "row_hash", name="pk_migration_row"
        ),
    )
    op.create_index("ix_migration_row_run_id", "migration_row", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_migration_row_run_id", table_name="migration_row")
    op.drop_table("migration_row")
    op.drop_index("ix_migration_run_establishment", table_name="migration_run")
    op.drop_table("migration_run")
