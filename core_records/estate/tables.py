"""The estate's tables: each establishment's deployment state, and the legacy messages held
while an establishment is being migrated.

An establishment with no ``establishment_state`` row is in its default state (a public
prison on the legacy system, a contracted prison run by its operator): a row is written
only when someone moves it on. ``estate_held_message`` keeps the whole inbound message
(body and headers) in the store rather than on a queue: it waits for go-live, perhaps for
weeks, and must survive restarts; its ``id`` gives the arrival order it is applied in.
"""

from __future__ import annotations

import sqlalchemy as sa

from core_records.store.schema import BigId, Id, metadata
from core_records.timestamps import UtcDateTime

establishment_state = sa.Table(
    "establishment_state",
    metadata,
    sa.Column("establishment", sa.String(8), primary_key=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("since", UtcDateTime, nullable=False),
    sa.Column("changed_by", sa.String(200), nullable=False),
)

estate_held_message = sa.Table(
    "estate_held_message",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("message_id", Id, nullable=False, unique=True),
    sa.Column("establishment", sa.String(8), nullable=False),
    sa.Column("adapter", sa.String(64), nullable=False),
    sa.Column("partner", sa.String(100), nullable=False),
    sa.Column("message_type", sa.String(64), nullable=False),
    sa.Column("correlation_id", Id, nullable=False),
    sa.Column("content_type", sa.String(100), nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("held_at", UtcDateTime, nullable=False),
    # None while held; then when go-live applied it, with what became of it.
    sa.Column("released_at", UtcDateTime),
    sa.Column("outcome", sa.String(16)),
    sa.Column("detail", sa.Text),
    sa.Index("ix_estate_held_message_establishment_released_at", "establishment", "released_at"),
)
