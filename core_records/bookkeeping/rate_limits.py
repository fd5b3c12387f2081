"""Request rates shared by every process: the limiter port and its store implementation.

A limit is a steady ``per_s`` with a ``burst`` allowed at once, as a token bucket of
``burst`` tokens refilling at ``per_s``. It is kept as the generic cell rate algorithm
(GCRA) keeps it: one number per key, the *theoretical arrival time* (TAT) at which the key's
bucket would be full again. A request at ``now`` is let through when
``max(TAT, now) - now <= (burst - 1) * interval`` (``interval = 1 / per_s``), and then moves
the TAT on by one interval; otherwise it must wait until that holds.

``StoreRateLimiter`` keeps the TAT in the ``rate_limit`` table and updates it with a single
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``: PostgreSQL locks the row for the
statement's transaction and re-evaluates against the latest row, SQLite writes one at a time,
so two processes taking the last token at once cannot both get it. The Redis limiter
(``gatehouse.api.redis_limiter``) runs the same arithmetic in a Lua script.

Times are the processes' wall clocks, in whole microseconds since the epoch: processes on
different hosts must keep their clocks in step (NTP), as they must for the journal anyway.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from core_records.bookkeeping.tables import rate_limit
from core_records.store.database import create_engine, store_errors

MICROSECONDS = 1_000_000


@dataclass(frozen=True)
class Rate:
    per_s: float
    """Requests per second, on average."""
    burst: int
    """Requests let through at once after a quiet spell."""

    @property
    def interval_us(self) -> int:
        return max(1, round(MICROSECONDS / self.per_s))

    @property
    def tolerance_us(self) -> int:
        return (max(self.burst, 1) - 1) * self.interval_us


class RateLimiter(Protocol):
    """The port: take one request's turn for ``key``."""

    def wait_for(self, key: str, rate: Rate) -> float:
        """0 when a request for ``key`` may go now (and it is counted), else the seconds until
        one may."""
        ...

    def close(self) -> None:
        """Let go of what the limiter opened of its own (connections); not the store's."""
        ...


def wall_clock_us() -> int:
    return time.time_ns() // 1000


class StoreRateLimiter:
    """``RateLimiter`` on the record store (SQLite or PostgreSQL), one row per key."""

    def __init__(self, engine: sa.Engine, clock_us: Callable[[], int] | None = None) -> None:
        """``clock_us`` replaces the database's clock (for tests); by default the time is
        the database's, read once the key's row is locked, so that a request whose process
        was held up between reading a clock and reaching the row is not judged by a time
        older than the request it follows."""
        self._engine = self._store_engine = engine
        if engine.dialect.name == "sqlite":
            self._engine = _without_sync_commits(engine)
        self._clock_us = clock_us

    def wait_for(self, key: str, rate: Rate) -> float:
        interval, tolerance = rate.interval_us, rate.tolerance_us
        with store_errors(), self._engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # A count lost in a crash a few milliseconds old lets a request or two more
                # through; waiting for the WAL flush would cost every request a disk sync.
                connection.exec_driver_sql("SET LOCAL synchronous_commit TO off")
            now = (
                sa.literal(self._clock_us(), sa.BigInteger)
                if self._clock_us is not None
                else _database_clock_us(connection)
            )
            stored = rate_limit.c.tat_us
            due = sa.case((stored < now, now), else_=stored)
            fits = (due - now) <= tolerance
            insert = _insert(connection).values(key=key, tat_us=now + interval, allowed=True)
            row = connection.execute(
                insert.on_conflict_do_update(
                    index_elements=[rate_limit.c.key],
                    set_={
                        "tat_us": sa.case((fits, due + interval), else_=stored),
                        "allowed": fits,
                    },
                ).returning(rate_limit.c.tat_us, rate_limit.c.allowed, now.label("now_us"))
            ).one()
        if row.allowed:
            return 0.0
        return max(row.tat_us - row.now_us - tolerance, 1) / MICROSECONDS

    def forget(self, key: str) -> None:
        """Start ``key`` afresh (a full burst)."""
        with store_errors(), self._engine.begin() as connection:
            connection.execute(sa.delete(rate_limit).where(rate_limit.c.key == key))

    def close(self) -> None:
        """Dispose of the SQLite connections made for the limiter; the store's engine, which
        a PostgreSQL limiter shares, is the hub's to dispose of."""
        if self._engine is not self._store_engine:
            self._engine.dispose()


def _without_sync_commits(engine: sa.Engine) -> sa.Engine:
    """Connections of the limiter's own to ``engine``'s SQLite file that do not sync the disk
    at each commit (WAL with ``synchronous=NORMAL``: a power cut may lose the last counts, never
    corrupt the file). The store's own connections keep ``FULL``."""
    limiter_engine = create_engine(engine.url)

    @sa.event.listens_for(limiter_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    return limiter_engine


def _database_clock_us(connection: sa.Connection) -> sa.ColumnElement[int]:
    """The database's time in whole microseconds since the epoch, read as the statement runs:
    PostgreSQL's ``clock_timestamp()`` (evaluated in the upsert once the row is locked);
    SQLite's ``'now'`` (writers take turns, so each write sees a time after the last)."""
    if connection.dialect.name == "postgresql":
        return sa.cast(sa.func.extract("epoch", sa.func.clock_timestamp()) * MICROSECONDS,
                       sa.BigInteger)  # fmt: skip
    return sa.cast((sa.func.julianday("now") - 2440587.5) * 86_400 * MICROSECONDS, sa.BigInteger)


def _insert(connection: sa.Connection) -> postgresql.Insert | sqlite.Insert:
    if connection.dialect.name == "postgresql":
        return postgresql.insert(rate_limit)
    return sqlite.insert(rate_limit)
