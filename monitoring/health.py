"""Interface health: green, amber or red, with the reasons, from an interface's vital signs
and its SLA rule. Pure: the signs are measured elsewhere (``monitoring.activity``)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core_records.bookkeeping.interface_control import Pause
from monitoring.sla import SlaRule

GREEN, AMBER, RED = "green", "amber", "red"
PAUSED = "paused"
"""A service manager paused the interface: its deliveries wait, and no rule raises an alarm."""
BACKING_OFF = "backoff"
"""The partner looks down: deliveries fail and wait in the delay tiers, and none has got
through since the latest failure. Below red: a red rule still makes the interface red."""
SEVERITY = {GREEN: 0, PAUSED: 0, AMBER: 1, BACKING_OFF: 1, RED: 2}


@dataclass(frozen=True, order=True)
class Interface:
    """One adapter in one direction: what a service manager calls "the PNC feed"."""

    adapter: str
    direction: str
    """inbound or outbound."""

    @property
    def key(self) -> str:
        return f"{self.adapter}.{self.direction}"


@dataclass(frozen=True)
class VitalSigns:
    interface: Interface
    last_message_at: datetime | None
    messages_in_window: int
    failing_in_window: int
    """Messages seen in the error window whose latest hop failed or is waiting to retry."""
    dead_letters_waiting: int
    queue_depth: int | None
    """None when the broker could not be asked."""
    oldest_unfinished_at: datetime | None = None
    """When the oldest message the interface has started but not finished was started."""
    oldest_hold_at: datetime | None = None
    """When the interface's oldest delivery hold was placed (outbound only)."""
    paused: Pause | None = None
    """The service manager's pause of the interface, if it is paused."""
    last_retry_at: datetime | None = None
    """The latest delivery that failed and was sent to wait, within the error window."""
    last_delivered_at: datetime | None = None
    """The latest delivery that got through, within the error window."""

    @property
    def backing_off(self) -> bool:
        """Deliveries fail and wait to be retried, and none has got through since."""
        if self.last_retry_at is None:
            return False
        return self.last_delivered_at is None or self.last_delivered_at < self.last_retry_at

    @property
    def error_rate(self) -> float:
        if not self.messages_in_window:
            return 0.0
        return self.failing_in_window / self.messages_in_window


@dataclass(frozen=True)
class Health:
    interface: Interface
    status: str
    reasons: tuple[str, ...] = field(default=())
    signs: VitalSigns | None = None

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons) or "within its service levels"


def assess(signs: VitalSigns, rule: SlaRule, now: datetime) -> Health:
    """The interface's status: the worst that any rule gives, with every rule's reason;
    paused whatever the rules say while paused, and backing off rather than amber (or red
    for its error rate alone) while the partner looks down."""
    if signs.paused is not None:
        return _paused(signs)
    findings: list[tuple[str, str]] = []
    if signs.interface.direction == "inbound" and rule.silence_minutes > 0:
        findings += _silence(signs, rule, now)
    # While the partner looks down its failures are what backing off means, not an error rate.
    if signs.messages_in_window >= max(rule.min_messages, 1) and not signs.backing_off:
        rate = signs.error_rate
        if rate >= rule.error_rate_amber and signs.failing_in_window:
            status = RED if rate >= rule.error_rate_red else AMBER
            findings.append(
                (
                    status,
                    f"{signs.failing_in_window} of {signs.messages_in_window} messages failing "
                    f"in the last {rule.error_window_minutes:g} minutes ({rate:.0%})",
                )
            )
    findings += _over(
        signs.dead_letters_waiting,
        rule.dead_letters_amber,
        rule.dead_letters_red,
        f"{signs.dead_letters_waiting} dead letter(s) waiting",
    )
    if signs.queue_depth is not None:
        findings += _over(
            signs.queue_depth,
            rule.queue_depth_amber,
            rule.queue_depth_red,
            f"{signs.queue_depth} messages queued",
        )
    if signs.oldest_unfinished_at is not None:
        waited = int((now - signs.oldest_unfinished_at).total_seconds() // 60)
        findings += _over(
            waited,
            math.ceil(rule.oldest_message_minutes_amber),
            math.ceil(rule.oldest_message_minutes_red),
            f"the oldest unfinished message has waited {waited} minutes",
        )
    if signs.oldest_hold_at is not None and rule.held_delivery_minutes_amber > 0:
        held = int((now - signs.oldest_hold_at).total_seconds() // 60)
        if held >= math.ceil(rule.held_delivery_minutes_amber):
            findings.append((AMBER, f"a person's deliveries have been held for {held} minutes"))
    if signs.backing_off and signs.last_retry_at is not None:
        findings.insert(
            0,
            (
                BACKING_OFF,
                "deliveries failing and waiting to be retried; the latest failed at "
                f"{signs.last_retry_at:%H:%M:%S} UTC, none delivered since",
            ),
        )
        findings = [(BACKING_OFF if s == AMBER else s, reason) for s, reason in findings]
    status = max((s for s, _ in findings), key=SEVERITY.__getitem__, default=GREEN)
    return Health(signs.interface, status, tuple(reason for _, reason in findings), signs)


def _paused(signs: VitalSigns) -> Health:
    pause = signs.paused
    assert pause is not None
    reasons = [f"paused by {pause.paused_by} since {pause.since:%d %b %H:%M} UTC: {pause.reason}"]
    if signs.queue_depth:
        reasons.append(f"{signs.queue_depth} deliveries waiting")
    if signs.dead_letters_waiting:
        reasons.append(f"{signs.dead_letters_waiting} dead letter(s) waiting")
    return Health(signs.interface, PAUSED, tuple(reasons), signs)


def _silence(signs: VitalSigns, rule: SlaRule, now: datetime) -> list[tuple[str, str]]:
    if not rule.in_working_hours(now):
        return []
    quiet = now - signs.last_message_at if signs.last_message_at else None
    limit = timedelta(minutes=rule.silence_minutes)
    if quiet is not None and quiet < limit:
        return []
    status = RED if quiet is None or quiet >= 2 * limit else AMBER
    if quiet is None:
        return [(status, "no message received yet")]
    return [(status, f"no message received for {int(quiet.total_seconds() // 60)} minutes")]


def _over(value: int, amber: int, red: int, reason: str) -> list[tuple[str, str]]:
    if red and value >= red:
        return [(RED, reason)]
    if amber and value >= amber:
        return [(AMBER, reason)]
    return []
