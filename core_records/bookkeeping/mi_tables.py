"""Tables of the business figures (``core_records.bookkeeping.movement_deliveries``): how long
each movement took to reach each partner, kept up to date from the journal, and how far
through the journal that summary has read."""

from __future__ import annotations

import sqlalchemy as sa

from core_records.store.schema import Id, metadata
from core_records.timestamps import UtcDateTime

movement_delivery = sa.Table(
    "movement_delivery",
    metadata,
    # One movement message (its inbound message id) and one outbound interface: when the
    # record changed (its ``stored`` hop), and the first delivery of an event it caused.
    sa.Column("message_id", Id, primary_key=True),
    sa.Column("adapter", sa.String(64), primary_key=True),
    sa.Column("occurred_at", UtcDateTime, nullable=False, index=True),
    sa.Column("prison_in", sa.String(6)),
    sa.Column("prison_out", sa.String(6)),
    sa.Column("stored_at", UtcDateTime, nullable=False),
    sa.Column("delivered_at", UtcDateTime, nullable=False),
    sa.Column("seconds", sa.Float, nullable=False),
)

summary_watermark = sa.Table(
    "summary_watermark",
    metadata,
    # How far a summary has read a table by id: everything up to ``safe_id`` is in it for
    # good; ``seen_id`` is the highest id read at ``seen_at``, which becomes safe once no
    # transaction that took a lower id can still be open.
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("safe_id", sa.BigInteger, nullable=False),
    sa.Column("seen_id", sa.BigInteger, nullable=False),
    sa.Column("seen_at", UtcDateTime, nullable=False),
)
