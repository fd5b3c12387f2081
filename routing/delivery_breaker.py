"""A delivery batch's circuit breaker: it tells a partner that is down (several
"unavailable" answers in a row, across the batch's lanes) from one document it chokes on."""

from __future__ import annotations

import threading


class Breaker:
    """Counts a batch's consecutive "partner unavailable" failures across its lanes; past a
    threshold the partner is taken to be down and the rest of the batch is held back."""

    def __init__(self, threshold: int) -> None:
        self._threshold = threshold
        self._consecutive = 0
        self._lock = threading.Lock()
        self.down = False

    def unavailable(self) -> None:
        with self._lock:
            self._consecutive += 1
            self.down = self.down or self._consecutive >= self._threshold

    def succeeded(self) -> None:
        with self._lock:
            self._consecutive = 0
