"""Bookkeeping tables: the message journal, dead letters, delivery holds, inbound
submissions, partner tokens, the audit trail, and the shared rate limits and sign-in
throttle. (Files and monitoring have theirs in
``file_tables`` and ``monitoring_tables``.)"""

from __future__ import annotations

import sqlalchemy as sa

from core_records.store.schema import BigId, Id, metadata
from core_records.timestamps import UtcDateTime

# --- messaging ------------------------------------------------------------------------------

journal = sa.Table(
    "journal",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("message_id", Id, nullable=False, index=True),
    sa.Column("hop", sa.String(32), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False, index=True),
    sa.Column("outcome", sa.String(8), nullable=False),
    sa.Column("correlation_id", Id, index=True),
    sa.Column("causation_id", Id, index=True),
    sa.Column("adapter", sa.String(64)),
    sa.Column("partner", sa.String(64)),
    sa.Column("direction", sa.String(8)),
    sa.Column("message_type", sa.String(64)),
    sa.Column("person_key", sa.String(16), index=True),
    sa.Column("detail", sa.Text),
)

dead_letter = sa.Table(
    "dead_letter",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("dedupe_key", sa.String(255), nullable=False, unique=True),
    sa.Column("message_id", Id, nullable=False, index=True),
    sa.Column("origin_queue", sa.String(255), nullable=False),
    sa.Column("routing_key", sa.String(255), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("attempts", sa.Text, nullable=False),
    sa.Column("headers", sa.Text, nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("content_type", sa.String(100), nullable=False),
    sa.Column("dead_lettered_at", UtcDateTime, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("actioned_by", sa.String(100)),
    sa.Column("actioned_at", UtcDateTime),
    sa.Index("ix_dead_letter_status_id", "status", "id"),
)

delivery_hold = sa.Table(
    "delivery_hold",
    metadata,
    sa.Column("partner", sa.String(64), primary_key=True),
    sa.Column("sequence", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("person_key", sa.String(16), nullable=False),
    sa.Column("message_id", Id, nullable=False),
    sa.Column("parked_at", UtcDateTime, nullable=False),
    sa.Column("seen_at", UtcDateTime, nullable=False),
    sa.Index("ix_delivery_hold_partner_person_key", "partner", "person_key"),
)

submission = sa.Table(
    "submission",
    metadata,
    # A partner's own reference for a message it posted
    # (``core_records.bookkeeping.submissions``): the
    # key that makes a resend answer as the first post did.
    sa.Column("partner", sa.String(64), primary_key=True),
    sa.Column("reference", sa.String(128), primary_key=True),
    sa.Column("body_sha256", sa.String(64), nullable=False),
    sa.Column("message_id", Id, nullable=False),
    sa.Column("received_at", UtcDateTime, nullable=False, index=True),
    sa.Column("confirmed", sa.Boolean, nullable=False),
)

# --- security -------------------------------------------------------------------------------

partner_token = sa.Table(
    "partner_token",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("partner", sa.String(64), nullable=False, index=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("revoked_at", UtcDateTime),
    sa.Column("last_used_at", UtcDateTime),
)

audit_event = sa.Table(
    "audit_event",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("at", UtcDateTime, nullable=False, index=True),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("subject", sa.String(255), nullable=False, index=True),
    sa.Column("detail", sa.Text),
)

# --- shared limits --------------------------------------------------------------------------

rate_limit = sa.Table(
    "rate_limit",
    metadata,
    # One row per limited key (``partner:serco``), shared by every api process
    # (``core_records.bookkeeping.rate_limits``): the key's theoretical arrival time in
    # microseconds since the epoch, and whether the last request was let through.
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("tat_us", sa.BigInteger, nullable=False),
    sa.Column("allowed", sa.Boolean, nullable=False),
)

sign_in_throttle = sa.Table(
    "sign_in_throttle",
    metadata,
    # Failed dashboard sign-ins counted per user name tried and per client address, and the
    # lockout they led to (``core_records.bookkeeping.sign_in_throttle``).
    sa.Column("kind", sa.String(8), primary_key=True),
    sa.Column("subject", sa.String(100), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("window_started_at", UtcDateTime, nullable=False, index=True),
    sa.Column("locked_until", UtcDateTime),
)
