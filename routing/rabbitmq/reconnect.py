"""When to try the broker again after a connection was lost or refused.

Exponential backoff with jitter: many api and worker processes lose the broker at the same
moment (a node restart), and must not all knock on it again in step. This is a schedule, not
a retry loop: the publisher sets timers on its ioloop with it, and a consumer's ``fetch``
checks it without blocking, so tenacity's blocking ``Retrying`` does not fit here.
"""

from __future__ import annotations

import random
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
