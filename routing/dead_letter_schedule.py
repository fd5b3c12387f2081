"""Dead letters by interface: retried on a schedule, retried all at once, or purged.

``DeadLetterRetryScheduler`` is a worker loop (the ``dead-letters`` role): a waiting dead
letter is sent back to its queue once it has waited its interface's interval since it was
filed, as a service manager's replay would be (journalled and audited, by ``scheduler``),
unless the message has been retried by the scheduler its interface's cap of times already
(counted from the attempt history it carries) or its interface is paused. A retry that fails
again is filed again as a new dead letter, which waits its own interval.

However many worker processes run the loop, one at a time does the work, holding a lease:
two schedulers would send the same dead letter back twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from core_records.bookkeeping.dead_letters import (
    WAITING,
    DeadLetter,
    DeadLetterNotWaiting,
    DeadLetterStore,
    UnknownDeadLetter,
)
from core_records.bookkeeping.interface_control import InterfaceControl, RetrySchedule
from core_records.timestamps import utc_now
from routing.dead_letters import replay
from routing.messages import HEADER_ADAPTER
from routing.transport import Transport

log = logging.getLogger(__name__)

SCHEDULER = "scheduler"
"""The actor the journal and the audit trail name for a scheduled retry."""


def interface_of(record: DeadLetter) -> str:
    """The interface (``adapter.direction``) a dead letter failed on: an outbound queue is
    named after its adapter; inbound messages say theirs in a header."""
    _, outbound, adapter = record.origin_queue.rpartition(".outbound.")
    if outbound:
        return f"{adapter}.outbound"
    return f"{record.headers.get(HEADER_ADAPTER) or 'unknown'}.inbound"


def scheduled_retries(record: DeadLetter) -> int:
    """How many times the scheduler has sent this message back already."""
    return sum(
        1
        for attempt in record.attempts
        if attempt.get("kind") == "replayed" and attempt.get("reason") == f"replayed by {SCHEDULER}"
    )


def waiting(dead_letters: DeadLetterStore, interface: str | None = None) -> Iterator[DeadLetter]:
    """Every waiting dead letter (of ``interface``, if given), oldest first."""
    after: int | None = None
    while batch := dead_letters.list(status=WAITING, limit=200, after_id=after):
        for record in batch:
            if interface is None or interface_of(record) == interface:
                yield record
        after = batch[-1].id


def retry_all(
    dead_letters: DeadLetterStore, transport: Transport, actor: str, interface: str | None = None
) -> list[int]:
    """Send every waiting dead letter (of ``interface``) back to its queue; the ids sent."""
    sent = []
    for record in list(waiting(dead_letters, interface)):
        try:
            replay(dead_letters, transport, record.id, actor)
        except (LookupError, ValueError):  # someone else acted on it meanwhile
            continue
        sent.append(record.id)
    return sent


def purge(
    dead_letters: DeadLetterStore, actor: str, reason: str, interface: str | None = None
) -> list[int]:
    """Discard every waiting dead letter (of ``interface``), saying why; the ids discarded."""
    if not reason.strip():
        raise ValueError("say why the dead letters are purged")
    purged = []
    for record in list(waiting(dead_letters, interface)):
        try:
            dead_letters.mark_discarded(record.id, actor, reason.strip())
        except (UnknownDeadLetter, DeadLetterNotWaiting):
            continue
        purged.append(record.id)
    return purged


@dataclass
class DeadLetterRetryScheduler:
    dead_letters: DeadLetterStore
    control: InterfaceControl
    transport: Transport
    default: RetrySchedule
    """The schedule of an interface without one of its own."""
    claim_lease: Callable[[], bool]
    release_lease: Callable[[], None]
    backoff_s: float = 30.0
    """How often the scheduler looks for dead letters due a retry."""
    name: str = "dead-letter-retry"

    def run_once(self) -> int:
        if not self.claim_lease():
            return 0
        now = utc_now()
        schedules = self.control.schedules()
        paused = self.control.pauses()
        retried = 0
        for record in list(waiting(self.dead_letters)):
            interface = interface_of(record)
            schedule = schedules.get(interface, self.default)
            due = record.dead_lettered_at + timedelta(seconds=schedule.interval_s)
            if interface in paused or due > now:
                continue
            if scheduled_retries(record) >= schedule.max_retries:
                continue
            try:
                replay(self.dead_letters, self.transport, record.id, SCHEDULER)
            except (LookupError, ValueError):  # an operator acted on it meanwhile
                continue
            retried += 1
            log.info(
                "retried dead letter %s (%s) of %s, retry %d of %d",
                record.id,
                record.message_id,
                interface,
                scheduled_retries(record) + 1,
                schedule.max_retries,
            )
        return retried

    def close(self) -> None:
        self.release_lease()
