"""Pausing an outbound interface: its delivery worker stops taking deliveries, and they wait.

While a service manager has an interface paused (``core_records.bookkeeping.interface_control``),
``PausableDelivery`` closes the delivery worker's consumer: what it had prefetched goes back
to the queue, in order, and the queue keeps everything that arrives meanwhile, durably. No
delivery is tried, so none fails, none is parked in a delay tier and none is dead-lettered;
events already waiting in a delay tier come back to the queue and wait there too. On resume
a new consumer takes the queue from its head, so each person's events go out in order.

The pause is read from the store every few seconds, so a pause made in any process (the
CLI, the dashboard, the admin API) reaches every worker. The delivery holds stay as they
are while paused; on resume the worker starts its "not seen for long enough" clock again,
so that a hold is not released just because its event waited in the queue during the pause.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from routing.delivery import DeliveryWorker
from routing.transport import Consumer

log = logging.getLogger(__name__)


@dataclass
class PausableDelivery:
    """A worker loop: ``worker``'s batches while the interface runs, nothing while paused."""

    worker: DeliveryWorker
    is_paused: Callable[[], bool]
    """Whether the interface is paused now (reads the store)."""
    reopen: Callable[[], Consumer]
    """A new consumer of the worker's queue, for when the interface resumes."""
    check_every_s: float = 2.0
    """How often the pause is read from the store."""
    backoff_s: float = 0.0
    """How long the runner waits before the next round (the worker's own back-off, or the
    pause check while paused)."""
    name: str = field(init=False)
    _paused: bool = field(default=False, init=False)
    _consuming: bool = field(default=True, init=False)
    _checked_at: float = field(default=float("-inf"), init=False)

    def __post_init__(self) -> None:
        self.name = self.worker.name

    @property
    def paused(self) -> bool:
        return self._paused

    def run_once(self) -> int:
        now = time.monotonic()
        if now - self._checked_at >= self.check_every_s:
            self._paused = bool(self.is_paused())
            self._checked_at = now
        if self._paused:
            if self._consuming:
                # Closing hands back what was prefetched, in order; cancelling alone would not.
                self.worker.consumer.close()
                self._consuming = False
                log.warning("%s: interface paused; deliveries wait in the queue", self.name)
            self.backoff_s = self.check_every_s
            return 0
        if not self._consuming:
            self.worker.consumer = self.reopen()
            self.worker.restart_hold_clock()
            self._consuming = True
            log.warning("%s: interface resumed; delivering what waited", self.name)
        handled = self.worker.run_once()
        self.backoff_s = self.worker.backoff_s
        return handled

    def close(self) -> None:
        # Closing a consumer twice (paused, then stopped) does nothing the second time.
        self.worker.close()
