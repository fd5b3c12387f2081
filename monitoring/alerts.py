"""Alerts on interface health changes: a webhook POST and an email through an SMTP relay.

Each change is announced once. A change whose announcement failed on every channel stays
unannounced and is tried again on the next round; one that reached at least one channel is
marked announced, so a channel that works never gets the same alert twice.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

import httpx

from core_records.timestamps import utc_now
from monitoring.health_history import HealthChange, HealthHistory

log = logging.getLogger(__name__)


class Notifier(Protocol):
    name: str

    def notify(self, change: HealthChange) -> None:
        """Announce the change; raise if it could not be handed over."""


def describe(change: HealthChange) -> str:
    was = f" (was {change.previous_status})" if change.previous_status else ""
    return f"{change.interface.key} is {change.status.upper()}{was}: {change.reason}"


def as_json(change: HealthChange) -> dict[str, object]:
    return {
        "interface": change.interface.key,
        "adapter": change.interface.adapter,
        "direction": change.interface.direction,
        "status": change.status,
        "previousStatus": change.previous_status,
        "reason": change.reason,
        "at": change.at.isoformat(),
        "summary": describe(change),
    }


@dataclass
class WebhookNotifier:
    url: str
    timeout_s: float = 5.0
    name: str = "webhook"

    def notify(self, change: HealthChange) -> None:
        response = httpx.post(self.url, json=as_json(change), timeout=self.timeout_s)
        response.raise_for_status()


@dataclass
class EmailNotifier:
    host: str
    port: int
    sender: str
    recipients: Sequence[str]
    timeout_s: float = 10.0
    name: str = "email"

    def notify(self, change: HealthChange) -> None:
        message = EmailMessage()
        message["Subject"] = f"[Gatehouse] {describe(change)}"[:200]
        message["From"] = self.sender
        message["To"] = ", ".join(self.recipients)
        message.set_content(
            f"{describe(change)}\n\nAt {change.at:%Y-%m-%d %H:%M:%S %Z}.\n"
            "Open the Gatehouse dashboard for the interface's messages and dead letters.\n"
        )
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
            smtp.send_message(message)


@dataclass
class Alerter:
    history: HealthHistory
    notifiers: Sequence[Notifier]

    def announce_pending(self) -> int:
        """Announce every change not announced yet; how many were."""
        announced = 0
        for change in self.history.unannounced():
            if self._announce(change):
                self.history.mark_announced(change.id, utc_now())
                announced += 1
        return announced

    def _announce(self, change: HealthChange) -> bool:
        if not self.notifiers:
            return True
        reached = 0
        for notifier in self.notifiers:
            try:
                notifier.notify(change)
                reached += 1
            except Exception as error:  # a channel down must not stop the others
                log.warning(
                    "could not send the %s alert %r: %s", notifier.name, describe(change), error
                )
        return reached > 0
