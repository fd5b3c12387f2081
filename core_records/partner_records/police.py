"""Handlers for what PNC tells the hub: ids assigned, lookups answered, records amended and
merged. Each changes the person's PNC id and CRO number (already parsed, check letters and
all) and emits ``prisoner.police-identifiers.changed``, or nothing when nothing changed: PNC
may say the same thing twice. An amendment that adds names or corrects the date of birth
emits ``prisoner.updated``, which reaches the partners holding the person.

A PNC id or CRO number the hub holds against someone else is refused, never moved: two
prison records for one police record is a prison merge, for a person to decide.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa

from core_records.commands import (
    AmendPoliceRecord,
    AssignPoliceIdentifiers,
    MergePoliceRecords,
    PersonName,
    RecordPoliceLookup,
)
from core_records.custody.in_custody import person_on_record
from core_records.custody.person_record import IN_PRISON, PersonState
from core_records.custody.tables import person_name
from core_records.errors import BusinessRuleViolation, InvalidMessage
from core_records.events import (
    POLICE_IDENTIFIERS_CHANGED,
    PRISONER_UPDATED,
    CanonicalEvent,
    person_event,
)
from core_records.identifiers import CRO, PNC, Identifier
from core_records.partner_records.intelligence_tables import police_lookup
from core_records.store.unit_of_work import UnitOfWork

FOUND = "FOUND"
NOT_FOUND = "NOT_FOUND"


def _not_held_by_another(work: UnitOfWork, current: PersonState, *ids: Identifier | None) -> None:
    for identifier, holder in work.holders(i for i in ids if i is not None).items():
        if holder.person_id != current.id:
            raise BusinessRuleViolation(
                f"{identifier.type} {identifier.value} is recorded against "
                f"{holder.prison_number}, not {current.prison_number}"
            )


def _held(work: UnitOfWork, current: PersonState, identifier_type: str) -> Identifier | None:
    return next((i for i in work.identifiers_of(current.id) if i.type == identifier_type), None)


def _changed(
    work: UnitOfWork, current: PersonState, command: Any, reason: str, **detail: str
) -> list[CanonicalEvent]:
    information = {"nomsNumber": current.prison_number, "reason": reason, **detail}
    identifiers = work.identifiers_of(current.id)
    return [person_event(POLICE_IDENTIFIERS_CHANGED, command.occurred_at, identifiers, information)]


def _assign(
    work: UnitOfWork, current: PersonState, pnc: Identifier, cro: Identifier | None
) -> list[Identifier]:
    """Check that the ids may be given to ``current``; the ones it does not hold yet."""
    _not_held_by_another(work, current, pnc, cro)
    for given in (pnc, cro):
        held = None if given is None else _held(work, current, given.type)
        if given is not None and held is not None and held != given:
            raise BusinessRuleViolation(
                f"{current.prison_number} already has {given.type} {held.value}, not "
                f"{given.value}; PNC changes one by an amendment or a merge"
            )
    known = work.identifiers_of(current.id)
    return [i for i in (pnc, cro) if i is not None and i not in known]


def assign_police_identifiers(
    work: UnitOfWork, command: AssignPoliceIdentifiers
) -> list[CanonicalEvent]:
    current = person_on_record(work, command.person)
    new = _assign(work, current, command.pnc_id, command.cro_number)
    if not new:
        return []
    work.writing()
    work.add_identifiers(current, new)
    return _changed(work, current, command, "ASSIGNED")


def record_police_lookup(work: UnitOfWork, command: RecordPoliceLookup) -> list[CanonicalEvent]:
    current = person_on_record(work, command.person)
    if command.outcome not in (FOUND, NOT_FOUND):
        raise InvalidMessage(f"a PNC lookup outcome is FOUND or NOT_FOUND, not {command.outcome}")
    new: list[Identifier] = []
    if command.outcome == FOUND:
        if command.pnc_id is None:
            raise InvalidMessage("a PNC lookup that found the person must give the PNC id")
        new = _assign(work, current, command.pnc_id, command.cro_number)
    work.writing()
    work.connection.execute(
        sa.insert(police_lookup).values(
            prison_number=current.prison_number,
            outcome=command.outcome,
            pnc_id=command.pnc_id.value if command.pnc_id else None,
            cro_number=command.cro_number.value if command.cro_number else None,
            answered_at=command.occurred_at,
            message_id=work.message_id,
        )
    )
    if not new:
        return []
    work.add_identifiers(current, new)
    return _changed(work, current, command, "LOOKUP")


def amend_police_record(work: UnitOfWork, command: AmendPoliceRecord) -> list[CanonicalEvent]:
    """A corrected CRO number is ``prisoner.police-identifiers.changed``; new names or a
    corrected date of birth are ``prisoner.updated``, for the partners holding the person."""
    current = person_on_record(work, command.person)
    _not_held_by_another(work, current, command.cro_number)
    old_cro = _held(work, current, CRO)
    cro_changed = command.cro_number is not None and command.cro_number != old_cro
    aliases = _new_aliases(work, current, command.aliases)
    born = command.date_of_birth
    born_changed = born is not None and born != work.date_of_birth(current)
    if not cro_changed and not aliases and not born_changed:
        return []
    work.writing()
    events: list[CanonicalEvent] = []
    if cro_changed and command.cro_number is not None:
        if old_cro is not None:
            work.remove_identifiers(current, [old_cro])
        work.add_identifiers(current, [command.cro_number])
        events += _changed(work, current, command, "AMENDED", croNumber=command.cro_number.value)
    work.add_names(current, aliases)
    if born is not None and born_changed:
        current = work.correct_date_of_birth(current, born)
    if aliases or born_changed:
        events.append(_updated(work, current, command, aliases, born if born_changed else None))
    return events


def _updated(
    work: UnitOfWork,
    current: PersonState,
    command: AmendPoliceRecord,
    aliases: list[PersonName],
    born: date | None,
) -> CanonicalEvent:
    information: dict[str, Any] = {
        "nomsNumber": current.prison_number,
        "reason": "PNC_AMENDMENT",
        "changed": [c for c, new in (("names", aliases), ("dateOfBirth", born)) if new],
    }
    if aliases:
        information["names"] = [{"surname": n.surname, "forenames": n.forenames} for n in aliases]
    if born is not None:
        information["dateOfBirth"] = born.isoformat()
    if current.custody_status == IN_PRISON and current.current_establishment:
        # Where the person is held: a private prison's operator receives the update only
        # for its own prisons (its policy's row scope).
        information["prisonId"] = current.current_establishment
    identifiers = work.identifiers_of(current.id)
    return person_event(PRISONER_UPDATED, command.occurred_at, identifiers, information)


def _new_aliases(
    work: UnitOfWork, current: PersonState, names: tuple[PersonName, ...]
) -> list[PersonName]:
    recorded = {
        (row.surname.upper(), row.forenames.upper())
        for row in work.connection.execute(
            sa.select(person_name.c.surname, person_name.c.forenames).where(
                person_name.c.person_id == current.id
            )
        )
    }
    new: list[PersonName] = []
    for name in names:
        key = (name.surname.upper(), name.forenames.upper())
        if key not in recorded:
            recorded.add(key)
            new.append(PersonName(name.surname, name.forenames, name_type="A"))
    return new


def merge_police_records(work: UnitOfWork, command: MergePoliceRecords) -> list[CanonicalEvent]:
    retained, merged = command.retained, command.merged
    if retained.type != PNC or merged.type != PNC or retained == merged:
        raise InvalidMessage("a PNC merge names two different PNC ids")
    holders = work.holders([retained, merged])
    if merged not in holders:
        return []  # the hub holds no one by the merged id: nothing of ours changes
    current = work.load_person(holders[merged].person_id)
    _not_held_by_another(work, current, retained)
    work.writing()
    work.remove_identifiers(current, [merged])
    if retained not in holders:
        work.add_identifiers(current, [retained])
    return _changed(work, current, command, "MERGED", mergedPncId=merged.value)


HANDLERS: dict[type, Callable[[UnitOfWork, Any], list[CanonicalEvent]]] = {
    AssignPoliceIdentifiers: assign_police_identifiers,
    RecordPoliceLookup: record_police_lookup,
    AmendPoliceRecord: amend_police_record,
    MergePoliceRecords: merge_police_records,
}
