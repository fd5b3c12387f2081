"""Monthly range partitions of a PostgreSQL table: list them, add the months ahead, drop one.

Migration ``0014_retention`` makes ``journal`` and ``message_document`` tables partitioned by
month of their time column, with a DEFAULT partition for rows outside every month, all in
the schema ``partitions`` (out of the search path, so that the schema reads as one table
each). Retention (``core_records.bookkeeping.retention``) keeps months ahead with
``add_month`` and expires old ones with ``drop``: dropping a month's table frees its space
at once, where deleting its rows one by one would leave work for vacuum.

A partition's bounds are read from the catalogue, not from its name, so that a partition
added by hand with another name is still understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

SCHEMA = "partitions"
"""Where the partitions live."""

_BOUNDS = re.compile(r"FROM \('([^']+)'\) TO \('([^']+)'\)")


@dataclass(frozen=True)
class Partition:
    name: str
    """Its table's name, in ``SCHEMA``."""
    start: datetime | None
    """The first moment it holds; None for the DEFAULT partition."""
    end: datetime | None
    """The first moment it no longer holds (exclusive); None for the DEFAULT partition."""

    @property
    def is_default(self) -> bool:
        return self.start is None

    def expired_by(self, cutoff: datetime) -> bool:
        """Every moment it can hold is before ``cutoff``."""
        return self.end is not None and self.end <= cutoff


def is_partitioned(connection: sa.Connection, table: str) -> bool:
    """Whether ``table`` is a partitioned table (PostgreSQL after ``0014_retention``)."""
    if connection.dialect.name != "postgresql":
        return False
    kind = connection.scalar(
        sa.text("SELECT relkind FROM pg_class WHERE oid = to_regclass(:t)"), {"t": table}
    )
    return kind == "p"


def partitions(connection: sa.Connection, table: str) -> list[Partition]:
    """The partitions of ``table``, months oldest first, the DEFAULT partition last."""
    rows = connection.execute(
        sa.text(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i"
            " JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(:t)"
        ),
        {"t": table},
    ).all()
    found = []
    for name, bound in rows:
        match = _BOUNDS.search(bound)
        if match:
            start, end = (datetime.fromisoformat(v).astimezone(UTC) for v in match.groups())
            found.append(Partition(name, start, end))
        else:
            found.append(Partition(name, None, None))
    return sorted(
        found, key=lambda p: (p.start is None, p.start or datetime.min.replace(tzinfo=UTC))
    )


def default_partition(connection: sa.Connection, table: str) -> Partition | None:
    return next((p for p in partitions(connection, table) if p.is_default), None)


def month_start(moment: datetime) -> datetime:
    """The first moment of ``moment``'s month, in UTC."""
    moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def add_months(month: datetime, count: int) -> datetime:
    """The start of the month ``count`` months after ``month``'s start."""
    index = month.year * 12 + month.month - 1 + count
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def add_month(connection: sa.Connection, table: str, column: str, start: datetime) -> str | None:
    """Add the partition of ``table`` for the month from ``start``; its name, or None if a
    partition already covers it.

    Rows of that month already in the DEFAULT partition (written while no month held them)
    are moved into the new one, in the caller's transaction: PostgreSQL refuses a new
    partition while the DEFAULT partition holds rows that belong to it.
    """
    end = add_months(start, 1)
    if any(
        p.start is not None and p.end is not None and p.start < end and start < p.end
        for p in partitions(connection, table)
    ):
        return None
    name = f"{table}_{start:%Y_%m}"
    default = default_partition(connection, table)
    in_month = f"\"{column}\" >= '{start.isoformat()}' AND \"{column}\" < '{end.isoformat()}'"
    strays = default is not None and connection.scalar(
        sa.text(f'SELECT EXISTS (SELECT 1 FROM {SCHEMA}."{default.name}" WHERE {in_month})')
    )
    if strays:
        assert default is not None
        connection.execute(
            sa.text(
                "CREATE TEMPORARY TABLE strays ON COMMIT DROP AS"
                f' SELECT * FROM {SCHEMA}."{default.name}" WHERE {in_month}'
            )
        )
        connection.execute(sa.text(f'DELETE FROM {SCHEMA}."{default.name}" WHERE {in_month}'))
    connection.execute(
        sa.text(
            f'CREATE TABLE {SCHEMA}."{name}" PARTITION OF "{table}"'
            f" FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
        )
    )
    if strays:
        connection.execute(sa.text(f'INSERT INTO "{table}" SELECT * FROM strays'))
        connection.execute(sa.text("DROP TABLE strays"))
    return name


def drop(connection: sa.Connection, partition: Partition) -> None:
    """Drop a partition and every row in it."""
    connection.execute(sa.text(f'DROP TABLE IF EXISTS {SCHEMA}."{partition.name}"'))


def rows_in(connection: sa.Connection, partition: Partition) -> int:
    """How many rows ``partition`` holds (counted, so exact)."""
    return int(connection.scalar(sa.text(f'SELECT count(*) FROM {SCHEMA}."{partition.name}"')) or 0)


def estimated_rows(connection: sa.Connection, partition: Partition) -> int:
    """How many rows ``partition`` holds: the planner's count once the table has been
    analysed (reading it is instant, where counting a month of the journal is not), else
    counted."""
    estimate = connection.scalar(
        sa.text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:t)"),
        {"t": f'{SCHEMA}."{partition.name}"'},
    )
    if estimate is not None and estimate >= 0:
        return int(estimate)
    return rows_in(connection, partition)
