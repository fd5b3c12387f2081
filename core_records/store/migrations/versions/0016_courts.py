"""Court hearings and their results per defendant
(``core_records.partner_records.court_tables``).

Revision ID: 0016_courts
Revises: 0015_replays
Create Date: 2026-12-02

For SQLite and PostgreSQL alike. Constraint names follow
``core_records.tables.NAMING_CONVENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_courts"
down_revision: str | None = "0015_replays"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Id = sa.String(128)
Time = sa.DateTime(timezone=True)


def _person_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["person_id"], ["person.id"], name=f"fk_{table}_person_id_person"
    )


def upgrade() -> None:
    op.create_table(
        "court_hearing",
        sa.Column("id", BigId, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("court_code", sa.String(10), nullable=False),
        sa.Column("hearing_date", sa.Date(), nullable=False),
        sa.Column("case_reference", sa.String(40), nullable=False),
        sa.Column("identifiers", sa.String(400), nullable=False),
        sa.Column("listed_at", Time, nullable=False),
        sa.Column("message_id", Id, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_court_hearing"),
        _person_fk("court_hearing"),
    )
    op.create_index("ix_court_hearing_person_id", "court_hearing", ["person_id"])
    op.create_table(
        "court_result",
        sa.Column("id", BigId, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("court_code", sa.String(10), nullable=False),
        sa.Column("case_reference", sa.String(40), nullable=False),
        sa.Column("outcome", sa.String(24), nullable=False),
        sa.Column("committed_to", sa.String(10), nullable=True),
        sa.Column("occurred_at", Time, nullable=False),
        sa.Column("message_id", Id, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_court_result"),
        _person_fk("court_result"),
    )
    op.create_index("ix_court_result_person_id", "court_result", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_court_result_person_id", table_name="court_result")
    op.drop_table("court_result")
    op.drop_index("ix_court_hearing_person_id", table_name="court_hearing")
    op.drop_table("court_hearing")
