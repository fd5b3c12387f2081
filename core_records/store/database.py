"""Engines for the record store: SQLite for the embedded demo, PostgreSQL for production.

Both behave the same to the rest of the store. SQLite needs help for that:

- its Python driver opens transactions lazily and breaks SAVEPOINT, so SQLAlchemy emits
  BEGIN itself (the recipe in SQLAlchemy's SQLite dialect documentation);
- BEGIN is IMMEDIATE, taking the write lock at once: a deferred transaction that reads and
  then writes fails at once with "database is locked" if another writer committed in between,
  whatever the busy timeout. A connection that only reads can ask for a deferred transaction
  with ``connection.execution_options(**READ_ONLY)``, so that it does not block writers.

A PostgreSQL store is reached over TLS as libpq's ``sslmode`` says (``with_tls``): the
parameters go in the URL's query, which the psycopg dialect hands to every connection as
connect arguments, so that the engine, the migrations and ``gatehouse db`` all use them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url

from core_records.errors import ConcurrentUpdate, StoreUnavailable, TransientError

SQLITE_BUSY_TIMEOUT_MS = 30_000
"""How long a SQLite writer waits for another writer's lock before giving up, in ms."""

READ_ONLY: dict[str, Any] = {"gatehouse_sqlite_begin": "BEGIN DEFERRED"}
"""Execution options for a connection that only reads (has an effect on SQLite only)."""


def database_url(url: str | URL) -> URL:
    """The URL with plain ``postgresql://`` (or ``postgres://``) pointed at psycopg 3."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("postgresql", "sqlite"):
        raise ValueError(f"the record store runs on SQLite or PostgreSQL, not {parsed.drivername}")
    return parsed


SSLMODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
"""libpq's ``sslmode`` values; ``verify-full`` checks the CA and the server's host name."""


def with_tls(
    url: str,
    *,
    sslmode: str | None = None,
    sslrootcert: Path | None = None,
    sslcert: Path | None = None,
    sslkey: Path | None = None,
) -> str:
    """``url`` with libpq's TLS parameters added to its query (those given only).

    Refused: an unknown ``sslmode``, TLS parameters for SQLite, and a parameter the URL
    already sets to something else (which one would win is not obvious to a reader).
    """
    given = {
        name: str(value)
        for name, value in (
            ("sslmode", sslmode),
            ("sslrootcert", sslrootcert),
            ("sslcert", sslcert),
            ("sslkey", sslkey),
        )
        if value is not None
    }
    if not given:
        return url
    if sslmode is not None and sslmode not in SSLMODES:
        raise ValueError(f"sslmode {sslmode!r} is not one of {', '.join(SSLMODES)}")
    parsed = database_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(
            f"{', '.join(given)} apply to a PostgreSQL store only, not {parsed.drivername}"
        )
    for name, value in given.items():
        if name in parsed.query and parsed.query[name] != value:
            raise ValueError(
                f"the database URL sets {name}={parsed.query[name]} and the settings {value}"
            )
    return parsed.update_query_dict(given).render_as_string(hide_password=False)


def create_engine(url: str | URL, **options: Any) -> Engine:
    """An engine for ``sqlite:///path`` or ``postgresql[+psycopg]://...``.

    ``options`` go to ``sqlalchemy.create_engine`` and override the defaults here.
    """
    parsed = database_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = sa.create_engine(parsed, **options)
        _prepare_sqlite(engine)
        return engine
    # A worker holds one connection for its batch; the API a few. Connections die when
    # PostgreSQL restarts or a proxy drops idle ones, so check before use and recycle.
    settings: dict[str, Any] = {"pool_pre_ping": True, "pool_recycle": 1800}
    if "poolclass" not in options:
        settings.update(pool_size=5, max_overflow=10, pool_timeout=30)
    settings.update(options)
    return sa.create_engine(parsed, **settings)


def _prepare_sqlite(engine: Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy (see the module docstring).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            # FULL: a commit survives a power cut too, as the ack to the broker promises.
            cursor.execute("PRAGMA synchronous=FULL")
        finally:
            cursor.close()

    @sa.event.listens_for(engine, "begin")
    def on_begin(connection: sa.Connection) -> None:
        begin = connection.get_execution_options().get("gatehouse_sqlite_begin", "BEGIN IMMEDIATE")
        connection.exec_driver_sql(begin)


_RETRYABLE_SQLSTATES = {
    "40001": "a concurrent transaction made ours impossible to serialise",
    "40P01": "a deadlock with a concurrent transaction",
    "55P03": "a lock was not available",
}


def transient_error(error: sa.exc.DBAPIError) -> TransientError | None:
    """The ``TransientError`` a database error amounts to, or None if retrying cannot help.

    A concurrency conflict becomes ``ConcurrentUpdate`` (repeat the work at once); a lost or
    refused connection, or a SQLite lock held past the busy timeout, ``StoreUnavailable``.
    """
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate in _RETRYABLE_SQLSTATES:
        return ConcurrentUpdate(f"the store reported {_RETRYABLE_SQLSTATES[sqlstate]}")
    if error.connection_invalidated or isinstance(
        error, sa.exc.OperationalError | sa.exc.InterfaceError
    ):
        return StoreUnavailable(f"the record store is unavailable: {_first_line(error.orig)}")
    return None


@contextmanager
def store_errors() -> Iterator[None]:
    """Raise database failures that retrying may cure as ``TransientError`` subclasses."""
    try:
        yield
    except sa.exc.DBAPIError as error:
        transient = transient_error(error)
        if transient is None:
            raise
        raise transient from error
    except sa.exc.TimeoutError as error:
        raise StoreUnavailable("no database connection came free in time") from error


def _first_line(error: BaseException | None) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
