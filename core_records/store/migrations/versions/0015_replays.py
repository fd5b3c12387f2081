"""Replay runs: an interface's documents sent to its partner again, over a window, for one
person or one document (``core_records.tables.replay_run``).

Revision ID: 0015_replays
Revises: 0014_retention
Create Date: 2026-12-02

For SQLite and PostgreSQL alike. Constraint names follow
``core_records.tables.NAMING_CONVENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_replays"
down_revision: str | None = "0014_retention"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "replay_run",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("adapter", sa.String(64), nullable=False),
        sa.Column("since", Time, nullable=True),
        sa.Column("until", Time, nullable=True),
        sa.Column("person_key", sa.String(16), nullable=True),
        sa.Column("event_id", sa.String(128), nullable=True),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("rate_per_s", sa.Float(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("selected", sa.Integer(), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("filtered", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.Column("owner", sa.String(200), nullable=True),
        sa.Column("lease_until", Time, nullable=True),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("finished_at", Time, nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_replay_run"),
    )
    op.create_index("ix_replay_run_status_created_at", "replay_run", ["status", "created_at"])
    op.create_index("ix_replay_run_adapter_created_at", "replay_run", ["adapter", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_replay_run_adapter_created_at", table_name="replay_run")
    op.drop_index("ix_replay_run_status_created_at", table_name="replay_run")
    op.drop_table("replay_run")
