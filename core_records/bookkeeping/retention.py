"""Retention: personal data kept only as long as information governance allows.

Each kind of data held has a period (``HELD``; the periods come from settings): stored
documents, the message journal, and the audit of data-share reads. A prune removes what is
older than ``now - period`` (the cutoff) and nothing at or after it:

- On PostgreSQL the journal and the documents are partitioned by month
  (``core_records.store.partitions``): a prune first adds the partitions of this month and
  the months ahead, then drops each partition whose whole month is before the cutoff, then
  deletes any expired rows that sit in the DEFAULT partition. A month is dropped only once
  all of it has expired, so rows there are kept up to a month beyond their period.
- Elsewhere (SQLite, and the audit, which is not partitioned) expired rows are deleted in
  chunks of ``chunk_rows``, a transaction each, so that a prune never holds a long lock.

Every prune is recorded in ``retention_run`` (when, the cutoff, rows deleted, partitions
dropped), which the information-governance page reads. Any number of workers may prune at
once: partition work takes a PostgreSQL advisory lock (one pruner at a time per kind, the
others skip it), and a second delete of the same rows deletes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from core_records.bookkeeping.history_tables import message_document
from core_records.bookkeeping.retention_tables import retention_run
from core_records.bookkeeping.tables import audit_event, journal
from core_records.store import partitions as monthly
from core_records.store.database import READ_ONLY, store_errors
from core_records.timestamps import UtcDateTime, utc_now

log = logging.getLogger(__name__)

DOCUMENTS = "documents"
JOURNAL = "journal"
DATA_SHARE_AUDIT = "data_share_audit"
CHUNK_ROWS = 5_000
"""Rows deleted per transaction where rows are deleted one by one."""
RUNS_KEPT = timedelta(days=90)
"""How long the record of a prune that removed nothing is kept (one a kind an interval)."""
LOCK_TIMEOUT_MS = 5_000
"""How long a prune waits for the table lock that adding or dropping a partition takes."""
_LOCK_BASE = 7_400_410
"""PostgreSQL advisory lock keys of the partition work, one a kind (``_LOCK_BASE + i``)."""


@dataclass(frozen=True)
class HeldData:
    """One kind of data held: its rows, and the column that says how old a row is."""

    kind: str
    title: str
    table: sa.Table
    time_column: str
    data_share_only: bool = False
    """Only the audit rows of data-share reads (the rest of the audit is kept)."""

    def expired(self, table: sa.TableClause, cutoff: datetime) -> sa.ColumnElement[bool]:
        condition = table.c[self.time_column] < cutoff
        if self.data_share_only:
            condition = sa.and_(condition, table.c.action.startswith("data_share."))
        return condition


HELD = (
    HeldData(
        DOCUMENTS,
        "Stored documents, as partners sent and were sent them",
        message_document,
        "stored_at",
    ),
    HeldData(JOURNAL, "Message journal: every hop of every message", journal, "at"),
    HeldData(
        DATA_SHARE_AUDIT,
        "Audit of data-share reads: who read whom, and why",
        audit_event,
        "at",
        True,
    ),
)


@dataclass(frozen=True)
class Pruned:
    """One prune of one kind."""

    kind: str
    at: datetime
    cutoff: datetime
    rows_deleted: int
    partitions_dropped: tuple[str, ...] = ()
    dry_run: bool = False
    """Counted, not removed."""


@dataclass(frozen=True)
class Holding:
    """What is held of one kind, for the information-governance page."""

    kind: str
    title: str
    period: timedelta
    rows: int
    """Exact, except for a partitioned table's analysed partitions (the planner's count)."""
    oldest: datetime | None
    partitions: list[tuple[monthly.Partition, int]] = field(default_factory=list)
    """(partition, rows), on PostgreSQL; empty elsewhere."""
    last_pruned: Pruned | None = None


class Retention:
    """Prunes each kind in ``HELD`` by its period in ``periods`` (kind to period), and says
    what is held."""

    def __init__(
        self,
        engine: sa.Engine,
        periods: Mapping[str, timedelta],
        *,
        months_ahead: int = 3,
        chunk_rows: int = CHUNK_ROWS,
    ) -> None:
        self._engine = engine
        self._periods = dict(periods)
        self._months_ahead = months_ahead
        self._chunk_rows = chunk_rows

    def prune(self, *, dry_run: bool = False, now: datetime | None = None) -> list[Pruned]:
        """Prune every kind; what went (or, with ``dry_run``, what would go)."""
        now = now or utc_now()
        done = []
        for index, held in enumerate(HELD):
            pruned = self._prune(held, index, now, dry_run)
            if pruned is not None:
                done.append(pruned)
        return done

    def _prune(self, held: HeldData, index: int, now: datetime, dry_run: bool) -> Pruned | None:
        cutoff = now - self._periods[held.kind]
        dropped: list[str] = []
        rows = 0
        target: sa.TableClause | None = held.table
        with store_errors(), self._engine.begin() as connection:
            partitioned = monthly.is_partitioned(connection, held.table.name)
            if partitioned:
                locked = connection.scalar(
                    sa.text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _LOCK_BASE + index}
                )
                if not locked:
                    log.info("another worker is pruning %s; leaving it to them", held.kind)
                    return None
                # Adding or dropping a partition locks the whole table: rather than queue
                # behind a long transaction (and hold every writer up behind us), give up
                # and try again next round.
                connection.execute(sa.text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_MS}ms'"))
                if not dry_run:
                    self._add_months_ahead(connection, held, now)
                for partition in monthly.partitions(connection, held.table.name):
                    if partition.expired_by(cutoff):
                        rows += monthly.rows_in(connection, partition)
                        dropped.append(partition.name)
                        if not dry_run:
                            monthly.drop(connection, partition)
                # What is left is in the DEFAULT partition, if anywhere.
                default = monthly.default_partition(connection, held.table.name)
                target = None if default is None else _partition_table(default, held)
        if target is not None:
            if dry_run:
                rows += self._count(target, held.expired(target, cutoff))
            else:
                rows += self._delete_in_chunks(target, held.expired(target, cutoff))
        pruned = Pruned(held.kind, now, cutoff, rows, tuple(dropped), dry_run)
        if not dry_run:
            self._record(pruned)
        if rows or dropped:
            log.info(
                "%s %s: %d rows older than %s, partitions dropped: %s",
                "would prune" if dry_run else "pruned",
                held.kind,
                rows,
                cutoff.isoformat(),
                ", ".join(dropped) or "none",
            )
        return pruned

    def _add_months_ahead(self, connection: sa.Connection, held: HeldData, now: datetime) -> None:
        this_month = monthly.month_start(now)
        for ahead in range(self._months_ahead + 1):
            start = monthly.add_months(this_month, ahead)
            if monthly.add_month(connection, held.table.name, held.time_column, start):
                log.info("added the %s partition for %s", held.kind, f"{start:%Y-%m}")

    def _count(self, target: sa.TableClause, condition: sa.ColumnElement[bool]) -> int:
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            return int(
                connection.scalar(sa.select(sa.func.count()).select_from(target).where(condition))
                or 0
            )

    def _delete_in_chunks(self, target: sa.TableClause, condition: sa.ColumnElement[bool]) -> int:
        deleted = 0
        while True:
            chosen = sa.select(target.c.id).where(condition).limit(self._chunk_rows)
            with store_errors(), self._engine.begin() as connection:
                result = connection.execute(sa.delete(target).where(target.c.id.in_(chosen)))
            deleted += int(result.rowcount or 0)
            if (result.rowcount or 0) < self._chunk_rows:
                return deleted

    def _record(self, pruned: Pruned) -> None:
        with store_errors(), self._engine.begin() as connection:
            connection.execute(
                sa.insert(retention_run).values(
                    kind=pruned.kind,
                    at=pruned.at,
                    cutoff=pruned.cutoff,
                    rows_deleted=pruned.rows_deleted,
                    partitions_dropped=",".join(pruned.partitions_dropped),
                )
            )
            connection.execute(
                sa.delete(retention_run).where(
                    retention_run.c.kind == pruned.kind,
                    retention_run.c.at < pruned.at - RUNS_KEPT,
                    retention_run.c.rows_deleted == 0,
                    retention_run.c.partitions_dropped == "",
                )
            )

    def status(self) -> list[Holding]:
        """What is held of each kind, its period, and when it was last pruned."""
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            return [self._holding(connection, held) for held in HELD]

    def _holding(self, connection: sa.Connection, held: HeldData) -> Holding:
        table = held.table
        kept = table.c.action.startswith("data_share.") if held.data_share_only else sa.true()
        oldest = connection.scalar(sa.select(sa.func.min(table.c[held.time_column])).where(kept))
        parts = []
        if monthly.is_partitioned(connection, table.name):
            parts = [
                (p, monthly.estimated_rows(connection, p))
                for p in monthly.partitions(connection, table.name)
            ]
            rows = sum(count for _p, count in parts)
        else:
            rows = int(
                connection.scalar(sa.select(sa.func.count()).select_from(table).where(kept)) or 0
            )
        return Holding(
            held.kind,
            held.title,
            self._periods[held.kind],
            rows,
            oldest,
            parts,
            last_pruned(connection, held.kind),
        )


def _partition_table(partition: monthly.Partition, held: HeldData) -> sa.TableClause:
    return sa.table(
        partition.name,
        sa.column("id"),
        sa.column(held.time_column, UtcDateTime()),
        schema=monthly.SCHEMA,
    )


def last_pruned(connection: sa.Connection, kind: str) -> Pruned | None:
    """The latest recorded prune of ``kind``, or None if it was never pruned."""
    row = connection.execute(
        sa.select(retention_run)
        .where(retention_run.c.kind == kind)
        .order_by(retention_run.c.at.desc(), retention_run.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    dropped = tuple(name for name in row.partitions_dropped.split(",") if name)
    return Pruned(kind, row.at, row.cutoff, row.rows_deleted, dropped)


@dataclass
class RetentionLoop:
    """A worker loop: prune every ``backoff_s`` seconds."""

    retention: Retention
    backoff_s: float = 3600.0
    name: str = "retention"

    def run_once(self) -> int:
        return sum(p.rows_deleted + len(p.partitions_dropped) for p in self.retention.prune())

    def close(self) -> None:
        pass
