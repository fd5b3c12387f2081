"""The store's rate limiter: a burst, then one request per interval, on both databases; and
no more than the burst let through however many connections take turns at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from core_records.bookkeeping.rate_limits import Rate, StoreRateLimiter

START_US = 1_800_000_000_000_000


class Clock:
    def __init__(self) -> None:
        self.now_us = START_US

    def __call__(self) -> int:
        return self.now_us

    def advance(self, seconds: float) -> None:
        self.now_us += round(seconds * 1_000_000)


def test_a_burst_goes_at_once_then_one_request_per_interval(engine: sa.Engine) -> None:
    clock = Clock()
    limiter = StoreRateLimiter(engine, clock_us=clock)
    rate = Rate(per_s=2.0, burst=3)
    assert [limiter.wait_for("partner:serco", rate) for _ in range(4)] == [0, 0, 0, 0.5]
    assert limiter.wait_for("partner:sodexo", rate) == 0, "each key has its own limit"
    clock.advance(0.2)
    assert limiter.wait_for("partner:serco", rate) == pytest.approx(0.3)
    clock.advance(0.3)
    assert limiter.wait_for("partner:serco", rate) == 0
    assert limiter.wait_for("partner:serco", rate) == 0.5
    clock.advance(60)
    assert [limiter.wait_for("partner:serco", rate) for _ in range(4)] == [0, 0, 0, 0.5], (
        "a quiet spell refills the burst, and no more"
    )


def test_a_refused_request_is_not_counted(engine: sa.Engine) -> None:
    clock = Clock()
    limiter = StoreRateLimiter(engine, clock_us=clock)
    rate = Rate(per_s=1.0, burst=1)
    assert limiter.wait_for("k", rate) == 0
    for _ in range(5):
        assert limiter.wait_for("k", rate) == 1.0
    clock.advance(1)
    assert limiter.wait_for("k", rate) == 0


def test_connections_racing_for_the_last_requests_get_the_burst_and_no_more(
    engine: sa.Engine,
) -> None:
    limiter = StoreRateLimiter(engine)
    rate = Rate(per_s=1 / 3600, burst=10)
    with ThreadPoolExecutor(max_workers=8) as pool:
        waits = list(pool.map(lambda _: limiter.wait_for("partner:g4s", rate), range(40)))
    assert sum(1 for wait in waits if wait == 0) == 10
    assert min(wait for wait in waits if wait > 0) > 3000


def test_closing_the_limiter_lets_go_of_its_own_connections_and_not_the_stores(
    engine: sa.Engine,
) -> None:
    limiter = StoreRateLimiter(engine)
    assert limiter.wait_for("partner:serco", Rate(per_s=1.0, burst=5)) == 0
    own = limiter._engine  # SQLite: connections of its own; PostgreSQL: the store's engine
    assert own.pool.checkedin() == 1

    limiter.close()

    if engine.dialect.name == "sqlite":
        assert own is not engine
        assert own.pool.checkedin() == 0
    else:
        assert own is engine
        assert own.pool.checkedin() == 1, "closing the limiter disposed of the store's engine"
    with engine.connect() as connection:  # the store's engine is still the store's to close
        assert connection.execute(sa.text("SELECT 1")).scalar_one() == 1
