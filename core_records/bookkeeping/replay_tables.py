"""The table of replay runs: an interface's documents sent to its partner again, over a time
window, for one person, or one document (a resend).

A run is a request first (``pending``) and then work in progress: ``cursor`` is the outbox
sequence of the last event handled, so a run whose worker died resumes after it once its
lease (``owner``, ``lease_until``) has lapsed.
"""

from __future__ import annotations

import sqlalchemy as sa

from core_records.store.schema import Id, metadata
from core_records.timestamps import UtcDateTime

replay_run = sa.Table(
    "replay_run",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("adapter", sa.String(64), nullable=False),
    sa.Column("since", UtcDateTime),
    sa.Column("until", UtcDateTime),
    sa.Column("person_key", sa.String(16)),
    sa.Column("event_id", Id),
    sa.Column("mode", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("rate_per_s", sa.Float, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("selected", sa.Integer, nullable=False),
    sa.Column("sent", sa.Integer, nullable=False),
    sa.Column("filtered", sa.Integer, nullable=False),
    sa.Column("missing", sa.Integer, nullable=False),
    sa.Column("failed", sa.Integer, nullable=False),
    sa.Column("cursor", sa.BigInteger, nullable=False),
    sa.Column("owner", sa.String(200)),
    sa.Column("lease_until", UtcDateTime),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("finished_at", UtcDateTime),
    sa.Column("detail", sa.Text),
    sa.Index("ix_replay_run_status_created_at", "status", "created_at"),
    sa.Index("ix_replay_run_adapter_created_at", "adapter", "created_at"),
)
