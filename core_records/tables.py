"""The store's tables, in one ``MetaData``; the migrations in
``core_records/store/migrations`` build exactly this schema (a test compares them) on
SQLite and PostgreSQL alike.

Groups: the person record; reference data; messaging (inbox, outbox, journal, dead letters,
delivery holds, submissions, the relay lease); security (partner tokens, audit). Times are
``UtcDateTime``.
"""

from __future__ import annotations

import sqlalchemy as sa

from core_records.timestamps import UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Every constraint gets a name we chose, the same on both databases, so that a later
migration can drop or alter it by name."""

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""Key of a table that grows by millions of rows. On SQLite only INTEGER PRIMARY KEY
autoincrements, and there it is 64 bits anyway."""

Id = sa.String(128)
"""A message, event, correlation or causation id (UUIDs mostly; partners may send longer)."""


def _person_id() -> sa.Column[int]:
    return sa.Column("person_id", sa.ForeignKey("person.id"), nullable=False, index=True)


# --- the person record ----------------------------------------------------------------------

person = sa.Table(
    "person",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # The prison number again, beside person_identifier, because every event, journal hop and
    # delivery is keyed by it.
    sa.Column("prison_number", sa.String(7), nullable=False, unique=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("date_of_birth", sa.Date, nullable=False),
    sa.Column("sex", sa.String(2), nullable=False),
    sa.Column("custody_status", sa.String(16), nullable=False),
    sa.Column("care_status", sa.String(24), nullable=False),
    sa.Column("current_establishment", sa.String(6)),
    sa.Column("legal_status", sa.String(32)),
    sa.Column("incentive_level", sa.String(3)),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

person_identifier = sa.Table(
    "person_identifier",
    metadata,
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("value", sa.String(64), nullable=False),
    _person_id(),
    # Value first: lookups ask for many values of a few types, and values hardly repeat
    # across types, so the index finds each value directly, whatever the planner's statistics.
    sa.PrimaryKeyConstraint("value", "type"),
)

person_name = sa.Table(
    "person_name",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _person_id(),
    sa.Column("name_type", sa.String(8), nullable=False),
    sa.Column("surname", sa.String(100), nullable=False),
    sa.Column("forenames", sa.String(200), nullable=False),
)

booking = sa.Table(
    "booking",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _person_id(),
    sa.Column("book_number", sa.String(8), nullable=False, unique=True),
    sa.Column("establishment", sa.String(6), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("started_at", UtcDateTime, nullable=False),
    sa.Column("ended_at", UtcDateTime),
    # A person has at most one open custody episode, whatever two writers race to do.
    sa.Index(
        "uq_booking_one_active_per_person",
        "person_id",
        unique=True,
        postgresql_where=sa.text("active"),
        sqlite_where=sa.text("active"),
    ),
)

movement = sa.Table(
    "movement",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    _person_id(),
    sa.Column("booking_id", sa.ForeignKey("booking.id"), nullable=False),
    sa.Column("movement_type", sa.String(3), nullable=False),
    sa.Column("direction", sa.String(3), nullable=False),
    sa.Column("reason_code", sa.String(8), nullable=False),
    sa.Column("from_agency", sa.String(6)),
    sa.Column("to_agency", sa.String(6)),
    sa.Column("occurred_at", UtcDateTime, nullable=False),
    sa.Column("message_id", Id),
)

sentence_date = sa.Table(
    "sentence_date",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _person_id(),
    sa.Column("booking_id", sa.ForeignKey("booking.id"), nullable=False),
    sa.Column("code", sa.String(8), nullable=False),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("overridden", sa.Boolean, nullable=False),
    sa.UniqueConstraint("booking_id", "code"),
)

alert = sa.Table(
    "alert",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _person_id(),
    sa.Column("alert_type", sa.String(2), nullable=False),
    sa.Column("alert_code", sa.String(12), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime),
)

incentive_review = sa.Table(
    "incentive_review",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _person_id(),
    sa.Column("level", sa.String(3), nullable=False),
    sa.Column("reviewed_at", UtcDateTime, nullable=False),
)

# New prison and book numbers are made from fresh keys of these tables (core_records.store.keys and
# core_records.identity.numbers): unlike a counter row, taking a key never makes one writer wait for
# another. Each row records one allocation, by its highest key.
prison_number_sequence = sa.Table(
    "prison_number_sequence",
    metadata,
    sa.Column("value", sa.Integer, primary_key=True),
    sa.Column("allocated_at", UtcDateTime, nullable=False),
)

book_number_sequence = sa.Table(
    "book_number_sequence",
    metadata,
    sa.Column("value", sa.Integer, primary_key=True),
    sa.Column("allocated_at", UtcDateTime, nullable=False),
)

# --- reference data -------------------------------------------------------------------------

agency = sa.Table(
    "agency",
    metadata,
    sa.Column("code", sa.String(6), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("agency_type", sa.String(6), nullable=False),
    sa.Column("contracted", sa.Boolean, nullable=False),
)

movement_reason = sa.Table(
    "movement_reason",
    metadata,
    sa.Column("movement_type", sa.String(3), primary_key=True),
    sa.Column("code", sa.String(8), primary_key=True),
    sa.Column("description", sa.String(100), nullable=False),
)

alert_type = sa.Table(
    "alert_type",
    metadata,
    sa.Column("code", sa.String(2), primary_key=True),
    sa.Column("description", sa.String(100), nullable=False),
)

alert_code = sa.Table(
    "alert_code",
    metadata,
    sa.Column("code", sa.String(12), primary_key=True),
    sa.Column("alert_type", sa.ForeignKey("alert_type.code"), nullable=False),
    sa.Column("description", sa.String(100), nullable=False),
)

incentive_level = sa.Table(
    "incentive_level",
    metadata,
    sa.Column("code", sa.String(3), primary_key=True),
    sa.Column("description", sa.String(100), nullable=False),
    sa.Column("sequence", sa.Integer, nullable=False),
)

legal_status = sa.Table(
    "legal_status",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("description", sa.String(100), nullable=False),
)

# --- messaging ------------------------------------------------------------------------------

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

relay_lease = sa.Table(
    "relay_lease",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("owner", sa.String(200), nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
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
from core_records.bookkeeping import file_tables as tables_files  # noqa: E402, F401
from core_records.bookkeeping import monitoring_tables as tables_monitoring  # noqa: E402, F401
from core_records.canteen import tables as tables_canteen  # noqa: E402, F401
from core_records.identity import tables as tables_identity  # noqa: E402, F401
from core_records.partner_records import intelligence_tables as tables_intelligence  # noqa: E402, F401
from core_records.partner_records import tables as tables_partner  # noqa: E402, F401
