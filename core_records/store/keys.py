"""Keys taken ahead of the rows that will carry them.

The store names new people and bookings in events, movements and identifiers before it
writes them (it writes them once per batch), so it takes their keys first. PostgreSQL takes
them from the key column's own sequence: never the same key twice, and no writer waits for
another. SQLite lets one writer in at a time (BEGIN IMMEDIATE), so the writer holding the
lock continues after the highest key written.
"""

from __future__ import annotations

import sqlalchemy as sa


def take_keys(
    connection: sa.Connection, column: sa.Column[int], count: int, *, after: int = 0
) -> list[int]:
    """``count`` unused values for the integer key ``column``, above ``after`` too (keys
    already taken in this transaction but not yet written)."""
    if count <= 0:
        return []
    if connection.dialect.name == "postgresql":
        sequence = sa.func.pg_get_serial_sequence(column.table.name, column.name)
        return list(
            connection.execute(
                sa.select(sa.func.nextval(sequence)).select_from(sa.func.generate_series(1, count))
            ).scalars()
        )
    highest = connection.execute(sa.select(sa.func.max(column))).scalar() or 0
    start = max(highest, after) + 1
    return list(range(start, start + count))
