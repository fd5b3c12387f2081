"""Retry or dead-letter: the one place that decides what happens to a failed message.

The decision depends on the type of the error and how many times the message has already
failed, nothing else:

- a ``PermanentError`` goes to the dead-letter queue at once, with its reason;
- anything else (a ``TransientError``, or an unexpected exception in our own code) is tried
  again after the next delay tier, until ``max_attempts`` tries have failed, and then goes
  to the dead-letter queue with the whole attempt history.

Short in-process retries (tenacity, milliseconds apart) happen inside a delivery before the
error ever reaches this policy; these tiers are the long ones, measured in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from core_records.errors import GatehouseError, PermanentError
from routing.topology import DEFAULT_DELAY_TIERS_MS


@dataclass(frozen=True)
class RetryLater:
    delay_ms: int
    reason: str


@dataclass(frozen=True)
class DeadLetter:
    reason: str


Decision = RetryLater | DeadLetter


def describe(error: BaseException) -> str:
    """One line a service manager can read."""
    if isinstance(error, GatehouseError):
        return error.reason
    return f"{type(error).__name__}: {error}"


@dataclass(frozen=True)
class RetryPolicy:
    delay_tiers_ms: tuple[int, ...] = DEFAULT_DELAY_TIERS_MS
    """Milliseconds to wait before the 2nd, 3rd, ... try; the last tier repeats."""
    max_attempts: int = 5
    """Tries in all, the first included, before a transient failure is dead-lettered."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not self.delay_tiers_ms:
            raise ValueError("at least one delay tier is needed")

    def delay_after(self, failures: int) -> int:
        """Milliseconds to wait after the ``failures``-th failed try (1-based)."""
        return self.delay_tiers_ms[min(failures, len(self.delay_tiers_ms)) - 1]

    def decide(self, error: BaseException, earlier_failures: int) -> Decision:
        """What to do with a message that just failed, having failed ``earlier_failures``
        times before."""
        reason = describe(error)
        if isinstance(error, PermanentError):
            return DeadLetter(reason)
        failures = earlier_failures + 1
        if failures >= self.max_attempts:
            return DeadLetter(f"gave up after {failures} attempts: {reason}")
        return RetryLater(self.delay_after(failures), reason)
