"""Retention: the journal and stored documents partitioned by time on PostgreSQL, and the
record of each prune (``core_records.tables.retention_run``).

Revision ID: 0014_retention
Revises: 0013_interface_control
Create Date: 2026-12-02

For SQLite and PostgreSQL alike; the partitioning is PostgreSQL's only (SQLite keeps plain
tables, and retention deletes from them). Constraint names follow
``core_records.tables.NAMING_CONVENTION``.

On PostgreSQL each of ``journal`` and ``message_document`` becomes a table partitioned by range
of its time column: one partition a month, from the month of its oldest row to three months
ahead, and a DEFAULT partition for any row outside them. The rows are copied over; indexes,
constraint names and the id sequence are kept (new ids continue after the old ones).
PostgreSQL needs the partition key in the primary key, so there it is ``(id, <time>)``; ids
still come from one sequence, so ``id`` alone stays unique in practice. The partitions live
in the schema ``partitions``, out of the search path, so that the schema reads (and compares
with ``core_records.tables``) as one table each. ``core_records.store.partitions`` keeps the
months ahead and drops the expired ones afterwards; this migration does not import it, so
that it builds the same schema whatever that module becomes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0014_retention"
down_revision: str | None = "0013_interface_control"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Time = sa.DateTime(timezone=True)
SCHEMA = "partitions"
PARTITIONED = (("journal", "at"), ("message_document", "stored_at"))
"""Each table partitioned on PostgreSQL, with its time column."""
MONTHS_AHEAD = 3


def upgrade() -> None:
    op.create_table(
        "retention_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("at", Time, nullable=False),
        sa.Column("cutoff", Time, nullable=False),
        sa.Column("rows_deleted", sa.BigInteger(), nullable=False),
        sa.Column("partitions_dropped", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_retention_run"),
    )
    op.create_index("ix_retention_run_kind_at", "retention_run", ["kind", "at"])
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    for table, column in PARTITIONED:
        _partition(bind, table, column)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table, _column in PARTITIONED:
            _unpartition(bind, table)
        op.execute(f"DROP SCHEMA IF EXISTS {SCHEMA}")
    op.drop_index("ix_retention_run_kind_at", table_name="retention_run")
    op.drop_table("retention_run")


def _partition(bind: sa.Connection, table: str, column: str) -> None:
    """``table`` rebuilt as a table partitioned by month of ``column``, rows and all."""
    old = f"{table}_unpartitioned"
    kept = _detach_keys(bind, table, old)
    op.execute(
        f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)'
        f' PARTITION BY RANGE ("{column}")'
    )
    op.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "pk_{table}" PRIMARY KEY (id, "{column}")')
    oldest = bind.scalar(sa.text(f'SELECT min("{column}") FROM "{old}"'))
    for start, end in _months(oldest, datetime.now(UTC)):
        op.execute(
            f'CREATE TABLE {SCHEMA}."{table}_{start:%Y_%m}" PARTITION OF "{table}"'
            f" FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
        )
    op.execute(f'CREATE TABLE {SCHEMA}."{table}_default" PARTITION OF "{table}" DEFAULT')
    _move_rows_and_keys(old, table, kept)


def _unpartition(bind: sa.Connection, table: str) -> None:
    """``table`` rebuilt as a plain table with ``id`` its primary key, rows and all."""
    old = f"{table}_partitioned"
    kept = _detach_keys(bind, table, old)
    op.execute(f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)')
    op.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "pk_{table}" PRIMARY KEY (id)')
    _move_rows_and_keys(old, table, kept)


def _detach_keys(bind: sa.Connection, table: str, new_name: str) -> dict[str, object]:
    """Free ``table``'s name, index names and id sequence for the table that replaces it, and
    rename it ``new_name``; what to build again on the new table."""
    constraints = bind.execute(
        sa.text(
            "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint"
            " WHERE conrelid = CAST(:t AS regclass) AND contype IN ('p', 'f', 'u', 'x')"
        ),
        {"t": table},
    ).all()
    unsupported = [name for name, _d, kind in constraints if kind in ("u", "x")]
    if unsupported:
        # A unique key of a partitioned table must hold the partition key; say so rather
        # than guess.
        raise RuntimeError(f"{table} has {', '.join(unsupported)}: add its time column first")
    indexes = bind.execute(
        sa.text(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x"
            " JOIN pg_class i ON i.oid = x.indexrelid"
            " WHERE x.indrelid = CAST(:t AS regclass)"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
        ),
        {"t": table},
    ).all()
    sequence = bind.scalar(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table})
    for name, _definition, _kind in constraints:
        op.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        op.execute(f'DROP INDEX "{name}"')
    op.execute(f'ALTER TABLE "{table}" RENAME TO "{new_name}"')
    if sequence is not None:
        op.execute(f"ALTER SEQUENCE {sequence} OWNED BY NONE")
    return {
        "sequence": sequence,
        # A partitioned table's index reads "ON ONLY table"; built again, it covers all.
        "indexes": [definition.replace(" ON ONLY ", " ON ") for _n, definition in indexes],
        "foreign_keys": [
            f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'
            for name, definition, kind in constraints
            if kind == "f"
        ],
    }


def _move_rows_and_keys(old: str, table: str, kept: dict[str, object]) -> None:
    """Copy ``old``'s rows into ``table`` (same columns, same order), drop ``old`` (and its
    partitions), and build the indexes and foreign keys again, after the copy (faster)."""
    if kept["sequence"] is not None:
        op.execute(f'ALTER SEQUENCE {kept["sequence"]} OWNED BY "{table}".id')
    op.execute(f'INSERT INTO "{table}" SELECT * FROM "{old}"')
    op.execute(f'DROP TABLE "{old}"')
    for statement in [*kept["indexes"], *kept["foreign_keys"]]:  # type: ignore[misc]
        op.execute(statement)


def _months(oldest: datetime | None, now: datetime) -> list[tuple[datetime, datetime]]:
    """(start, end) of each month from the one of ``oldest`` (or now) to MONTHS_AHEAD after
    now's, in UTC."""
    first = _month_start(oldest if oldest is not None else now)
    last = _add_months(_month_start(now), MONTHS_AHEAD)
    months = []
    start = first
    while start <= last:
        end = _add_months(start, 1)
        months.append((start, end))
        start = end
    return months


def _month_start(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def _add_months(month: datetime, count: int) -> datetime:
    index = month.year * 12 + month.month - 1 + count
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)
