"""Running worker loops, and stopping them without losing anything.

Each loop (ingest, relay, delivery, dead-letter keeper) handles one batch per ``run_once``
call, from fetch to settlement. The runner calls it in its own thread until told to stop;
SIGTERM and SIGINT set the stop flag, so the batch in hand is finished and settled, and
``close`` hands back whatever the consumer had prefetched but not started. A SIGKILL loses
nothing either: unsettled deliveries return to their queue, the store's inbox makes a
redelivered inbound message change nothing twice, and unpublished outbox rows are still
there for the next relay.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from core_records.errors import TransientError
from routing import worker_metrics
from routing.messages import Delivery
from routing.transport import Consumer

log = logging.getLogger(__name__)


class Loop(Protocol):
    name: str

    def run_once(self) -> int:
        """Handle one batch; the number of messages handled (0 when idle)."""
        ...

    def close(self) -> None: ...


@contextmanager
def handed_back_on_error(consumer: Consumer, deliveries: Sequence[Delivery]) -> Iterator[None]:
    """If the work before settlement fails, give the deliveries back rather than leave
    them stranded with this consumer."""
    try:
        yield
    except BaseException:
        try:
            consumer.release(deliveries)
        except Exception:  # the connection is gone; the broker hands them out again anyway
            log.debug("could not hand back %d deliveries", len(deliveries), exc_info=True)
        raise


def settle_safely(
    consumer: Consumer, delivery: Delivery, action: str, *args: object, **kwargs: object
) -> None:
    """Run one settlement (``retry_later`` or ``dead_letter``); if its publish fails, give
    the delivery back so that it is handled again rather than stranded."""
    try:
        getattr(consumer, action)(delivery, *args, **kwargs)
    except TransientError as error:
        log.warning("could not %s %s: %s", action, delivery.message.message_id, error)
        try:
            consumer.release([delivery])
        except Exception:
            log.debug("could not hand back %s", delivery.message.message_id, exc_info=True)


@dataclass
class WorkerRunner:
    loops: Sequence[Loop]
    idle_sleep_s: float = 0.05
    max_error_backoff_s: float = 30.0

    def run(self, stop: threading.Event) -> None:
        """Run every loop in its own thread until ``stop`` is set; then close them all."""
        threads = [
            threading.Thread(target=self._run_loop, args=(loop, stop), name=loop.name, daemon=True)
            for loop in self.loops
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _run_loop(self, loop: Loop, stop: threading.Event) -> None:
        errors = 0
        try:
            while not stop.is_set():
                started = time.perf_counter()
                try:
                    handled = loop.run_once()
                    errors = 0
                except Exception as error:
                    worker_metrics.BATCH_ERRORS.labels(loop.name).inc()
                    errors += 1
                    pause = min(self.max_error_backoff_s, 0.5 * 2**errors)
                    if isinstance(error, TransientError):
                        log.warning("%s: %s; trying again in %.1f s", loop.name, error, pause)
                    else:
                        log.exception("%s failed; trying again in %.1f s", loop.name, pause)
                    stop.wait(pause)
                    continue
                if handled:
                    worker_metrics.BATCH_SIZE.labels(loop.name).observe(handled)
                    worker_metrics.BATCH_SECONDS.labels(loop.name).observe(
                        time.perf_counter() - started
                    )
                backoff = float(getattr(loop, "backoff_s", 0.0))
                if backoff:
                    stop.wait(backoff)
                elif handled == 0:
                    stop.wait(self.idle_sleep_s)
        finally:
            try:
                loop.close()
            except Exception:
                log.exception("%s did not close cleanly", loop.name)


def stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM and SIGINT finish the batches in hand and then stop (main thread only)."""

    def handle(signum: int, _frame: object) -> None:
        log.info("received %s; finishing the work in hand", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
