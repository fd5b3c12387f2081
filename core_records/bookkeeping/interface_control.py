"""Interface control: pausing an outbound interface, and its dead-letter retry schedule.

A pause is a row: while it exists the interface's delivery workers, in any process, stop
taking deliveries (``routing.interface_pause``), and the monitor shows the interface as
paused rather than failing. A retry schedule row overrides, for one interface, how often
its dead letters are sent back to their queue and how many times at most
(``routing.dead_letter_schedule``). Every change is audited in the transaction that makes it.

An interface is named ``adapter.direction`` (``delius.outbound``), as the dashboard names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from core_records.bookkeeping.audit import AuditEvent, write_audit
from core_records.bookkeeping.interface_control_tables import (
    dead_letter_retry_schedule,
    interface_pause,
)
from core_records.store.database import READ_ONLY, store_errors
from core_records.timestamps import utc_now


class InterfaceNotPaused(LookupError):
    """Resuming an interface that is not paused."""


@dataclass(frozen=True)
class Pause:
    interface: str
    paused_by: str
    reason: str
    since: datetime

    def as_dict(self) -> dict[str, str]:
        return {
            "interface": self.interface,
            "pausedBy": self.paused_by,
            "reason": self.reason,
            "since": self.since.isoformat(),
        }


@dataclass(frozen=True)
class RetrySchedule:
    """How an interface's dead letters are retried: each waits ``interval_s`` seconds after
    it was filed, and one message is retried ``max_retries`` times at most (0: never)."""

    interval_s: int
    max_retries: int

    def as_dict(self) -> dict[str, int]:
        return {"intervalSeconds": self.interval_s, "maxRetries": self.max_retries}


class InterfaceControl:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    # --- pauses ---------------------------------------------------------------------------

    def pause(self, interface: str, *, actor: str, reason: str) -> Pause:
        """Pause ``interface``; pausing a paused interface keeps its first pause."""
        if not reason.strip():
            raise ValueError("say why the interface is paused")
        with store_errors(), self._engine.begin() as connection:
            current = _pause(connection, interface)
            if current is not None:
                return current
            pause = Pause(interface, actor, reason.strip(), utc_now())
            connection.execute(
                sa.insert(interface_pause).values(
                    interface=interface, paused_by=actor, reason=pause.reason, since=pause.since
                )
            )
            write_audit(
                connection,
                AuditEvent(pause.since, actor, "interface.paused", f"interface:{interface}",
                           pause.reason),
            )  # fmt: skip
        return pause

    def resume(self, interface: str, *, actor: str) -> Pause:
        """Resume ``interface``; the pause it ends."""
        with store_errors(), self._engine.begin() as connection:
            current = _pause(connection, interface)
            if current is None:
                raise InterfaceNotPaused(f"{interface} is not paused")
            connection.execute(
                sa.delete(interface_pause).where(interface_pause.c.interface == interface)
            )
            write_audit(
                connection,
                AuditEvent(utc_now(), actor, "interface.resumed", f"interface:{interface}",
                           f"paused by {current.paused_by} since {current.since:%Y-%m-%d %H:%M}"),
            )  # fmt: skip
        return current

    def paused(self, interface: str) -> Pause | None:
        with store_errors(), self._engine.connect() as connection:
            return _pause(connection.execution_options(**READ_ONLY), interface)

    def pauses(self) -> dict[str, Pause]:
        """Every paused interface's pause, by interface."""
        with store_errors(), self._engine.connect() as connection:
            rows = connection.execution_options(**READ_ONLY).execute(sa.select(interface_pause))
            return {row.interface: Pause(*row) for row in rows}

    # --- dead-letter retry schedules ------------------------------------------------------

    def set_schedule(self, interface: str, schedule: RetrySchedule, *, actor: str) -> None:
        """Give ``interface`` a retry schedule of its own."""
        if schedule.interval_s < 1 or schedule.max_retries < 0:
            raise ValueError("the interval must be at least a second, the cap at least 0")
        table = dead_letter_retry_schedule
        now = utc_now()
        values = dict(interval_s=schedule.interval_s, max_retries=schedule.max_retries,
                      set_by=actor, set_at=now)  # fmt: skip
        with store_errors(), self._engine.begin() as connection:
            changed = connection.execute(
                sa.update(table).where(table.c.interface == interface).values(**values)
            ).rowcount
            if not changed:
                connection.execute(sa.insert(table).values(interface=interface, **values))
            write_audit(
                connection,
                AuditEvent(now, actor, "interface.retry_schedule_set", f"interface:{interface}",
                           f"every {schedule.interval_s} s, at most {schedule.max_retries}"),
            )  # fmt: skip

    def schedules(self) -> dict[str, RetrySchedule]:
        """The interfaces with a schedule of their own."""
        table = dead_letter_retry_schedule
        query = sa.select(table.c.interface, table.c.interval_s, table.c.max_retries)
        with store_errors(), self._engine.connect() as connection:
            rows = connection.execution_options(**READ_ONLY).execute(query)
            return {interface: RetrySchedule(interval, cap) for interface, interval, cap in rows}


def _pause(connection: sa.Connection, interface: str) -> Pause | None:
    row = connection.execute(
        sa.select(interface_pause).where(interface_pause.c.interface == interface)
    ).first()
    return Pause(*row) if row is not None else None
