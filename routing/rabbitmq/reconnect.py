"""When to try the broker again after a connection was lost or refused.

Exponential backoff with jitter: many api and worker processes lose the broker at the same
moment (a node restart), and must not all knock on it again in step. This is a schedule, not
a retry loop: the publisher sets timers on its ioloop with it, and a consumer's ``fetch``
checks it without blocking, so tenacity's blocking ``Retrying`` does not fit here.

``ConnectionWatch`` logs a lost connection once and its return once, with the attempts and
the downtime, whatever the number of attempts in between.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field


@dataclass
class ReconnectBackoff:
    """Seconds to wait before each reconnection attempt: ``initial_s`` doubling up to
    ``max_s``, each drawn between half and all of that step."""

    initial_s: float = 0.1
    max_s: float = 5.0
    _failures: int = field(default=0, init=False)

    def next_delay_s(self) -> float:
        step = min(self.max_s, self.initial_s * 2.0**self._failures)
        if step < self.max_s:  # stop counting once at the cap, so 2**n cannot overflow
            self._failures += 1
        return step / 2 + random.uniform(0, step / 2)

    def reset(self) -> None:
        """The connection is up again: the next loss starts from ``initial_s``."""
        self._failures = 0


_PLAIN_WORDS = {
    "StreamLostError": "the connection dropped",
    "AMQPConnectionError": "could not connect",
    "AMQPHeartbeatTimeout": "the broker stopped answering heartbeats",
    "ConnectionWrongStateError": "the connection was not open",
}


def describe_connection_error(error: object) -> str:
    """A one-line reason for a lost or refused connection, never empty: the exception's
    class and what it says (the error it wraps, if that is all it holds); when it says
    nothing (pika's ``StreamLostError()``, say), its cause, or plain words for the class."""
    if not isinstance(error, BaseException):
        return str(error).strip() or "no reason given"
    name = type(error).__name__
    if len(error.args) == 1 and isinstance(error.args[0], BaseException):
        # pika wraps the error that ended the connection: say that one, in the same way.
        return f"{name}: {describe_connection_error(error.args[0])}"
    text = str(error).strip()
    if not text:
        cause = error.__cause__ or error.__context__
        if cause is not None and cause is not error:
            text = describe_connection_error(cause)
        else:
            text = _PLAIN_WORDS.get(name, "no detail given")
    return f"{name}: {text}"


@dataclass
class ConnectionWatch:
    """Says, once each, that a RabbitMQ connection was lost and that it was regained.

    ``lost`` is called for the loss and again for every attempt that fails while it is down;
    only the first writes a line (a warning, without a stack trace: a broker restart is
    expected), the others go to debug. ``regained`` writes one line with the attempts made
    and the time it was down. ``what`` names the connection ("the publisher", "the consumer
    of gatehouse.ingest").
    """

    what: str
    logger: logging.Logger
    _down_since: float | None = field(default=None, init=False)
    _failed_attempts: int = field(default=0, init=False)
    _ever_up: bool = field(default=False, init=False)

    @property
    def down(self) -> bool:
        return self._down_since is not None

    def lost(self, error: object, retry_in_s: float) -> None:
        reason = describe_connection_error(error)
        if self._down_since is None:
            self._down_since = time.monotonic()
            self._failed_attempts = 0
            self.logger.warning(
                "%s %s RabbitMQ (%s); reconnecting in %.1f s",
                self.what,
                "lost" if self._ever_up else "cannot reach",
                reason,
                retry_in_s,
            )
            return
        self._failed_attempts += 1
        self.logger.debug(
            "%s: reconnection attempt %d failed (%s); next in %.1f s",
            self.what,
            self._failed_attempts,
            reason,
            retry_in_s,
        )

    def regained(self) -> None:
        ever_up, self._ever_up = self._ever_up, True
        if self._down_since is None:
            return
        down_s = time.monotonic() - self._down_since
        attempts = self._failed_attempts + 1
        self._down_since = None
        self.logger.info(
            "%s %s RabbitMQ after %d attempt%s, %.1f s down",
            self.what,
            "regained" if ever_up else "reached",
            attempts,
            "" if attempts == 1 else "s",
            down_s,
        )
