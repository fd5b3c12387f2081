"""Merging two records of one person, and undoing it.

A merge moves everything of the absorbed record to the survivor: identifiers (the absorbed
prison number included, so that later messages naming any old identifier resolve to the
survivor), names (the absorbed current name becomes an alias), bookings, movements,
sentence dates, alerts, incentive reviews, and what partners recorded (offender managers,
registrations, licence conditions, risk assessments, visits, non-associations on either
side of the pair), and what is kept by prison
number (security alerts, intelligence flags, PNC's answers to lookups) is renumbered. The
survivor takes the absorbed record's custody when only the absorbed one is in prison; two
people both in custody are refused.
What moved is written down (``person_merge.moved``), so that an unmerge moves exactly that
back and restores both records. A merge writes a ``prisoner.merged`` event to the outbox
(with ``nomsNumber`` the survivor and ``removedNomsNumber`` the absorbed), an unmerge a
``prisoner.unmerged`` (``nomsNumber`` the survivor, ``restoredNomsNumber`` the number given
back its own record), for every partner whose policy allows it, in the survivor's lane so
that they reach each partner in order with the person's other events; merges and unmerges
are audited. All in one transaction.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from core_records.bookkeeping.audit import AuditEvent, write_audit
from core_records.custody.person_record import IN_PRISON
from core_records.custody.tables import person, person_identifier
from core_records.errors import BusinessRuleViolation
from core_records.events import (
    EVENT_IDENTIFIER_TYPES,
    PRISONER_MERGED,
    PRISONER_UNMERGED,
    CanonicalEvent,
    person_event,
)
from core_records.identifiers import NOMS, Identifier
from core_records.identity.merge_moves import move_all, move_back, renumber, renumber_back
from core_records.identity.numbers import find_person
from core_records.identity.tables import person_merge
from core_records.store import outbox as outbox_rows
from core_records.store.database import store_errors
from core_records.timestamps import utc_now

_CUSTODY = ("custody_status", "care_status", "current_establishment", "legal_status")


@dataclass(frozen=True)
class Merge:
    id: int
    survivor: str
    absorbed: str
    merged_at: datetime
    merged_by: str
    reason: str
    unmerged_at: datetime | None
    unmerged_by: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "survivor": self.survivor,
            "absorbed": self.absorbed,
            "mergedAt": self.merged_at.isoformat(),
            "mergedBy": self.merged_by,
            "reason": self.reason,
            "unmergedAt": self.unmerged_at.isoformat() if self.unmerged_at else None,
            "unmergedBy": self.unmerged_by,
        }


class Merges:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    def merge(self, survivor: str, absorbed: str, *, actor: str, reason: str) -> Merge:
        """Merge the record of prison number ``absorbed`` into ``survivor``'s."""
        now = utc_now()
        with store_errors(), self._engine.begin() as connection:
            if survivor == absorbed:
                raise BusinessRuleViolation(f"{survivor} cannot be merged into itself")
            survivor_row = _person_row(connection, survivor)
            absorbed_row = _person_row(connection, absorbed)
            if absorbed_row["id"] != find_person(connection, [Identifier(NOMS, absorbed)]):
                raise BusinessRuleViolation(f"{absorbed} has been merged already")
            both_in = survivor_row["custody_status"] == absorbed_row["custody_status"] == IN_PRISON
            if both_in:
                raise BusinessRuleViolation(
                    f"{survivor} and {absorbed} are both in custody: release or transfer one "
                    "before merging"
                )
            moved = move_all(connection, absorbed_row["id"], survivor_row["id"])
            moved |= renumber(connection, absorbed, survivor)
            if absorbed_row["custody_status"] == IN_PRISON:
                moved["survivorCustody"] = {c: survivor_row[c] for c in _CUSTODY}
                connection.execute(
                    sa.update(person)
                    .where(person.c.id == survivor_row["id"])
                    .values({c: absorbed_row[c] for c in _CUSTODY})
                )
            _touch(connection, survivor_row["id"], now)
            merge_id = connection.execute(
                sa.insert(person_merge)
                .values(
                    survivor_id=survivor_row["id"],
                    absorbed_id=absorbed_row["id"],
                    merged_at=now,
                    merged_by=actor,
                    reason=reason,
                    moved=json.dumps(moved, separators=(",", ":")),
                )
                .returning(person_merge.c.id)
            ).scalar_one()
            information = {"nomsNumber": survivor, "removedNomsNumber": absorbed, "reason": "MERGE"}
            event = _event(connection, PRISONER_MERGED, survivor_row["id"], information, now)
            _write_event(connection, event, f"merge-{merge_id}-{uuid.uuid4()}", now)
            write_audit(
                connection,
                AuditEvent(
                    now, actor, "person.merged", f"person:{survivor}", f"{absorbed}: {reason}"
                ),
            )
        return Merge(merge_id, survivor, absorbed, now, actor, reason, None, None)

    def unmerge(self, merge_id: int, *, actor: str) -> Merge:
        """Undo merge ``merge_id``: both records as they were, with what each gained since."""
        now = utc_now()
        with store_errors(), self._engine.begin() as connection:
            row = (
                connection.execute(sa.select(person_merge).where(person_merge.c.id == merge_id))
                .mappings()
                .first()
            )
            if row is None:
                raise LookupError(f"no merge {merge_id}")
            if row["unmerged_at"] is not None:
                raise BusinessRuleViolation(f"merge {merge_id} was undone already")
            moved = json.loads(row["moved"])
            survivor_id, absorbed_id = row["survivor_id"], row["absorbed_id"]
            move_back(connection, moved, survivor_id, absorbed_id)
            renumber_back(connection, moved, _prison_number(connection, absorbed_id))
            if "survivorCustody" in moved:
                connection.execute(
                    sa.update(person)
                    .where(person.c.id == survivor_id)
                    .values(moved["survivorCustody"])
                )
            _touch(connection, survivor_id, now)
            _touch(connection, absorbed_id, now)
            connection.execute(
                sa.update(person_merge)
                .where(person_merge.c.id == merge_id)
                .values(unmerged_at=now, unmerged_by=actor)
            )
            merge = _merges(connection, person_merge.c.id == merge_id)[0]
            information = {
                "nomsNumber": merge.survivor,
                "restoredNomsNumber": merge.absorbed,
                "reason": "UNMERGE",
            }
            event = _event(connection, PRISONER_UNMERGED, survivor_id, information, now)
            _write_event(connection, event, f"unmerge-{merge_id}-{uuid.uuid4()}", now)
            write_audit(
                connection,
                AuditEvent(
                    now, actor, "person.unmerged", f"person:{merge.survivor}", merge.absorbed
                ),
            )
        return merge

    def history(self, limit: int = 100) -> list[Merge]:
        """Merges, newest first."""
        with store_errors(), self._engine.connect() as connection:
            return _merges(connection, sa.true(), limit)


def _person_row(connection: sa.Connection, prison_number: str) -> Any:
    row = (
        connection.execute(sa.select(person).where(person.c.prison_number == prison_number))
        .mappings()
        .first()
    )
    if row is None:
        raise BusinessRuleViolation(f"no person on record has prison number {prison_number}")
    return row


def _prison_number(connection: sa.Connection, person_id: int) -> str:
    return connection.execute(
        sa.select(person.c.prison_number).where(person.c.id == person_id)
    ).scalar_one()


def _touch(connection: sa.Connection, person_id: int, now: datetime) -> None:
    connection.execute(
        sa.update(person)
        .where(person.c.id == person_id)
        .values(version=person.c.version + 1, updated_at=now)
    )


def _event(
    connection: sa.Connection,
    event_type: str,
    survivor_id: int,
    information: dict[str, str],
    now: datetime,
) -> CanonicalEvent:
    """An event about the survivor, naming only its own prison number: after a merge the
    retired one resolves to it too, but partners are to use the survivor's from now on."""
    survivor = information["nomsNumber"]
    identifiers = (
        Identifier(r.type, r.value)
        for r in connection.execute(
            sa.select(person_identifier.c.type, person_identifier.c.value).where(
                person_identifier.c.person_id == survivor_id,
                person_identifier.c.type.in_(EVENT_IDENTIFIER_TYPES),
            )
        )
        if not (r.type == NOMS and r.value != survivor)
    )
    return person_event(event_type, now, identifiers, information)


def _write_event(
    connection: sa.Connection, event: CanonicalEvent, causation: str, now: datetime
) -> None:
    row = outbox_rows.outbox_row(
        event, correlation_id=causation, causation_id=causation, created_at=now
    )
    outbox_rows.write_events(connection, [row])


def _merges(
    connection: sa.Connection, where: sa.ColumnElement[bool], limit: int = 100
) -> list[Merge]:
    survivor = person.alias("survivor")
    absorbed = person.alias("absorbed")
    rows = connection.execute(
        sa.select(
            person_merge.c.id,
            survivor.c.prison_number.label("survivor"),
            absorbed.c.prison_number.label("absorbed"),
            person_merge.c.merged_at,
            person_merge.c.merged_by,
            person_merge.c.reason,
            person_merge.c.unmerged_at,
            person_merge.c.unmerged_by,
        )
        .join(survivor, survivor.c.id == person_merge.c.survivor_id)
        .join(absorbed, absorbed.c.id == person_merge.c.absorbed_id)
        .where(where)
        .order_by(person_merge.c.id.desc())
        .limit(limit)
    ).all()
    return [Merge(*row) for row in rows]
