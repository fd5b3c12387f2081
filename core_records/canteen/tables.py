"""The canteen tables: one account per person, and every transaction applied or refused.

A client reference is unique among applied transactions (``canteen_transaction``): the
database itself refuses a second one, so that two workers racing with the same reference
cannot both apply it. Refusals (``canteen_refusal``) may repeat a reference: a shop sending
the same line twice hears twice why. Both keep the order file and line they came from, so
that a receipt can be written from the store alone. Amounts are in pence.

``person_id`` refers to ``person.id`` without a foreign key on purpose: a person received
earlier in the same batch is written only when the batch ends (``UnitOfWork`` keeps new
people back), and canteen rows are kept back too (``CanteenBatch``), in no order against
them; both commit in one transaction.
"""

from __future__ import annotations

import sqlalchemy as sa

from core_records.store.schema import BigId, Id, metadata
from core_records.timestamps import UtcDateTime

canteen_account = sa.Table(
    "canteen_account",
    metadata,
    sa.Column("person_id", sa.Integer, primary_key=True),
    sa.Column("balance_pence", sa.BigInteger, nullable=False),
    sa.Column("week_starting", sa.Date),
    sa.Column("spent_this_week_pence", sa.BigInteger, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

canteen_transaction = sa.Table(
    "canteen_transaction",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("client_reference", sa.String(64), nullable=False, unique=True),
    sa.Column("person_id", sa.Integer, nullable=False, index=True),
    sa.Column("transaction_type", sa.String(5), nullable=False),
    sa.Column("amount_pence", sa.BigInteger, nullable=False),
    sa.Column("balance_after_pence", sa.BigInteger, nullable=False),
    sa.Column("establishment", sa.String(6)),
    sa.Column("occurred_at", UtcDateTime, nullable=False),
    sa.Column("message_id", Id, nullable=False),
    sa.Column("order_file", Id, index=True),
    sa.Column("line_number", sa.Integer),
    sa.Column("applied_at", UtcDateTime, nullable=False),
)

canteen_refusal = sa.Table(
    "canteen_refusal",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("client_reference", sa.String(64), nullable=False, index=True),
    sa.Column("prison_number", sa.String(7)),
    sa.Column("transaction_type", sa.String(5), nullable=False),
    sa.Column("amount_pence", sa.BigInteger, nullable=False),
    sa.Column("reason", sa.String(32), nullable=False),
    sa.Column("detail", sa.String(500), nullable=False),
    sa.Column("message_id", Id, nullable=False),
    sa.Column("order_file", Id, index=True),
    sa.Column("line_number", sa.Integer),
    sa.Column("refused_at", UtcDateTime, nullable=False),
)

prisoner_application = sa.Table(
    "prisoner_application",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    # The kiosk's reference: a kiosk sending an application again (after a timeout, say)
    # records it once.
    sa.Column("client_reference", sa.String(64), nullable=False, unique=True),
    sa.Column("person_id", sa.Integer, nullable=False, index=True),
    sa.Column("establishment", sa.String(6), nullable=False),
    sa.Column("application_type", sa.String(32), nullable=False),
    sa.Column("text", sa.String(2000), nullable=False),
    sa.Column("submitted_at", UtcDateTime, nullable=False),
    sa.Column("message_id", Id, nullable=False),
    sa.Column("recorded_at", UtcDateTime, nullable=False),
)
