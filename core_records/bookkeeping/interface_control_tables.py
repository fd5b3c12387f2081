"""Tables of interface control: which outbound interfaces a service manager has paused, and
each interface's own schedule for retrying its dead letters (where it differs from the
settings' defaults)."""

from __future__ import annotations

import sqlalchemy as sa

from core_records.store.schema import metadata
from core_records.timestamps import UtcDateTime

interface_pause = sa.Table(
    "interface_pause",
    metadata,
    # ``adapter.direction``, as the dashboard names an interface (``delius.outbound``).
    sa.Column("interface", sa.String(80), primary_key=True),
    sa.Column("paused_by", sa.String(128), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("since", UtcDateTime, nullable=False),
)

dead_letter_retry_schedule = sa.Table(
    "dead_letter_retry_schedule",
    metadata,
    sa.Column("interface", sa.String(80), primary_key=True),
    # Seconds a dead letter waits before the scheduler sends it back to its queue.
    sa.Column("interval_s", sa.Integer, nullable=False),
    # Scheduled retries of one message at most; 0 turns scheduled retry off.
    sa.Column("max_retries", sa.Integer, nullable=False),
    sa.Column("set_by", sa.String(128), nullable=False),
    sa.Column("set_at", UtcDateTime, nullable=False),
)
