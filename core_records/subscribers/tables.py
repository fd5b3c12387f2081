"""The event subscribers' table: one row per subscriber, its signing secrets encrypted."""

from __future__ import annotations

import sqlalchemy as sa

from core_records.store.schema import metadata
from core_records.timestamps import UtcDateTime

event_subscriber = sa.Table(
    "event_subscriber",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("event_patterns", sa.Text, nullable=False),
    # The sharing policy as a policy.toml's keys in JSON; NULL: the default policy file's.
    sa.Column("policy", sa.Text),
    # Fernet tokens: the signing secrets are never stored as they are.
    sa.Column("secret", sa.Text, nullable=False),
    sa.Column("previous_secret", sa.Text),
    sa.Column("previous_valid_until", UtcDateTime),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)
