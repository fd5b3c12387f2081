"""Canteen accounts, the transactions applied to them or refused, and kiosk applications.

Revision ID: 0004_canteen
Revises: 0003_pnc_and_security
Create Date: 2026-11-23

Builds exactly ``core_records.canteen.tables``, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_canteen"
down_revision: str | None = "0003_pnc_and_security"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Time = sa.DateTime(timezone=True)
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Id = sa.String(128)


def _person(table: str, *, primary: bool = False) -> list:  # type: ignore[type-arg]
    # No foreign key to person: see core_records/canteen/tables.py.
    columns: list = [sa.Column("person_id", sa.Integer(), nullable=False)]  # type: ignore[type-arg]
    if primary:
        columns.append(sa.PrimaryKeyConstraint("person_id", name=f"pk_{table}"))
    return columns


def _order_line() -> list:  # type: ignore[type-arg]
    return [
        sa.Column("message_id", Id, nullable=False),
        sa.Column("order_file", Id, nullable=True),
        sa.Column("line_number", sa.Integer(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "canteen_account",
        *_person("canteen_account", primary=True),
        sa.Column("balance_pence", sa.BigInteger(), nullable=False),
        sa.Column("week_starting", sa.Date(), nullable=True),
        sa.Column("spent_this_week_pence", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", Time, nullable=False),
    )
    op.create_table(
        "canteen_transaction",
        sa.Column("id", BigId, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_canteen_transaction"),
        sa.Column("client_reference", sa.String(64), nullable=False),
        *_person("canteen_transaction"),
        sa.Column("transaction_type", sa.String(5), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.Column("balance_after_pence", sa.BigInteger(), nullable=False),
        sa.Column("establishment", sa.String(6), nullable=True),
        sa.Column("occurred_at", Time, nullable=False),
        *_order_line(),
        sa.Column("applied_at", Time, nullable=False),
        sa.UniqueConstraint("client_reference", name="uq_canteen_transaction_client_reference"),
    )
    op.create_index("ix_canteen_transaction_person_id", "canteen_transaction", ["person_id"])
    op.create_index("ix_canteen_transaction_order_file", "canteen_transaction", ["order_file"])
    op.create_table(
        "canteen_refusal",
        sa.Column("id", BigId, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_canteen_refusal"),
        sa.Column("client_reference", sa.String(64), nullable=False),
        sa.Column("prison_number", sa.String(7), nullable=True),
        sa.Column("transaction_type", sa.String(5), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("detail", sa.String(500), nullable=False),
        *_order_line(),
        sa.Column("refused_at", Time, nullable=False),
    )
    op.create_index("ix_canteen_refusal_client_reference", "canteen_refusal", ["client_reference"])
    op.create_index("ix_canteen_refusal_order_file", "canteen_refusal", ["order_file"])
    op.create_table(
        "prisoner_application",
        sa.Column("id", BigId, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_prisoner_application"),
        sa.Column("client_reference", sa.String(64), nullable=False),
        *_person("prisoner_application"),
        sa.Column("establishment", sa.String(6), nullable=False),
        sa.Column("application_type", sa.String(32), nullable=False),
        sa.Column("text", sa.String(2000), nullable=False),
        sa.Column("submitted_at", Time, nullable=False),
        sa.Column("message_id", Id, nullable=False),
        sa.Column("recorded_at", Time, nullable=False),
        sa.UniqueConstraint("client_reference", name="uq_prisoner_application_client_reference"),
    )
    op.create_index("ix_prisoner_application_person_id", "prisoner_application", ["person_id"])


def downgrade() -> None:
    op.drop_table("prisoner_application")
    op.drop_table("canteen_refusal")
    op.drop_table("canteen_transaction")
    op.drop_table("canteen_account")
