"""Handlers of what Delius and OASys tell the record (``core_records.partner_records.commands``).

Each finds the one person the command's strong identifiers name (a person not on record is
a ``BusinessRuleViolation``: probation and OASys speak of people already in prison), checks
what it must, then says ``work.writing()`` and adds append-only rows
(``core_records.partner_records.tables``) kept back by the unit of work. A RoSH level from an
assessment becomes the person's one active RoSH alert: ROM, ROH or ROV (LOW sets none).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from core_records.custody.in_custody import person_in_custody_at, person_on_record
from core_records.custody.person_record import PersonState
from core_records.errors import BusinessRuleViolation
from core_records.events import (
    ALERT_CREATED,
    ALERT_INACTIVE,
    ASSESSMENT_SUMMARY_PRODUCED,
    IMPRISONMENT_STATUS_CHANGED,
    LICENCE_CONDITIONS_CHANGED,
    OFFENDER_MANAGER_ALLOCATED,
    PRISON_IDENTIFIER_ADDED,
    REGISTRATION_ADDED,
    REGISTRATION_REMOVED,
    SENTENCE_DATES_CHANGED,
    VISIT_RECORDED,
    CanonicalEvent,
    person_event,
)
from core_records.identifiers import CRN
from core_records.partner_records.commands import (
    DEREGISTERED,
    REGISTERED,
    SENTENCE_DATE_CODES,
    AllocateOffenderManager,
    RecordLicenceConditions,
    RecordProbationCase,
    RecordRegistration,
    RecordRiskAssessment,
    RecordSentence,
    RecordVisit,
)
from core_records.partner_records.tables import (
    licence_condition,
    offender_manager_allocation,
    probation_registration,
    risk_assessment,
    visit,
)
from core_records.store.unit_of_work import UnitOfWork
from core_records.tables import alert, person, sentence_date

ROSH_ALERTS = {"MEDIUM": "ROM", "HIGH": "ROH", "VERY_HIGH": "ROV"}
"""The alert a RoSH level sets in custody; LOW sets none."""


def _event(
    work: UnitOfWork, who: PersonState, event_type: str, at: datetime, information: dict[str, Any]
) -> CanonicalEvent:
    information = {"nomsNumber": who.prison_number, **information}
    if who.current_establishment is not None:
        information.setdefault("prisonId", who.current_establishment)
    return person_event(event_type, at, work.identifiers_of(who.id), information)


def _crn_of(work: UnitOfWork, who: PersonState) -> str:
    crn = next((i.value for i in work.identifiers_of(who.id) if i.type == CRN), None)
    if crn is None:
        raise BusinessRuleViolation(f"{who.prison_number} has no probation case (CRN) on record")
    return crn


def _row(work: UnitOfWork, who: PersonState, **values: Any) -> dict[str, Any]:
    return {"person_id": who.id, "message_id": work.message_id, **values}


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
    return [_event(work, who, PRISON_IDENTIFIER_ADDED, command.occurred_at, information)]


def allocate_offender_manager(
    work: UnitOfWork, command: AllocateOffenderManager
) -> list[CanonicalEvent]:
    who = person_on_record(work, command.person)
    crn = _crn_of(work, who)
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
            _row(
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
        _event(work, who, OFFENDER_MANAGER_ALLOCATED, command.occurred_at, {"crn": crn, **values})
    ]


def record_registration(work: UnitOfWork, command: RecordRegistration) -> list[CanonicalEvent]:
    if command.action not in (REGISTERED, DEREGISTERED):
        raise BusinessRuleViolation(
            f"a registration is {REGISTERED} or {DEREGISTERED}, not {command.action}"
        )
    who = person_on_record(work, command.person)
    crn = _crn_of(work, who)
    work.writing()
    work.add_rows(
        probation_registration,
        [
            _row(
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
    return [_event(work, who, event_type, command.occurred_at, information)]


def record_licence_conditions(
    work: UnitOfWork, command: RecordLicenceConditions
) -> list[CanonicalEvent]:
    who = person_on_record(work, command.person)
    crn = _crn_of(work, who)
    work.writing()
    work.add_rows(
        licence_condition,
        [
            _row(
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
    return [_event(work, who, LICENCE_CONDITIONS_CHANGED, command.occurred_at, information)]


def record_risk_assessment(work: UnitOfWork, command: RecordRiskAssessment) -> list[CanonicalEvent]:
    """Record the summary; set the RoSH alert its overall level calls for, ending any other."""
    who = person_on_record(work, command.person)
    work.writing()
    overall = command.overall_rosh
    rosh = {r.group: {"custody": r.custody, "community": r.community} for r in command.rosh}
    scores = dict(command.scores)
    work.add_rows(
        risk_assessment,
        [
            _row(
                work,
                who,
                assessment_id=command.assessment_id,
                assessment_type=command.assessment_type,
                status=command.status,
                completed_at=command.occurred_at,
                overall_rosh=overall,
                rosh=rosh,
                scores=scores,
            )
        ],
    )
    summary = {
        "assessmentId": command.assessment_id,
        "assessmentType": command.assessment_type,
        "assessmentStatus": command.status,
        "riskOfSeriousHarm": overall,
        "riskOfSeriousHarmByGroup": rosh,
        "scores": scores,
    }
    at = command.occurred_at
    events = [_event(work, who, ASSESSMENT_SUMMARY_PRODUCED, at, summary)]
    wanted = ROSH_ALERTS.get(overall)
    active = _active_rosh_alerts(work, who.id)
    for code in sorted(active - {wanted}):
        _end_rosh_alert(work, who.id, code, at)
        events.append(_event(work, who, ALERT_INACTIVE, at, {"alertType": "R", "alertCode": code}))
    if wanted is not None and wanted not in active:
        # Every row of one insert must name the same columns, hence expires_at.
        row = {"person_id": who.id, "alert_type": "R", "alert_code": wanted, "active": True,
               "created_at": at, "expires_at": None}  # fmt: skip
        work.add_rows(alert, [row])
        events.append(_event(work, who, ALERT_CREATED, at, {"alertType": "R", "alertCode": wanted}))
    return events


def _active_rosh_alerts(work: UnitOfWork, person_id: int) -> set[str]:
    codes = set(ROSH_ALERTS.values())
    stored = work.connection.execute(
        sa.select(alert.c.alert_code).where(
            alert.c.person_id == person_id, alert.c.active.is_(True), alert.c.alert_code.in_(codes)
        )
    ).scalars()
    pending = (
        r["alert_code"]
        for r in work.pending_rows(alert)
        if r["person_id"] == person_id and r["active"] and r["alert_code"] in codes
    )
    return {*stored, *pending}


def _end_rosh_alert(work: UnitOfWork, person_id: int, code: str, at: datetime) -> None:
    work.connection.execute(
        sa.update(alert)
        .where(alert.c.person_id == person_id, alert.c.alert_code == code, alert.c.active.is_(True))
        .values(active=False, expires_at=at)
    )
    for row in work.pending_rows(alert):
        if row["person_id"] == person_id and row["alert_code"] == code:
            row.update(active=False, expires_at=at)


def record_visit(work: UnitOfWork, command: RecordVisit) -> list[CanonicalEvent]:
    """Record a visit to a person in custody at the prison the visit was at."""
    if command.ends_at < command.starts_at:
        raise BusinessRuleViolation(f"visit {command.visit_reference} ends before it starts")
    who, _ = person_in_custody_at(work, command.person, command.establishment)
    work.writing()
    visitors = [
        {"surname": v.surname, "forenames": v.forenames, "relationship": v.relationship}
        for v in command.visitors
    ]
    work.add_rows(
        visit,
        [
            _row(
                work,
                who,
                establishment=command.establishment,
                visit_reference=command.visit_reference,
                visit_type=command.visit_type,
                starts_at=command.starts_at,
                ends_at=command.ends_at,
                outcome=command.outcome,
                visitors=visitors,
            )
        ],
    )
    information = {
        "prisonId": command.establishment,
        "visitReference": command.visit_reference,
        "visitType": command.visit_type,
        "outcome": command.outcome,
        "endsAt": command.ends_at.isoformat(),
        "visitors": visitors,
    }
    return [_event(work, who, VISIT_RECORDED, command.starts_at, information)]


def record_sentence(work: UnitOfWork, command: RecordSentence) -> list[CanonicalEvent]:
    """Record a sentence calculation's key dates on the person's current booking, and the
    imprisonment status when it changes; an event for each kind of change, none if none."""
    unknown = sorted({code for code, _ in command.key_dates} - SENTENCE_DATE_CODES)
    if unknown:
        raise BusinessRuleViolation(f"unknown sentence key date {', '.join(unknown)}")
    if command.legal_status is not None:
        work.reference.require_legal_status(command.legal_status)
    who, booking = person_in_custody_at(work, command.person, command.establishment)
    stored = dict(
        work.connection.execute(
            sa.select(sentence_date.c.code, sentence_date.c.date).where(
                sentence_date.c.booking_id == booking.id
            )
        ).all()
    )
    pending = {
        r["code"]: r for r in work.pending_rows(sentence_date) if r["booking_id"] == booking.id
    }
    current = {**stored, **{code: row["date"] for code, row in pending.items()}}
    changed = {code: when for code, when in command.key_dates if current.get(code) != when}
    previous_status = work.connection.execute(
        sa.select(person.c.legal_status).where(person.c.id == who.id)
    ).scalar()
    new_status = command.legal_status
    status_changes = new_status is not None and new_status != previous_status
    work.writing()
    for code, when in changed.items():
        if code in pending:
            pending[code]["date"] = when
        elif code in stored:
            work.connection.execute(
                sa.update(sentence_date)
                .where(sentence_date.c.booking_id == booking.id, sentence_date.c.code == code)
                .values(date=when, overridden=False)
            )
        else:
            work.add_rows(
                sentence_date,
                [{"person_id": who.id, "booking_id": booking.id, "code": code, "date": when,
                  "overridden": False}],
            )  # fmt: skip
    events = []
    if changed:
        dates = {code: when.isoformat() for code, when in sorted({**current, **changed}.items())}
        events.append(
            _event(work, who, SENTENCE_DATES_CHANGED, command.occurred_at, {"sentenceDates": dates})
        )
    if status_changes:
        who = work.change_custody(
            who,
            custody_status=who.custody_status,
            establishment=who.current_establishment,
            legal_status=new_status,
        )
        information = {"imprisonmentStatus": new_status}
        if previous_status is not None:
            information["previousImprisonmentStatus"] = previous_status
        events.append(
            _event(work, who, IMPRISONMENT_STATUS_CHANGED, command.occurred_at, information)
        )
    return events


HANDLERS: dict[type, Callable[[UnitOfWork, Any], list[CanonicalEvent]]] = {
    RecordProbationCase: record_probation_case,
    AllocateOffenderManager: allocate_offender_manager,
    RecordRegistration: record_registration,
    RecordLicenceConditions: record_licence_conditions,
    RecordRiskAssessment: record_risk_assessment,
    RecordVisit: record_visit,
    RecordSentence: record_sentence,
}
