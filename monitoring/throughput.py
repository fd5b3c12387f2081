"""An interface's throughput, failures and latency per time bucket, for its charts and the
management-information report.

A busy interface makes a quarter of a million steps a week, too many to fetch, so the
counts are summed up in the database. A step's latency is the time since the partner's
message was received at the edge (the first ``received`` hop of its correlation id); finding
it costs an index probe per step, so over a period of more than ``LATENCY_SAMPLE`` steps the
percentiles come from an even sample of that many: every k-th step by journal id, k prime so
that it does not fall in step with a pattern in the ids.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from core_records.bookkeeping import journal as hops
from core_records.store.database import READ_ONLY, store_errors
from core_records.tables import journal as journal_table
from monitoring.activity import FAILED_OUTCOMES, STEP_HOPS
from monitoring.health import Interface
from monitoring.reports import Summary, percentile

LATENCY_SAMPLE = 10_000


class Throughput:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._postgres = engine.dialect.name == "postgresql"

    def summaries(
        self, interface: Interface, start: datetime, width: timedelta, count: int
    ) -> list[Summary]:
        """``count`` consecutive buckets of ``width`` from ``start``, each summed up."""
        j = journal_table
        bucket = self._bucket(start, width).label("bucket")
        failed = sa.func.sum(sa.case((j.c.outcome.in_(FAILED_OUTCOMES), 1), else_=0))
        counts_query = (
            sa.select(bucket, sa.func.count(), failed)
            .where(*self._steps_of(interface, start, start + width * count))
            .group_by(bucket)
        )
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            counts = {int(b): (int(n), int(f)) for b, n, f in connection.execute(counts_query)}
            total = sum(n for n, _ in counts.values())
            every = (
                _prime_at_least(math.ceil(total / LATENCY_SAMPLE)) if total > LATENCY_SAMPLE else 1
            )
            latencies = self._latencies(connection, interface, start, width, count, every)
        summaries = []
        for index in range(count):
            messages, failures = counts.get(index, (0, 0))
            sample = latencies.get(index, [])
            p50, p95, p99 = (percentile(sample, f) for f in (0.50, 0.95, 0.99))
            summaries.append(Summary(start + index * width, messages, failures, p50, p95, p99))
        return summaries

    def daily(self, interface: Interface, days: int, today: date) -> list[Summary]:
        """One summary per UTC day with steps, over the ``days`` days up to ``today``."""
        first = datetime.combine(today - timedelta(days=days - 1), datetime.min.time(), UTC)
        return [
            Summary(s.start.date(), s.messages, s.failed, s.p50_s, s.p95_s, s.p99_s)  # type: ignore[union-attr]
            for s in self.summaries(interface, first, timedelta(days=1), days)
            if s.messages
        ]

    def _latencies(
        self,
        connection: sa.Connection,
        interface: Interface,
        start: datetime,
        width: timedelta,
        count: int,
        every: int,
    ) -> dict[int, list[float]]:
        """Latencies in seconds of the steps that succeeded (one in ``every``), by bucket."""
        j = journal_table
        received = journal_table.alias("received")
        received_at = (
            sa.select(sa.func.min(received.c.at))
            .where(received.c.correlation_id == j.c.correlation_id, received.c.hop == hops.RECEIVED)
            .scalar_subquery()
        )
        query = sa.select(
            self._bucket(start, width), self._epoch(j.c.at) - self._epoch(received_at)
        ).where(*self._steps_of(interface, start, start + width * count), j.c.outcome == "ok")
        if every > 1:
            query = query.where(j.c.id % every == 0)
        latencies: dict[int, list[float]] = defaultdict(list)
        for bucket, latency in connection.execute(query):
            if latency is not None:
                latencies[int(bucket)].append(float(latency))
        return latencies

    def _steps_of(
        self, interface: Interface, since: datetime, until: datetime
    ) -> list[sa.ColumnElement[bool]]:
        j = journal_table
        return [
            j.c.adapter == interface.adapter,
            j.c.direction == interface.direction,
            j.c.at >= since,
            j.c.at < until,
            j.c.hop.in_(STEP_HOPS[interface.direction]),
        ]

    def _bucket(self, start: datetime, width: timedelta) -> sa.ColumnElement[int]:
        offset = (self._epoch(journal_table.c.at) - start.timestamp()) / width.total_seconds()
        # PostgreSQL rounds a cast to integer; SQLite truncates, which is the floor here
        # because every step is at or after ``start``.
        return sa.func.floor(offset) if self._postgres else sa.cast(offset, sa.Integer)  # type: ignore[return-value]

    def _epoch(self, column: sa.ColumnElement[datetime]) -> sa.ColumnElement[float]:
        """Seconds since 1970 of a stored time."""
        if self._postgres:
            return sa.extract("epoch", column)
        # SQLite keeps UTC text; julianday counts days from 4714 BC, and 1970 is day 2440587.5.
        return (sa.func.julianday(column) - 2440587.5) * 86400.0


def _prime_at_least(n: int) -> int:
    candidate = max(n, 2)
    while any(candidate % d == 0 for d in range(2, math.isqrt(candidate) + 1)):
        candidate += 1
    return candidate
