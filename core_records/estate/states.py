"""Each establishment's deployment state, and the moves between states.

    legacy ──start-migration──▶ migrating ──go-live──▶ live
       ▲                            │
       └──────── roll back ─────────┘

A public prison starts on its legacy system (LIDS). The migration of its extract moves it to
``migrating``; while there, its legacy feed is held (``core_records.estate.held``), not
applied. ``live`` is the prison on the national case-management system: its legacy feed is
refused, and its staff record movements through the case-management API. A contracted
prison is run by its operator, whose own system feeds the hub: it has none of these states.

Every move is audited in the transaction that makes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from core_records.bookkeeping.audit import AuditEvent, write_audit
from core_records.custody.tables import agency
from core_records.errors import BusinessRuleViolation, UnknownReferenceCode
from core_records.estate.tables import establishment_state, estate_held_message

LEGACY = "legacy"
MIGRATING = "migrating"
LIVE = "live"
RUN_BY_OPERATOR = "contracted"
"""Not a deployment state: a privately run prison, fed by its operator's system."""

PRISON = "INST"

MOVES: dict[tuple[str, str], str] = {
    (LEGACY, MIGRATING): "establishment.migration_started",
    (MIGRATING, LIVE): "establishment.went_live",
    (MIGRATING, LEGACY): "establishment.migration_rolled_back",
}
"""The moves allowed, each with the audit action that records it."""


class StateChangeRefused(BusinessRuleViolation):
    """The establishment is not in a state it may be moved on from that way."""


@dataclass(frozen=True)
class EstablishmentState:
    establishment: str
    name: str
    state: str
    """``legacy``, ``migrating``, ``live``, or ``contracted`` for a privately run prison."""
    since: datetime | None
    """When it entered the state; None for a prison still in its first state."""
    changed_by: str | None


def state_of(connection: sa.Connection, code: str) -> EstablishmentState:
    """The state of the prison ``code``; ``UnknownReferenceCode`` for anything else."""
    found = _states(connection, agency.c.code == code)
    if not found:
        raise UnknownReferenceCode("prison", code)
    return found[0]


def estate(connection: sa.Connection) -> list[EstablishmentState]:
    """Every prison with its state, by code."""
    return _states(connection, sa.true())


def _states(connection: sa.Connection, where: sa.ColumnElement[bool]) -> list[EstablishmentState]:
    s = establishment_state
    rows = connection.execute(
        sa.select(agency.c.code, agency.c.name, agency.c.contracted, s.c.state, s.c.since)
        .add_columns(s.c.changed_by)
        .select_from(agency.outerjoin(s, s.c.establishment == agency.c.code))
        .where(agency.c.agency_type == PRISON, where)
        .order_by(agency.c.code)
    )
    return [
        EstablishmentState(
            code,
            name,
            RUN_BY_OPERATOR if contracted else (state or LEGACY),
            since,
            changed_by,
        )
        for code, name, contracted, state, since, changed_by in rows
    ]


def change_state(
    connection: sa.Connection,
    code: str,
    to: str,
    *,
    actor: str,
    at: datetime,
    detail: str | None = None,
) -> EstablishmentState:
    """Move ``code`` to ``to`` within the caller's transaction, audited; the state it now has.

    ``StateChangeRefused`` when the move is not one of ``MOVES`` from where the prison is, or
    when legacy messages are still held for it (they must be applied first: they predate
    the move)."""
    current = locked_state(connection, code)
    action = MOVES.get((current.state, to))
    if action is None:
        raise StateChangeRefused(_why_not(current, to))
    if current.state == MIGRATING and waiting_count(connection, code):
        raise StateChangeRefused(
            f"{code} still has legacy messages held: they are applied before it leaves {MIGRATING}"
        )
    values = {"state": to, "since": at, "changed_by": actor}
    updated = connection.execute(
        sa.update(establishment_state)
        .where(establishment_state.c.establishment == code)
        .values(**values)
    )
    if updated.rowcount == 0:
        connection.execute(sa.insert(establishment_state).values(establishment=code, **values))
    write_audit(connection, AuditEvent(at, actor, action, f"establishment:{code}", detail))
    return EstablishmentState(code, current.name, to, at, actor)


def waiting_count(connection: sa.Connection, code: str) -> int:
    """How many legacy messages are held for ``code``, not yet applied."""
    h = estate_held_message
    return int(
        connection.execute(
            sa.select(sa.func.count())
            .select_from(h)
            .where(h.c.establishment == code, h.c.released_at.is_(None))
        ).scalar_one()
    )


def locked_state(connection: sa.Connection, code: str) -> EstablishmentState:
    # The row lock (PostgreSQL; SQLite takes the whole database for a writer) orders a move
    # against ingest holding a message for the same prison: a message is never held for a
    # prison that has just gone live, nor left behind by a go-live.
    connection.execute(
        sa.select(establishment_state.c.state)
        .where(establishment_state.c.establishment == code)
        .with_for_update()
    ).all()
    return state_of(connection, code)


def _why_not(current: EstablishmentState, to: str) -> str:
    code = current.establishment
    if current.state == RUN_BY_OPERATOR:
        return f"{code} ({current.name}) is run by its operator, not on the legacy system"
    if current.state == to:
        return f"{code} is {to} already"
    allowed = sorted(after for before, after in MOVES if before == current.state)
    return (
        f"{code} is {current.state}: it may go to {' or '.join(allowed) or 'no other state'},"
        f" not {to}"
    )
