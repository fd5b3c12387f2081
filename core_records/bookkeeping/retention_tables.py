"""The retention table: one row per prune of one kind of data held
(``core_records.bookkeeping.retention``), so that the information-governance page can say
when each was last pruned and what went."""

from __future__ import annotations

import sqlalchemy as sa

from core_records.store.schema import metadata
from core_records.timestamps import UtcDateTime

retention_run = sa.Table(
    "retention_run",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # What was pruned: ``journal``, ``documents`` or ``data_share_audit``.
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    # Everything older than this went; everything at or after it stays.
    sa.Column("cutoff", UtcDateTime, nullable=False),
    sa.Column("rows_deleted", sa.BigInteger, nullable=False),
    # The partitions dropped whole (PostgreSQL), comma-separated; empty when none.
    sa.Column("partitions_dropped", sa.Text, nullable=False),
    sa.Index("ix_retention_run_kind_at", "kind", "at"),
)
