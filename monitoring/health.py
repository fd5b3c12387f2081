"""Interface health: green, amber or red, with the reasons, from an interface's vital signs
and its SLA rule. Pure: the signs are measured elsewhere (``monitoring.activity``)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from monitoring.sla import SlaRule

GREEN, AMBER, RED = "green", "amber", "red"
SEVERITY = {GREEN: 0, AMBER: 1, RED: 2}


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
    """The interface's status: the worst that any rule gives, with every rule's reason."""
    findings: list[tuple[str, str]] = []
    if signs.interface.direction == "inbound" and rule.silence_minutes > 0:
        findings += _silence(signs, rule, now)
    if signs.messages_in_window >= max(rule.min_messages, 1):
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
    status = max((s for s, _ in findings), key=SEVERITY.__getitem__, default=GREEN)
    return Health(signs.interface, status, tuple(reason for _, reason in findings), signs)


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
