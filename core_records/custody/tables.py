"""The person record's tables (people, their identifiers, names, bookings, movements,
sentence dates, alerts, incentive reviews, number sequences) and the reference data's.
"""

from __future__ import annotations

import sqlalchemy as sa

from core_records.store.schema import BigId, Id, metadata, person_id_column
from core_records.timestamps import UtcDateTime

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
    # The population of each prison now, read by the business figures
    # (``monitoring.business``) without a scan of everyone ever on record.
    sa.Index(
        "ix_person_in_prison_establishment",
        "current_establishment",
        postgresql_where=sa.text("custody_status = 'IN_PRISON'"),
        sqlite_where=sa.text("custody_status = 'IN_PRISON'"),
    ),
)

person_identifier = sa.Table(
    "person_identifier",
    metadata,
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("value", sa.String(64), nullable=False),
    person_id_column(),
    # Value first: lookups ask for many values of a few types, and values hardly repeat
    # across types, so the index finds each value directly, whatever the planner's statistics.
    sa.PrimaryKeyConstraint("value", "type"),
)

person_name = sa.Table(
    "person_name",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    person_id_column(),
    sa.Column("name_type", sa.String(8), nullable=False),
    sa.Column("surname", sa.String(100), nullable=False),
    sa.Column("forenames", sa.String(200), nullable=False),
)

booking = sa.Table(
    "booking",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    person_id_column(),
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
    person_id_column(),
    sa.Column("booking_id", sa.ForeignKey("booking.id"), nullable=False),
    sa.Column("movement_type", sa.String(3), nullable=False),
    sa.Column("direction", sa.String(3), nullable=False),
    sa.Column("reason_code", sa.String(8), nullable=False),
    sa.Column("from_agency", sa.String(6)),
    sa.Column("to_agency", sa.String(6)),
    # Indexed for the business figures: a period's movements, back to now from it, and the
    # movements of a message the journal delivered.
    sa.Column("occurred_at", UtcDateTime, nullable=False, index=True),
    sa.Column("message_id", Id, index=True),
)

sentence_date = sa.Table(
    "sentence_date",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    person_id_column(),
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
    person_id_column(),
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
    person_id_column(),
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
