"""The initial schema: person record, reference data, messaging, security.

Revision ID: 0001_initial
Revises:
Create Date: 2025-06-30

Written once for SQLite and PostgreSQL alike: no branch on the dialect. Constraint names
follow ``core_records.tables.NAMING_CONVENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Time = sa.DateTime(timezone=True)
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Id = sa.String(128)


def _id(table: str, column: str = "id", kind: sa.types.TypeEngine[int] | None = None) -> list:  # type: ignore[type-arg]
    return [
        sa.Column(column, kind if kind is not None else sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(column, name=f"pk_{table}"),
    ]


def _person_id(table: str) -> list:  # type: ignore[type-arg]
    return [
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=f"fk_{table}_person_id_person"),
    ]


def _index(
    table: str, *columns: str, name: str = "", unique: bool = False, where: str = ""
) -> None:
    """An index named ``ix_<table>_<column>`` unless named; ``where`` makes it partial."""
    partial = {"postgresql_where": sa.text(where), "sqlite_where": sa.text(where)} if where else {}
    op.create_index(
        name or f"ix_{table}_{columns[0]}", table, list(columns), unique=unique, **partial
    )


def upgrade() -> None:
    _person_record()
    _reference_data()
    _messaging()
    _security()


def _person_record() -> None:
    op.create_table(
        "person",
        *_id("person"),
        sa.Column("prison_number", sa.String(7), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(2), nullable=False),
        sa.Column("custody_status", sa.String(16), nullable=False),
        sa.Column("care_status", sa.String(24), nullable=False),
        sa.Column("current_establishment", sa.String(6), nullable=True),
        sa.Column("legal_status", sa.String(32), nullable=True),
        sa.Column("incentive_level", sa.String(3), nullable=True),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("updated_at", Time, nullable=False),
        sa.UniqueConstraint("prison_number", name="uq_person_prison_number"),
    )
    op.create_table(
        "person_identifier",
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("value", sa.String(64), nullable=False),
        *_person_id("person_identifier"),
        sa.PrimaryKeyConstraint("value", "type", name="pk_person_identifier"),
    )
    _index("person_identifier", "person_id")
    op.create_table(
        "person_name",
        *_id("person_name"),
        *_person_id("person_name"),
        sa.Column("name_type", sa.String(8), nullable=False),
        sa.Column("surname", sa.String(100), nullable=False),
        sa.Column("forenames", sa.String(200), nullable=False),
    )
    _index("person_name", "person_id")
    op.create_table(
        "booking",
        *_id("booking"),
        *_person_id("booking"),
        sa.Column("book_number", sa.String(8), nullable=False),
        sa.Column("establishment", sa.String(6), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("started_at", Time, nullable=False),
        sa.Column("ended_at", Time, nullable=True),
        sa.UniqueConstraint("book_number", name="uq_booking_book_number"),
    )
    _index("booking", "person_id")
    _index(
        "booking", "person_id", name="uq_booking_one_active_per_person", unique=True, where="active"
    )
    op.create_table(
        "movement",
        *_id("movement", kind=BigId),
        *_person_id("movement"),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("movement_type", sa.String(3), nullable=False),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("reason_code", sa.String(8), nullable=False),
        sa.Column("from_agency", sa.String(6), nullable=True),
        sa.Column("to_agency", sa.String(6), nullable=True),
        sa.Column("occurred_at", Time, nullable=False),
        sa.Column("message_id", Id, nullable=True),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name="fk_movement_booking_id_booking"
        ),
    )
    _index("movement", "person_id")
    op.create_table(
        "sentence_date",
        *_id("sentence_date"),
        *_person_id("sentence_date"),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("overridden", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name="fk_sentence_date_booking_id_booking"
        ),
        sa.UniqueConstraint("booking_id", "code", name="uq_sentence_date_booking_id"),
    )
    _index("sentence_date", "person_id")
    op.create_table(
        "alert",
        *_id("alert"),
        *_person_id("alert"),
        sa.Column("alert_type", sa.String(2), nullable=False),
        sa.Column("alert_code", sa.String(12), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("expires_at", Time, nullable=True),
    )
    _index("alert", "person_id")
    op.create_table(
        "incentive_review",
        *_id("incentive_review"),
        *_person_id("incentive_review"),
        sa.Column("level", sa.String(3), nullable=False),
        sa.Column("reviewed_at", Time, nullable=False),
    )
    _index("incentive_review", "person_id")
    for name in ("prison_number_sequence", "book_number_sequence"):
        op.create_table(name, *_id(name, "value"), sa.Column("allocated_at", Time, nullable=False))


def _reference_data() -> None:
    op.create_table(
        "agency",
        sa.Column("code", sa.String(6), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("agency_type", sa.String(6), nullable=False),
        sa.Column("contracted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_agency"),
    )
    op.create_table(
        "movement_reason",
        sa.Column("movement_type", sa.String(3), nullable=False),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("description", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("movement_type", "code", name="pk_movement_reason"),
    )
    op.create_table(
        "alert_type",
        sa.Column("code", sa.String(2), nullable=False),
        sa.Column("description", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_alert_type"),
    )
    op.create_table(
        "alert_code",
        sa.Column("code", sa.String(12), nullable=False),
        sa.Column("alert_type", sa.String(2), nullable=False),
        sa.Column("description", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_alert_code"),
        sa.ForeignKeyConstraint(
            ["alert_type"], ["alert_type.code"], name="fk_alert_code_alert_type_alert_type"
        ),
    )
    op.create_table(
        "incentive_level",
        sa.Column("code", sa.String(3), nullable=False),
        sa.Column("description", sa.String(100), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_incentive_level"),
    )
    op.create_table(
        "legal_status",
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("description", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_legal_status"),
    )


def _messaging() -> None:
    op.create_table(
        "inbox",
        sa.Column("message_id", Id, nullable=False),
        sa.Column("adapter", sa.String(64), nullable=False),
        sa.Column("message_type", sa.String(64), nullable=False),
        sa.Column("partner", sa.String(64), nullable=True),
        sa.Column("correlation_id", Id, nullable=False),
        sa.Column("received_at", Time, nullable=False),
        sa.Column("applied_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("message_id", name="pk_inbox"),
    )
    op.create_table(
        "outbox",
        *_id("outbox", "sequence", kind=BigId),
        sa.Column("event_id", Id, nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("person_key", sa.String(16), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("correlation_id", Id, nullable=False),
        sa.Column("causation_id", Id, nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("published_at", Time, nullable=True),
        sa.UniqueConstraint("event_id", name="uq_outbox_event_id"),
    )
    _index("outbox", "sequence", name="ix_outbox_unpublished", where="published_at IS NULL")
    _index("outbox", "causation_id")
    op.create_table(
        "journal",
        *_id("journal", kind=BigId),
        sa.Column("message_id", Id, nullable=False),
        sa.Column("hop", sa.String(32), nullable=False),
        sa.Column("at", Time, nullable=False),
        sa.Column("outcome", sa.String(8), nullable=False),
        sa.Column("correlation_id", Id, nullable=True),
        sa.Column("causation_id", Id, nullable=True),
        sa.Column("adapter", sa.String(64), nullable=True),
        sa.Column("partner", sa.String(64), nullable=True),
        sa.Column("direction", sa.String(8), nullable=True),
        sa.Column("message_type", sa.String(64), nullable=True),
        sa.Column("person_key", sa.String(16), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
    )
    for column in ("message_id", "at", "correlation_id", "causation_id", "person_key"):
        _index("journal", column)
    op.create_table(
        "dead_letter",
        *_id("dead_letter", kind=BigId),
        sa.Column("dedupe_key", sa.String(255), nullable=False),
        sa.Column("message_id", Id, nullable=False),
        sa.Column("origin_queue", sa.String(255), nullable=False),
        sa.Column("routing_key", sa.String(255), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Text(), nullable=False),
        sa.Column("headers", sa.Text(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("dead_lettered_at", Time, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("actioned_by", sa.String(100), nullable=True),
        sa.Column("actioned_at", Time, nullable=True),
        sa.UniqueConstraint("dedupe_key", name="uq_dead_letter_dedupe_key"),
    )
    _index("dead_letter", "message_id")
    _index("dead_letter", "status", "id", name="ix_dead_letter_status_id")
    op.create_table(
        "delivery_hold",
        sa.Column("partner", sa.String(64), nullable=False),
        sa.Column("sequence", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("person_key", sa.String(16), nullable=False),
        sa.Column("message_id", Id, nullable=False),
        sa.Column("parked_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("partner", "sequence", name="pk_delivery_hold"),
    )
    _index("delivery_hold", "partner", "person_key", name="ix_delivery_hold_partner_person_key")
    op.create_table(
        "relay_lease",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("expires_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_relay_lease"),
    )


def _security() -> None:
    op.create_table(
        "partner_token",
        *_id("partner_token"),
        sa.Column("partner", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("revoked_at", Time, nullable=True),
        sa.Column("last_used_at", Time, nullable=True),
        sa.UniqueConstraint("token_hash", name="uq_partner_token_token_hash"),
    )
    _index("partner_token", "partner")
    op.create_table(
        "audit_event",
        *_id("audit_event", kind=BigId),
        sa.Column("at", Time, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
    )
    _index("audit_event", "at")
    _index("audit_event", "subject")


TABLES = (
    "audit_event",
    "partner_token",
    "relay_lease",
    "delivery_hold",
    "dead_letter",
    "journal",
    "outbox",
    "inbox",
    "legal_status",
    "incentive_level",
    "alert_code",
    "alert_type",
    "movement_reason",
    "agency",
    "book_number_sequence",
    "prison_number_sequence",
    "incentive_review",
    "alert",
    "sentence_date",
    "movement",
    "booking",
    "person_name",
    "person_identifier",
    "person",
)
"""Every table, dependants before what they depend on, for the downgrade."""


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
