"""The interface monitor: every interface's health now, and a loop that records each change
of status and raises the alerts."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from core_records.timestamps import utc_now
from monitoring.activity import Activity
from monitoring.alerts import Alerter
from monitoring.health import Health, Interface, assess
from monitoring.health_history import HealthHistory
from monitoring.sla import SlaRules

log = logging.getLogger(__name__)


@dataclass
class InterfaceMonitor:
    interfaces: Sequence[Interface]
    rules: SlaRules
    activity: Activity
    history: HealthHistory
    queue_depth: Callable[[Interface], int | None]
    """The interface's work queue depth, or None when the broker cannot say."""
    event_types: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """The event types each outbound adapter subscribes to."""

    def current_health(self) -> list[Health]:
        now = utc_now()
        signs = self.activity.vital_signs(
            self.interfaces, self.rules, now, self.queue_depth, self.event_types
        )
        return [
            assess(s, self.rules.rule_for(s.interface.adapter, s.interface.direction), now)
            for s in signs
        ]


@dataclass
class HealthWatch:
    """A worker loop: every ``backoff_s`` seconds, record status changes and alert on them.

    However many worker processes run the loop, one at a time does the work, holding a lease
    (``claim_lease``): two watchers would both see a change and announce it twice.
    """

    monitor: InterfaceMonitor
    alerter: Alerter
    claim_lease: Callable[[], bool]
    release_lease: Callable[[], None]
    backoff_s: float = 15.0
    name: str = "monitor"

    def run_once(self) -> int:
        if not self.claim_lease():
            return 0
        changes = self.monitor.history.record(self.monitor.current_health(), utc_now())
        for change in changes:
            log.info("%s is %s: %s", change.interface.key, change.status, change.reason)
        self.alerter.announce_pending()
        return len(changes)

    def close(self) -> None:
        self.release_lease()
