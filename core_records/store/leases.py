"""Leases: one process at a time runs a job (the outbox relay), however many are started.

A lease is a row (name, owner, expires_at). The owner renews it by claiming again before it
expires; anyone may take it over once it has expired, so a crashed owner holds it for one
time-to-live at most. Times come from the claiming host's clock: keep hosts in step (NTP)
and the time-to-live far above any skew.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from core_records.store.tables import relay_lease


def claim(connection: sa.Connection, name: str, owner: str, ttl_s: float, now: datetime) -> bool:
    """Take or renew the lease ``name`` for ``ttl_s`` seconds; whether ``owner`` holds it.

    Safe when two processes race: the conditional UPDATE re-checks its WHERE clause on the
    row as the winner left it (PostgreSQL) or runs alone (SQLite), and the INSERT of a new
    lease does nothing if another process inserted it first.
    """
    expires_at = now + timedelta(seconds=ttl_s)
    renewed = connection.execute(
        sa.update(relay_lease)
        .where(
            relay_lease.c.name == name,
            sa.or_(relay_lease.c.owner == owner, relay_lease.c.expires_at <= now),
        )
        .values(owner=owner, expires_at=expires_at)
    )
    if renewed.rowcount == 1:
        return True
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    created = connection.execute(
        insert(relay_lease)
        .values(name=name, owner=owner, expires_at=expires_at)
        .on_conflict_do_nothing(index_elements=[relay_lease.c.name])
        .returning(relay_lease.c.name)
    ).first()
    return created is not None


def release(connection: sa.Connection, name: str, owner: str) -> None:
    """Give the lease up at once, if ``owner`` holds it, so another process need not wait."""
    connection.execute(
        sa.delete(relay_lease).where(relay_lease.c.name == name, relay_lease.c.owner == owner)
    )


def live(connection: sa.Connection, prefix: str, now: datetime) -> int:
    """How many leases whose name starts with ``prefix`` are held and not expired (ingest
    workers count each other this way to share the partitions)."""
    return int(
        connection.scalar(
            sa.select(sa.func.count())
            .select_from(relay_lease)
            .where(relay_lease.c.name.startswith(prefix, autoescape=True))
            .where(relay_lease.c.expires_at > now)
        )
        or 0
    )
