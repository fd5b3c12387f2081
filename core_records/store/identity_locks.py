"""One lock per identity key, held by the transaction that may create the person.

With ingest partitioned, two receptions of one new person can be applied at the same moment
by two workers: each looks for the person, finds no one, and creates them, so the record
gets two people. On PostgreSQL a batch therefore takes, before it reads who holds its
identifiers or who matches its particulars, a transaction-level advisory lock per identity
key of its receptions:

- each identifier a reception names (``PNC:2001/0023456K``), so that two receptions naming
  one number are applied one after the other, and the second finds the person the first
  made;
- each blocking name key (``core_records.identity.candidates.keys_to_search``) joined with
  the date of birth, so that two receptions by particulars alone that agree on a name and a
  date of birth are too.

The second batch waits until the first commits, and PostgreSQL's READ COMMITTED lets its
next statement see what the first wrote. Keys are taken in one statement, in a global
order, so that two batches never wait on each other in a circle. A key shared by chance
(a common name on a common birthday, or two keys hashing alike) only makes one batch wait.

Receptions that differ in both every name key and the date of birth (a typo in each) can
still create two people when they race; the matcher would only have held such a pair for
review, and the duplicate scan (``core_records.identity.dedupe``) finds them.

SQLite needs none of this: BEGIN IMMEDIATE lets one writer in at a time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import sqlalchemy as sa

from core_records.commands import Command, RecordReception
from core_records.identity.candidates import keys_to_search

_NAMESPACE = "gatehouse-identity:"
"""Salts the keys, so that they do not collide with other advisory locks by design."""

_TAKE = sa.text(
    "SELECT count(pg_advisory_xact_lock(k)) FROM unnest(CAST(:keys AS bigint[])) AS t(k)"
)


def identity_keys(commands: Iterable[Command]) -> set[str]:
    """The identity keys of the receptions among ``commands``."""
    keys: set[str] = set()
    for command in commands:
        if not isinstance(command, RecordReception):
            continue
        particulars = command.person
        keys.update(f"id:{i.type}:{i.value}" for i in particulars.identifiers)
        born = particulars.date_of_birth.isoformat()
        keys.update(f"name:{key}|{born}" for key in keys_to_search(particulars))
    return keys


def lock_number(key: str) -> int:
    """A signed 64-bit advisory lock number for ``key``, the same in every process."""
    digest = hashlib.blake2b((_NAMESPACE + key).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def take_identity_locks(connection: sa.Connection, commands: Iterable[Command]) -> int:
    """Lock every identity key of ``commands`` until the transaction ends; how many locks.

    Nothing to do on SQLite, or for a batch without receptions."""
    if connection.dialect.name != "postgresql":
        return 0
    numbers = sorted({lock_number(key) for key in identity_keys(commands)})
    if not numbers:
        return 0
    # unnest hands the sorted array out in order, and the locks are taken in that order.
    connection.execute(_TAKE, {"keys": numbers})
    return len(numbers)
