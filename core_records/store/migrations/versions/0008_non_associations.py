"""Non-associations between two people, recorded by private-prison operators
(``core_records.partner_records.tables.non_association``).

Revision ID: 0008_non_associations
Revises: 0007_identity
Create Date: 2026-11-23

For SQLite and PostgreSQL alike. Constraint names follow
``core_records.tables.NAMING_CONVENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_non_associations"
down_revision: str | None = "0007_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Id = sa.String(128)
TABLE = "non_association"


def _person_fk(column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["person.id"], name=f"fk_{TABLE}_{column}_person")


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", BigId, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("other_person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(6), nullable=False),
        sa.Column("reason_code", sa.String(3), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("operator", sa.String(32), nullable=False),
        sa.Column("comment", sa.String(1000), nullable=True),
        sa.Column("message_id", Id, nullable=True),
        sa.PrimaryKeyConstraint("id", name=f"pk_{TABLE}"),
        _person_fk("person_id"),
        _person_fk("other_person_id"),
    )
    op.create_index(f"ix_{TABLE}_person_id", TABLE, ["person_id"])
    op.create_index(f"ix_{TABLE}_other_person_id", TABLE, ["other_person_id"])


def downgrade() -> None:
    op.drop_index(f"ix_{TABLE}_other_person_id", table_name=TABLE)
    op.drop_index(f"ix_{TABLE}_person_id", table_name=TABLE)
    op.drop_table(TABLE)
