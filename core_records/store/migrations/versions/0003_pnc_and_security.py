"""PNC lookup answers, security alerts and intelligence flags.

Revision ID: 0003_pnc_and_security
Revises: 0002_partner_records
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_pnc_and_security"
down_revision: str | None = "0002_partner_records"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Time = sa.DateTime(timezone=True)
Id = sa.String(128)


def _id(table: str) -> list:  # type: ignore[type-arg]
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    ]


def upgrade() -> None:
    op.create_table(
        "police_lookup",
        *_id("police_lookup"),
        sa.Column("prison_number", sa.String(7), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("pnc_id", sa.String(16)),
        sa.Column("cro_number", sa.String(16)),
        sa.Column("answered_at", Time, nullable=False),
        sa.Column("message_id", Id, nullable=False),
    )
    op.create_index("ix_police_lookup_prison_number", "police_lookup", ["prison_number"])
    op.create_table(
        "security_alert",
        *_id("security_alert"),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("prison_number", sa.String(7), nullable=False),
        sa.Column("alert_code", sa.String(12), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("raised_at", Time, nullable=False),
        sa.Column("closed_at", Time),
        sa.Column("message_id", Id, nullable=False),
        sa.UniqueConstraint("reference", name="uq_security_alert_reference"),
    )
    op.create_index("ix_security_alert_prison_number", "security_alert", ["prison_number"])
    op.create_table(
        "intelligence_flag",
        *_id("intelligence_flag"),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("prison_number", sa.String(7), nullable=False),
        sa.Column("flag_code", sa.String(16), nullable=False),
        sa.Column("grading", sa.String(8), nullable=False),
        sa.Column("raised_at", Time, nullable=False),
        sa.Column("message_id", Id, nullable=False),
        sa.UniqueConstraint("reference", name="uq_intelligence_flag_reference"),
    )
    op.create_index("ix_intelligence_flag_prison_number", "intelligence_flag", ["prison_number"])


def downgrade() -> None:
    op.drop_table("intelligence_flag")
    op.drop_table("security_alert")
    op.drop_table("police_lookup")
