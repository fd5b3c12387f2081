"""Summaries of an interface's steps (messages, failures, latency percentiles), the periods
the interface page offers, and the management-information report as CSV. Pure functions;
``monitoring.throughput`` reads the figures from the journal."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from monitoring.activity import FAILED_OUTCOMES
from monitoring.health import Interface

PERIODS = {
    # name: (how far back, bucket width)
    "hour": (timedelta(hours=1), timedelta(minutes=2)),
    "day": (timedelta(days=1), timedelta(hours=1)),
    "week": (timedelta(days=7), timedelta(hours=6)),
}


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The nearest-rank percentile (``fraction`` 0.95 for p95) of ``values``; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Summary:
    start: datetime | date
    messages: int
    failed: int
    p50_s: float | None
    p95_s: float | None
    p99_s: float | None


def summarise_outcomes(
    start: datetime | date, outcomes: Sequence[tuple[str, float | None]]
) -> Summary:
    """A summary of steps given as (outcome, latency in seconds or None)."""
    latencies = [
        latency for outcome, latency in outcomes if latency is not None and outcome == "ok"
    ]
    return Summary(
        start=start,
        messages=len(outcomes),
        failed=sum(1 for outcome, _ in outcomes if outcome in FAILED_OUTCOMES),
        p50_s=percentile(latencies, 0.50),
        p95_s=percentile(latencies, 0.95),
        p99_s=percentile(latencies, 0.99),
    )


@dataclass(frozen=True)
class ReportRow:
    interface: Interface
    day: Summary


def report_csv(rows: Iterable[ReportRow]) -> str:
    """The management-information report as CSV, latencies in seconds."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "date",
            "adapter",
            "direction",
            "messages",
            "failed",
            "latency_p50_seconds",
            "latency_p95_seconds",
            "latency_p99_seconds",
        ]
    )
    for row in rows:
        writer.writerow(
            [
                row.day.start.isoformat(),
                row.interface.adapter,
                row.interface.direction,
                row.day.messages,
                row.day.failed,
                *(_seconds(v) for v in (row.day.p50_s, row.day.p95_s, row.day.p99_s)),
            ]
        )
    return out.getvalue()


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"
