"""The sign-in throttle on both databases: counts within the window, lockouts by name and by
address that end or are lifted, each audited; concurrent failures make one lockout."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from core_records.bookkeeping.audit import audit_trail
from core_records.bookkeeping.sign_in_throttle import (
    ADDRESS,
    USER,
    Lockout,
    SignInThrottle,
    ThrottlePolicy,
)

POLICY = ThrottlePolicy(
    max_failures=3,
    max_failures_per_address=5,
    window=timedelta(minutes=10),
    lockout=timedelta(minutes=15),
)
START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def throttle(engine: sa.Engine, clock: Clock) -> SignInThrottle:
    return SignInThrottle(engine, POLICY, clock=clock)


def _actions(engine: sa.Engine, subject: str) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        return [(e.actor, e.action) for e in audit_trail(connection, subject)]


def test_the_third_failure_in_the_window_locks_the_name_until_the_lockout_ends(
    engine: sa.Engine, throttle: SignInThrottle, clock: Clock
) -> None:
    assert throttle.failed("sam", "10.0.0.1") is None
    clock.now += timedelta(minutes=11)  # the first failure is out of the window
    assert throttle.failed("sam", "10.0.0.2") is None
    assert throttle.failed("sam", "10.0.0.3") is None
    until = throttle.failed("sam", "10.0.0.4")
    assert until == clock.now + POLICY.lockout
    assert throttle.locked_until("sam", "10.9.9.9") == until
    assert throttle.locked_until("kim", "10.0.0.4") is None, "no address reached its limit"
    assert throttle.lockouts() == [Lockout(USER, "sam", until)]
    assert _actions(engine, "address:10.0.0.4") == [("sam", "sign-in.failed")]
    assert _actions(engine, "user:sam") == [("system", "sign-in.locked")]

    clock.now = until
    assert throttle.locked_until("sam", "10.0.0.4") is None
    assert throttle.failed("sam", "10.0.0.4") is None, "a lockout starts the count afresh"


def test_failures_from_one_address_lock_it_for_every_name(
    engine: sa.Engine, throttle: SignInThrottle
) -> None:
    untils = [throttle.failed(f"user{n}", "192.0.2.7") for n in range(5)]
    assert untils[:4] == [None] * 4 and untils[4] is not None
    assert throttle.locked_until("anyone", "192.0.2.7") == untils[4]
    assert throttle.locked_until("anyone", "192.0.2.8") is None
    assert throttle.unlock(ADDRESS, "192.0.2.7", actor="ops") is True
    assert throttle.locked_until("anyone", "192.0.2.7") is None
    assert _actions(engine, "address:192.0.2.7")[-2:] == [
        ("system", "sign-in.locked"),
        ("ops", "sign-in.unlocked"),
    ]


def test_a_lift_is_audited_and_only_lifts_a_lockout_in_force(
    engine: sa.Engine, throttle: SignInThrottle
) -> None:
    assert throttle.unlock(USER, "sam", actor="ops") is False
    for n in range(3):
        throttle.failed("sam", f"10.0.0.{n}")
    assert throttle.unlock(USER, "sam", actor="ops") is True
    assert throttle.locked_until("sam", "10.0.0.9") is None
    assert throttle.unlock(USER, "sam", actor="ops") is False
    assert _actions(engine, "user:sam") == [
        ("system", "sign-in.locked"),
        ("ops", "sign-in.unlocked"),
    ]
    with pytest.raises(ValueError, match="not 'host'"):
        throttle.unlock("host", "sam", actor="ops")


def test_a_successful_sign_in_clears_the_names_count(throttle: SignInThrottle) -> None:
    throttle.failed("sam", "10.0.0.1")
    throttle.failed("sam", "10.0.0.1")
    throttle.succeeded("sam")
    assert throttle.failed("sam", "10.0.0.1") is None
    assert throttle.failed("sam", "10.0.0.1") is None


def test_a_refused_sign_in_is_audited_as_a_failure(
    engine: sa.Engine, throttle: SignInThrottle
) -> None:
    throttle.refused("sam", "10.0.0.1", START + POLICY.lockout)
    with engine.connect() as connection:
        [event] = audit_trail(connection, "address:10.0.0.1")
    assert (event.actor, event.action) == ("sam", "sign-in.failed")
    assert event.detail == "locked until 2026-12-02T09:15:00+00:00"


def test_concurrent_failures_are_all_counted_and_lock_once(
    engine: sa.Engine, throttle: SignInThrottle
) -> None:
    with ThreadPoolExecutor(max_workers=6) as pool:
        untils = list(pool.map(lambda n: throttle.failed("sam", f"10.1.0.{n}"), range(12)))
    assert sum(1 for until in untils if until is not None) == 4, "12 failures, a lock per 3"
    assert _actions(engine, "user:sam").count(("system", "sign-in.locked")) == 4
