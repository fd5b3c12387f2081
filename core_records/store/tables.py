"""The store's own tables: the inbox of applied messages, the outbox of events to publish,
and the relay's lease."""

from __future__ import annotations

import sqlalchemy as sa

from core_records.store.schema import BigId, Id, metadata
from core_records.timestamps import UtcDateTime

inbox = sa.Table(
    "inbox",
    metadata,
    sa.Column("message_id", Id, primary_key=True),
    sa.Column("adapter", sa.String(64), nullable=False),
    sa.Column("message_type", sa.String(64), nullable=False),
    sa.Column("partner", sa.String(64)),
    sa.Column("correlation_id", Id, nullable=False),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("applied_at", UtcDateTime, nullable=False),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("sequence", BigId, primary_key=True),
    sa.Column("event_id", Id, nullable=False, unique=True),
    sa.Column("event_type", sa.String(64), nullable=False),
    sa.Column("person_key", sa.String(16)),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("correlation_id", Id, nullable=False),
    sa.Column("causation_id", Id, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("published_at", UtcDateTime),
    # The relay asks for the oldest unpublished events again and again; a partial index holds
    # only those, so the question stays cheap however long the published history grows.
    sa.Index(
        "ix_outbox_unpublished",
        "sequence",
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    ),
    sa.Index("ix_outbox_causation_id", "causation_id"),
)

relay_lease = sa.Table(
    "relay_lease",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("owner", sa.String(200), nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
)
