"""Interface health over time: a row each time an interface's status changes.

Only changes are stored, so the history reads as a list of incidents and a flapping rule
cannot fill the table; each change is announced once (``notified_at``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from core_records.bookkeeping.monitoring_tables import interface_health_change as changes_table
from core_records.store.database import READ_ONLY, store_errors
from monitoring.health import GREEN, Health, Interface


@dataclass(frozen=True)
class HealthChange:
    id: int
    interface: Interface
    status: str
    previous_status: str | None
    """None for the first status the hub ever gave the interface."""
    reason: str
    at: datetime
    notified_at: datetime | None


class HealthHistory:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    def latest(self) -> dict[Interface, HealthChange]:
        """Each interface's current recorded status."""
        newest = sa.select(sa.func.max(changes_table.c.id)).group_by(
            changes_table.c.adapter, changes_table.c.direction
        )
        query = sa.select(changes_table).where(changes_table.c.id.in_(newest))
        return {change.interface: change for change in self._read(query)}

    def record(self, healths: Iterable[Health], at: datetime) -> list[HealthChange]:
        """Store the healths whose status differs from the last recorded; those are returned.

        An interface's first status is stored too, already announced when it is green:
        starting up healthy is not news.
        """
        latest = self.latest()
        rows = []
        for health in healths:
            before = latest.get(health.interface)
            if before is not None and before.status == health.status:
                continue
            first_and_green = before is None and health.status == GREEN
            rows.append(
                {
                    "adapter": health.interface.adapter,
                    "direction": health.interface.direction,
                    "status": health.status,
                    "previous_status": before.status if before else None,
                    "reason": health.reason,
                    "at": at,
                    "notified_at": at if first_and_green else None,
                }
            )
        if not rows:
            return []
        with store_errors(), self._engine.begin() as connection:
            ids = [
                connection.execute(
                    sa.insert(changes_table).values(row).returning(changes_table.c.id)
                ).scalar_one()
                for row in rows
            ]
        return [_change({**row, "id": id_}) for id_, row in zip(ids, rows, strict=True)]

    def changes(self, interface: Interface | None = None, limit: int = 50) -> list[HealthChange]:
        """The latest changes, newest first; of one interface when given."""
        query = sa.select(changes_table).order_by(changes_table.c.id.desc()).limit(limit)
        if interface is not None:
            query = query.where(
                changes_table.c.adapter == interface.adapter,
                changes_table.c.direction == interface.direction,
            )
        return self._read(query)

    def unannounced(self, limit: int = 100) -> list[HealthChange]:
        query = (
            sa.select(changes_table)
            .where(changes_table.c.notified_at.is_(None))
            .order_by(changes_table.c.id)
            .limit(limit)
        )
        return self._read(query)

    def mark_announced(self, change_id: int, at: datetime) -> None:
        with store_errors(), self._engine.begin() as connection:
            connection.execute(
                sa.update(changes_table)
                .where(changes_table.c.id == change_id)
                .values(notified_at=at)
            )

    def _read(self, query: sa.Select) -> list[HealthChange]:  # type: ignore[type-arg]
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            return [_change(row) for row in connection.execute(query).mappings()]


def _change(row: dict[str, object] | sa.RowMapping) -> HealthChange:
    return HealthChange(
        id=row["id"],  # type: ignore[arg-type]
        interface=Interface(row["adapter"], row["direction"]),  # type: ignore[arg-type]
        status=row["status"],  # type: ignore[arg-type]
        previous_status=row["previous_status"],  # type: ignore[arg-type]
        reason=row["reason"],  # type: ignore[arg-type]
        at=row["at"],  # type: ignore[arg-type]
        notified_at=row["notified_at"],  # type: ignore[arg-type]
    )
