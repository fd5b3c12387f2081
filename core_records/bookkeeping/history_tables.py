"""The message history's table: every partner document the hub received or sent, kept
compressed beside the journal (``core_records.bookkeeping.message_history``).

Rows are only ever inserted, and expire by age (``stored_at``): on PostgreSQL a later
migration makes this a table range-partitioned by ``stored_at``, so that retention drops a
partition instead of deleting rows one by one. No foreign key points at it, and it points at
nothing, for the same reason.
"""

from __future__ import annotations

import sqlalchemy as sa

from core_records.store.schema import BigId, Id, metadata
from core_records.timestamps import UtcDateTime

message_document = sa.Table(
    "message_document",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    # The journal's message id of the hop the document belongs to: the inbound message's id,
    # or for an outbound document the canonical event's id that the delivery hop names.
    sa.Column("message_id", Id, nullable=False, index=True),
    sa.Column("correlation_id", Id, index=True),
    # As the dashboard names interfaces: ``delius.outbound``, ``private_prisons.inbound``.
    sa.Column("interface", sa.String(80), nullable=False),
    sa.Column("direction", sa.String(8), nullable=False),
    sa.Column("partner", sa.String(200)),
    sa.Column("content_type", sa.String(100), nullable=False),
    # SHA-256 (hex) and length of the document as sent or received, before compression.
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("stored_at", UtcDateTime, nullable=False, index=True),
)
