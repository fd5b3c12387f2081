"""The embedded transport's SQLite file: its tables, and how every process opens it.

WAL lets readers carry on while one writer commits; ``synchronous=FULL`` makes a commit
durable on disk before it returns, which is what "published" promises. Every change is a
``BEGIN IMMEDIATE`` transaction: it takes the write lock at the start, so two processes
leasing from one queue queue up behind each other instead of both reading the same free
messages and one failing to upgrade its lock. ``busy_timeout`` is how long they queue.

Times are integer milliseconds since the epoch, from the wall clock: leases are compared
across processes, which share no monotonic clock.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS exchanges (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS queues (
    name TEXT PRIMARY KEY,
    dead_letter_exchange TEXT,            -- NULL for the dead-letter queue itself
    delivery_limit INTEGER NOT NULL DEFAULT 0,  -- 0: no limit
    single_active_consumer INTEGER NOT NULL DEFAULT 0,
    returns_to TEXT,                      -- wait queues only: the work queue they feed
    delay_ms INTEGER                      -- wait queues only
);
CREATE TABLE IF NOT EXISTS bindings (
    exchange TEXT NOT NULL,
    pattern TEXT NOT NULL,
    queue TEXT NOT NULL,
    PRIMARY KEY (exchange, pattern, queue)
);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- the enqueue order
    queue TEXT NOT NULL,
    routing_key TEXT NOT NULL,
    body BLOB NOT NULL,
    headers TEXT NOT NULL,                 -- a JSON object of strings
    message_id TEXT NOT NULL,
    content_type TEXT NOT NULL,
    timestamp TEXT NOT NULL,               -- ISO 8601
    available_at INTEGER NOT NULL,         -- wait queues: when the message goes back
    delivery_count INTEGER NOT NULL DEFAULT 0,
    redelivered INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,                      -- the consumer holding it, if any
    lease_fetch INTEGER,                   -- which of that consumer's fetches took it
    leased_until INTEGER
);
CREATE INDEX IF NOT EXISTS messages_in_order ON messages (queue, lease_owner, id);
CREATE INDEX IF NOT EXISTS messages_by_availability ON messages (queue, available_at);
CREATE INDEX IF NOT EXISTS messages_by_lease_owner ON messages (lease_owner)
    WHERE lease_owner IS NOT NULL;
CREATE TABLE IF NOT EXISTS consumer_leases (
    queue TEXT PRIMARY KEY,                -- a single-active-consumer queue
    owner TEXT NOT NULL,                   -- its active consumer
    expires_at INTEGER NOT NULL
);
"""


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def connect(path: str | Path, *, busy_timeout_s: float) -> sqlite3.Connection:
    """A connection in autocommit mode: transactions are begun explicitly, see
    ``write_transaction``. It may be closed from another thread than the one using it."""
    connection = sqlite3.connect(
        str(path), timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
    )
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    return connection


def create_schema(connection: sqlite3.Connection) -> None:
    with write_transaction(connection):
        for statement in SCHEMA.split(";"):
            if statement.strip():
                connection.execute(statement)


@contextmanager
def write_transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A transaction holding the write lock from its start; committed, and so durable,
    when the block ends without an exception."""
    _begin_immediate(connection)
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _begin_immediate(connection: sqlite3.Connection) -> None:
    # SQLite's own busy handler waits longer and longer between tries, up to 100 ms, so a
    # process writing in a tight loop (a consumer draining a backlog) can keep the lock from
    # the others (the api publishing) for seconds. Trying again every millisecond or so,
    # within the same busy timeout, shares the lock out fairly.
    busy_timeout_ms = connection.execute("PRAGMA busy_timeout").fetchone()[0]
    deadline = time.monotonic() + busy_timeout_ms / 1000
    connection.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                    raise
            time.sleep(random.uniform(0.0002, 0.002))
    finally:
        connection.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
