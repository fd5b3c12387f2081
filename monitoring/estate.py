"""The estate at a glance: every prison, its deployment state (or the operator that runs
it), how many legacy messages wait for it, and when the hub last heard from it.

"Last heard" is the newest inbound journal hop of any partner identity that speaks for the
prison: its legacy system, its case-management staff application, its kiosks, or for a
contracted prison its operator (whose messages may be about any of its prisons).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from adapters.registry import AdapterRegistry
from core_records import estate
from core_records.bookkeeping import journal
from core_records.bookkeeping.tables import journal as journal_table
from core_records.estate.migration.tables import migration_run
from core_records.store.database import READ_ONLY, store_errors

OPERATORS = "private_prisons"
"""The adapter whose partners are the operators of contracted prisons."""


@dataclass(frozen=True)
class EstateRow:
    establishment: str
    name: str
    state: str
    """``legacy``, ``migrating``, ``live``, or ``contracted`` (see ``run_by``)."""
    since: datetime | None
    changed_by: str | None
    run_by: str | None
    """The operator running a contracted prison."""
    held: int
    last_message_at: datetime | None
    migration_report: bool = False
    """Whether a migration of the prison (a dry run's too) has left a report to read."""

    @property
    def shown_state(self) -> str:
        if self.state == estate.RUN_BY_OPERATOR:
            return f"run by {self.run_by or 'its operator'}"
        return self.state

    def as_json(self) -> dict[str, object]:
        return {
            "establishment": self.establishment,
            "name": self.name,
            "state": self.state,
            "runBy": self.run_by,
            "since": self.since.isoformat() if self.since else None,
            "changedBy": self.changed_by,
            "held": self.held,
            "lastMessageAt": self.last_message_at.isoformat() if self.last_message_at else None,
        }


def estate_overview(engine: sa.Engine, registry: AdapterRegistry) -> list[EstateRow]:
    """Every prison, by code."""
    speakers: dict[str, set[str]] = {}
    run_by: dict[str, str] = {}
    for adapter in registry:
        for partner, scope in adapter.partners.items():
            for code in scope.establishments:
                speakers.setdefault(code, set()).add(partner)
                if adapter.name == OPERATORS:
                    run_by[code] = partner
    with store_errors(), engine.connect() as connection:
        connection = connection.execution_options(**READ_ONLY)
        states = estate.estate(connection)
        held = estate.waiting_by_establishment(connection)
        heard = _last_heard(connection)
        reported = _reported(connection)
    return [
        EstateRow(
            s.establishment,
            s.name,
            s.state,
            s.since,
            s.changed_by,
            run_by.get(s.establishment),
            held.get(s.establishment, 0),
            max((heard[p] for p in speakers.get(s.establishment, ()) if p in heard), default=None),
            s.establishment in reported,
        )
        for s in states
    ]


def _last_heard(connection: sa.Connection) -> dict[str, datetime]:
    j = journal_table
    rows = connection.execute(
        sa.select(j.c.partner, sa.func.max(j.c.at))
        .where(j.c.direction == journal.INBOUND, j.c.hop == journal.RECEIVED)
        .group_by(j.c.partner)
    )
    return {partner: at for partner, at in rows if partner is not None}


def _reported(connection: sa.Connection) -> set[str]:
    """The prisons with a finished migration run, whose latest report the dashboard serves."""
    query = sa.select(migration_run.c.establishment).where(migration_run.c.finished_at.is_not(None))
    return set(connection.execute(query.distinct()).scalars())
