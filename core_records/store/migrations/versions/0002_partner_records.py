"""What probation (Delius) and OASys tell the hub: offender-manager allocations,
registrations, licence conditions, risk assessments and visits
(``core_records.partner_records.tables``).

Revision ID: 0002_partner_records
Revises: 0001_initial
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_partner_records"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Time = sa.DateTime(timezone=True)
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Id = sa.String(128)


def _history(table: str, *columns: sa.Column | sa.Constraint) -> None:  # type: ignore[type-arg]
    """An append-only table of one person's facts, tied to the message that stated each."""
    op.create_table(
        table,
        sa.Column("id", BigId, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        *columns,
        sa.Column("message_id", Id, nullable=True),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=f"fk_{table}_person_id_person"),
    )
    op.create_index(f"ix_{table}_person_id", table, ["person_id"])


def upgrade() -> None:
    _history(
        "offender_manager_allocation",
        sa.Column("crn", sa.String(7), nullable=False),
        sa.Column("staff_code", sa.String(20), nullable=False),
        sa.Column("staff_name", sa.String(100), nullable=False),
        sa.Column("team_code", sa.String(20), nullable=False),
        sa.Column("provider_code", sa.String(10), nullable=False),
        sa.Column("allocated_on", sa.Date(), nullable=False),
    )
    _history(
        "probation_registration",
        sa.Column("crn", sa.String(7), nullable=False),
        sa.Column("registration_type", sa.String(10), nullable=False),
        sa.Column("level", sa.String(10), nullable=True),
        sa.Column("action", sa.String(12), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
    )
    _history(
        "licence_condition",
        sa.Column("crn", sa.String(7), nullable=False),
        sa.Column("licence_starts_on", sa.Date(), nullable=False),
        sa.Column("condition_code", sa.String(20), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
    )
    _history(
        "risk_assessment",
        sa.Column("assessment_id", sa.String(20), nullable=False),
        sa.Column("assessment_type", sa.String(10), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("completed_at", Time, nullable=False),
        sa.Column("overall_rosh", sa.String(10), nullable=False),
        sa.Column("rosh", sa.JSON(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
    )
    _history(
        "visit",
        sa.Column("establishment", sa.String(6), nullable=False),
        sa.Column("visit_reference", sa.String(40), nullable=False),
        sa.Column("visit_type", sa.String(10), nullable=False),
        sa.Column("starts_at", Time, nullable=False),
        sa.Column("ends_at", Time, nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("visitors", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "visit",
        "risk_assessment",
        "licence_condition",
        "probation_registration",
        "offender_manager_allocation",
    ):
        op.drop_index(f"ix_{table}_person_id", table_name=table)
        op.drop_table(table)
