"""The retry decision: from the error's type and the failures so far, nothing else."""

from __future__ import annotations

import pytest

from core_records.errors import (
    InvalidMessage,
    PartnerRejected,
    PartnerUnavailable,
    StoreUnavailable,
    UnknownReferenceCode,
)
from routing.messages import Message
from routing.retry import DeadLetter, RetryLater, RetryPolicy

POLICY = RetryPolicy(delay_tiers_ms=(1_000, 10_000, 60_000, 600_000), max_attempts=5)


@pytest.mark.parametrize(
    "error",
    [
        InvalidMessage("not XML"),
        UnknownReferenceCode("movement reason", "ZZ"),
        PartnerRejected("delius answered 400"),
    ],
)
def test_a_permanent_error_is_dead_lettered_at_once_with_its_reason(error: Exception) -> None:
    decision = POLICY.decide(error, earlier_failures=0)
    assert decision == DeadLetter(error.reason)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("earlier_failures", "expected_delay_ms"),
    [(0, 1_000), (1, 10_000), (2, 60_000), (3, 600_000)],
)
def test_a_transient_error_waits_in_the_next_delay_tier(
    earlier_failures: int, expected_delay_ms: int
) -> None:
    decision = POLICY.decide(PartnerUnavailable("delius timed out"), earlier_failures)
    assert decision == RetryLater(expected_delay_ms, "delius timed out")


def test_a_transient_error_is_dead_lettered_once_the_attempts_are_used_up() -> None:
    decision = POLICY.decide(StoreUnavailable("database down"), earlier_failures=4)
    assert isinstance(decision, DeadLetter)
    assert decision.reason == "gave up after 5 attempts: database down"


def test_an_unexpected_exception_is_retried_like_a_transient_one_and_named() -> None:
    decision = POLICY.decide(KeyError("surname"), earlier_failures=0)
    assert decision == RetryLater(1_000, "KeyError: 'surname'")


def test_the_last_tier_repeats_when_attempts_outnumber_tiers() -> None:
    policy = RetryPolicy(delay_tiers_ms=(100, 200), max_attempts=6)
    delays = [policy.delay_after(failures) for failures in range(1, 6)]
    assert delays == [100, 200, 200, 200, 200]


def test_a_policy_with_no_tiers_or_no_attempts_is_refused() -> None:
    with pytest.raises(ValueError, match="tier"):
        RetryPolicy(delay_tiers_ms=())
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)


def test_held_entries_do_not_count_as_failures_and_a_replay_starts_the_count_again() -> None:
    message = Message(routing_key="prisoner.received", body=b"{}")
    message = message.with_attempt("delius down", 1_000)
    message = message.with_attempt("held behind an earlier event", 1_000, kind="held")
    message = message.with_attempt("delius down", 10_000)
    assert message.failures == 2
    replayed = message.with_attempt("replayed by an operator", 0, kind="replayed")
    assert replayed.failures == 0
    assert len(replayed.attempts) == 4
