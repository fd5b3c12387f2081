"""Handlers of what Delius (probation) tells the record: a person's probation case (CRN),
offender manager, registrations and licence conditions.

Each finds the one person the command's strong identifiers name (a person not on record is
a ``BusinessRuleViolation``: probation and OASys speak of people already in prison), checks
what it must, then says ``work.writing()`` and adds append-only rows
(``core_records.partner_records.tables``) kept back by the unit of work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from core_records.custody.in_custody import person_on_record
from core_records.custody.tables import person
from core_records.errors import BusinessRuleViolation
from core_records.events import (
    LICENCE_CONDITIONS_CHANGED,
    OFFENDER_MANAGER_ALLOCATED,
    PRISON_IDENTIFIER_ADDED,
    REGISTRATION_ADDED,
    REGISTRATION_REMOVED,
    CanonicalEvent,
)
from core_records.identifiers import CRN
from core_records.partner_records.commands import (
    DEREGISTERED,
    REGISTERED,
    AllocateOffenderManager,
    RecordLicenceConditions,
    RecordProbationCase,
    RecordRegistration,
)
from core_records.partner_records.facts import crn_of, fact_row, partner_event
from core_records.partner_records.tables import (
    licence_condition,
    offender_manager_allocation,
    probation_registration,
)
from core_records.store.unit_of_work import UnitOfWork


def record_probation_case(work: UnitOfWork, command: RecordProbationCase) -> list[CanonicalEvent]:
    """Record the CRN against the person Delius matched, and tell Delius their prison number."""
    others = tuple(i for i in command.person if i != command.crn)
    who = person_on_record(work, others)
    holder = work.holders([command.crn]).get(command.crn)
    if holder is not None and holder.person_id != who.id:
        raise BusinessRuleViolation(
            f"CRN {command.crn.value} is recorded against {holder.prison_number}"
        )
    known = work.identifiers_of(who.id)
    other_crn = next((i for i in known if i.type == CRN and i != command.crn), None)
    if other_crn is not None:
        raise BusinessRuleViolation(
            f"{who.prison_number} has the probation case {other_crn.value} already,"
            f" not {command.crn.value}"
        )
    if command.date_of_birth is not None:
        recorded = work.connection.execute(
            sa.select(person.c.date_of_birth).where(person.c.id == who.id)
        ).scalar()
        if recorded is not None and recorded != command.date_of_birth:
            raise BusinessRuleViolation(
                f"{who.prison_number} was born on {recorded.isoformat()}, not"
                f" {command.date_of_birth.isoformat()}: not the person of case {command.crn.value}"
            )
    if command.crn in known:
        return []
    work.writing()
    work.add_identifiers(who, [command.crn])
    information = {"crn": command.crn.value}
    return [partner_event(work, who, PRISON_IDENTIFIER_ADDED, command.occurred_at, information)]


def allocate_offender_manager(
    work: UnitOfWork, command: AllocateOffenderManager
) -> list[CanonicalEvent]:
    who = person_on_record(work, command.person)
    crn = crn_of(work, who)
    work.writing()
    values = {
        "staffCode": command.staff_code,
        "staffName": command.staff_name,
        "teamCode": command.team_code,
        "providerCode": command.provider_code,
        "allocatedOn": command.allocated_on.isoformat(),
    }
    work.add_rows(
        offender_manager_allocation,
        [
            fact_row(
                work,
                who,
                crn=crn,
                staff_code=command.staff_code,
                staff_name=command.staff_name,
                team_code=command.team_code,
                provider_code=command.provider_code,
                allocated_on=command.allocated_on,
            )
        ],
    )
    return [
        partner_event(
            work, who, OFFENDER_MANAGER_ALLOCATED, command.occurred_at, {"crn": crn, **values}
        )
    ]


def record_registration(work: UnitOfWork, command: RecordRegistration) -> list[CanonicalEvent]:
    if command.action not in (REGISTERED, DEREGISTERED):
        raise BusinessRuleViolation(
            f"a registration is {REGISTERED} or {DEREGISTERED}, not {command.action}"
        )
    who = person_on_record(work, command.person)
    crn = crn_of(work, who)
    work.writing()
    work.add_rows(
        probation_registration,
        [
            fact_row(
                work,
                who,
                crn=crn,
                registration_type=command.registration_type,
                level=command.level,
                action=command.action,
                effective_on=command.effective_on,
            )
        ],
    )
    information = {
        "crn": crn,
        "registrationType": command.registration_type,
        "effectiveOn": command.effective_on.isoformat(),
    }
    if command.level is not None:
        information["registrationLevel"] = command.level
    event_type = REGISTRATION_ADDED if command.action == REGISTERED else REGISTRATION_REMOVED
    return [partner_event(work, who, event_type, command.occurred_at, information)]


def record_licence_conditions(
    work: UnitOfWork, command: RecordLicenceConditions
) -> list[CanonicalEvent]:
    who = person_on_record(work, command.person)
    crn = crn_of(work, who)
    work.writing()
    work.add_rows(
        licence_condition,
        [
            fact_row(
                work,
                who,
                crn=crn,
                licence_starts_on=command.licence_starts_on,
                condition_code=c.code,
                description=c.description,
            )
            for c in command.conditions
        ],
    )
    information = {
        "crn": crn,
        "licenceStartsOn": command.licence_starts_on.isoformat(),
        "conditions": [{"code": c.code, "description": c.description} for c in command.conditions],
    }
    return [partner_event(work, who, LICENCE_CONDITIONS_CHANGED, command.occurred_at, information)]


HANDLERS: dict[type, Callable[[UnitOfWork, Any], list[CanonicalEvent]]] = {
    RecordProbationCase: record_probation_case,
    AllocateOffenderManager: allocate_offender_manager,
    RecordRegistration: record_registration,
    RecordLicenceConditions: record_licence_conditions,
}
