"""An interface's figures per bucket, summed up in the database: messages, failures, and
latency from the edge, the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from core_records.bookkeeping import journal
from core_records.bookkeeping.journal import Hop, Journal
from monitoring import throughput
from monitoring.health import Interface
from monitoring.throughput import Throughput

START = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
DELIUS = Interface("delius", "outbound")


def _message(index: int, received_s: float, delivered_s: float, outcome: str = "ok") -> list[Hop]:
    correlation = f"c-{index}"
    return [
        Hop(f"m-{index}", journal.RECEIVED, START + timedelta(seconds=received_s),
            correlation_id=correlation, adapter="private_prisons", direction="inbound"),
        Hop(f"e-{index}", journal.DELIVERED if outcome == "ok" else journal.RETRY_SCHEDULED,
            START + timedelta(seconds=delivered_s), outcome, correlation_id=correlation,
            adapter="delius", direction="outbound"),
    ]  # fmt: skip


def test_each_bucket_has_its_messages_failures_and_latency(engine: sa.Engine) -> None:
    Journal(engine).record(
        [
            *_message(1, 0, 0.5),  # bucket 0, 0.5 s
            *_message(2, 10, 12.0),  # bucket 0, 2 s
            *_message(3, 50, 61.0, "retry"),  # bucket 1, failing
            *_message(4, 70, 70.25),  # bucket 1, 0.25 s
            *_message(5, 3600, 3601),  # after the period
        ]
    )
    first, second, third = Throughput(engine).summaries(DELIUS, START, timedelta(minutes=1), 3)
    assert (first.start, first.messages, first.failed) == (START, 2, 0)
    assert (first.p50_s, first.p99_s) == pytest.approx((0.5, 2.0), abs=0.01)
    assert (second.messages, second.failed, second.p50_s) == (2, 1, pytest.approx(0.25, abs=0.01))
    assert (third.messages, third.p50_s) == (0, None)


def test_the_daily_report_has_a_row_for_each_day_with_traffic(engine: sa.Engine) -> None:
    Journal(engine).record([*_message(1, 0, 1.0), *_message(2, 86_400 * 2, 86_400 * 2 + 3)])
    days = Throughput(engine).daily(DELIUS, 7, date(2025, 3, 8))
    assert [(d.start, d.messages, d.p50_s) for d in days] == [
        (date(2025, 3, 4), 1, pytest.approx(1.0, abs=0.01)),
        (date(2025, 3, 6), 1, pytest.approx(3.0, abs=0.01)),
    ]


def test_latency_over_a_large_period_comes_from_an_even_sample(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(throughput, "LATENCY_SAMPLE", 10)
    Journal(engine).record(hop for i in range(100) for hop in _message(i, i, i + 1.0))
    [bucket] = Throughput(engine).summaries(DELIUS, START, timedelta(hours=1), 1)
    assert (bucket.messages, bucket.failed) == (100, 0)
    assert bucket.p50_s == pytest.approx(1.0, abs=0.01)
