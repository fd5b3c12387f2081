"""Identity matching, merges and token grants (``core_records.identity.tables``).

Revision ID: 0007_identity
Revises: 0001_initial
Create Date: 2026-11-23

For SQLite and PostgreSQL alike. Constraint names follow
``core_records.tables.NAMING_CONVENTION``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_identity"
down_revision: str | None = "0006_monitoring"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Time = sa.DateTime(timezone=True)
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Id = sa.String(128)


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=f"pk_{table}")


def _person_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["person.id"], name=f"fk_{table}_{column}_person")


def upgrade() -> None:
    op.create_index("ix_person_date_of_birth", "person", ["date_of_birth"])
    op.create_table(
        "person_name_key",
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        _pk("person_name_key", "key", "person_id"),
        _person_fk("person_name_key", "person_id"),
    )
    op.create_index("ix_person_name_key_person_id", "person_name_key", ["person_id"])
    _file_names_on_record()
    op.create_table(
        "identity_decision",
        sa.Column("id", BigId, nullable=False),
        sa.Column("message_id", Id, nullable=False),
        sa.Column("decided_at", Time, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("person_key", sa.String(16)),
        sa.Column("candidate_key", sa.String(16)),
        sa.Column("score", sa.Float()),
        sa.Column("evidence", sa.Text(), nullable=False),
        _pk("identity_decision", "id"),
    )
    op.create_index("ix_identity_decision_message_id", "identity_decision", ["message_id"])
    op.create_index("ix_identity_decision_person_key", "identity_decision", ["person_key"])
    op.create_table(
        "identity_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", Id, nullable=False),
        sa.Column("opened_at", Time, nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("summary", sa.String(255), nullable=False),
        sa.Column("candidates", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(100)),
        sa.Column("decided_at", Time),
        sa.Column("decision_key", sa.String(16)),
        _pk("identity_case", "id"),
        sa.UniqueConstraint("message_id", name="uq_identity_case_message_id"),
    )
    op.create_index("ix_identity_case_status_id", "identity_case", ["status", "id"])
    op.create_table(
        "merge_candidate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_key", sa.String(16), nullable=False),
        sa.Column("second_key", sa.String(16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("found_at", Time, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        _pk("merge_candidate", "id"),
        sa.UniqueConstraint("first_key", "second_key", name="uq_merge_candidate_first_key"),
    )
    op.create_table(
        "person_merge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survivor_id", sa.Integer(), nullable=False),
        sa.Column("absorbed_id", sa.Integer(), nullable=False),
        sa.Column("merged_at", Time, nullable=False),
        sa.Column("merged_by", sa.String(100), nullable=False),
        sa.Column("reason", sa.String(255), nullable=False),
        sa.Column("moved", sa.Text(), nullable=False),
        sa.Column("unmerged_at", Time),
        sa.Column("unmerged_by", sa.String(100)),
        _pk("person_merge", "id"),
        _person_fk("person_merge", "survivor_id"),
        _person_fk("person_merge", "absorbed_id"),
    )
    op.create_index("ix_person_merge_survivor_id", "person_merge", ["survivor_id"])
    op.create_index("ix_person_merge_absorbed_id", "person_merge", ["absorbed_id"])
    op.create_table(
        "partner_token_grant",
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("scopes", sa.String(200), nullable=False),
        sa.Column("message_types", sa.Text()),
        sa.Column("expires_at", Time),
        _pk("partner_token_grant", "token_id"),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["partner_token.id"],
            name="fk_partner_token_grant_token_id_partner_token",
        ),
    )


def _file_names_on_record(chunk: int = 10_000) -> None:
    """File the names already on record under their name keys, so that people received
    before this migration are found by name as well as by date of birth."""
    # The key is the matcher's own (normalised surname and first forename): computed by the
    # same function, not re-implemented in SQL.
    from core_records.identity.candidates import name_key

    bind = op.get_bind()
    names = sa.table(
        "person_name",
        sa.column("id", sa.Integer()),
        sa.column("person_id", sa.Integer()),
        sa.column("surname", sa.String()),
        sa.column("forenames", sa.String()),
    )
    keys = sa.table("person_name_key", sa.column("key", sa.String()), sa.column("person_id"))
    last = 0
    while True:
        rows = bind.execute(
            sa.select(names.c.id, names.c.person_id, names.c.surname, names.c.forenames)
            .where(names.c.id > last)
            .order_by(names.c.id)
            .limit(chunk)
        ).all()
        if not rows:
            return
        last = rows[-1].id
        found = {(name_key(r.surname, r.forenames), r.person_id) for r in rows if r.surname}
        existing = set(
            tuple(row)
            for row in bind.execute(
                sa.select(keys.c.key, keys.c.person_id).where(
                    keys.c.person_id.in_({p for _, p in found})
                )
            )
        )
        new = [{"key": k, "person_id": p} for k, p in sorted(found - existing)]
        if new:
            bind.execute(sa.insert(keys), new)


def downgrade() -> None:
    for table in (
        "partner_token_grant",
        "person_merge",
        "merge_candidate",
        "identity_case",
        "identity_decision",
        "person_name_key",
    ):
        op.drop_table(table)
    op.drop_index("ix_person_date_of_birth", table_name="person")
