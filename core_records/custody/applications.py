"""Applications: the written requests people in custody make to staff (to see healthcare,
to book a visit, about their money ...), sent from in-cell and wing kiosks.

The record keeps each application once, by the kiosk's reference: a kiosk that sends one
again (its answer lost, say) changes nothing the second time. An application is announced
as ``prisoner.application.submitted`` for the prison's own systems to route to staff.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from core_records.canteen.tables import prisoner_application
from core_records.custody.person_record import IN_PRISON
from core_records.errors import BusinessRuleViolation, InvalidMessage
from core_records.events import PRISONER_APPLICATION_SUBMITTED, CanonicalEvent, person_event
from core_records.identifiers import Identifier
from core_records.identity.numbers import person_from_holders
from core_records.store.unit_of_work import UnitOfWork

APPLICATION_TYPES = (
    "GENERAL",
    "HEALTHCARE",
    "VISITS",
    "FINANCE",
    "PROPERTY",
    "EDUCATION",
    "WORK",
    "CHAPLAINCY",
    "RESETTLEMENT",
    "COMPLAINT",
)


@dataclass(frozen=True)
class RecordApplication:
    """A person in custody asks staff for something."""

    person: tuple[Identifier, ...]
    establishment: str
    """Where the kiosk is; the person must be in custody there."""
    application_type: str
    text: str
    client_reference: str
    occurred_at: datetime
    """When the person submitted it."""


def record_application(work: UnitOfWork, command: RecordApplication) -> list[CanonicalEvent]:
    work.reference.require_prison(command.establishment)
    if command.application_type not in APPLICATION_TYPES:
        raise InvalidMessage(f"unknown application type {command.application_type!r}")
    if not command.text.strip() or len(command.text) > 2000:
        raise InvalidMessage("an application's text must be 1 to 2000 characters")
    person_id = person_from_holders(command.person, work.holders(command.person))
    if person_id is None:
        described = ", ".join(f"{i.type} {i.value}" for i in command.person)
        raise BusinessRuleViolation(f"no person on record has {described}")
    current = work.load_person(person_id)
    if (
        current.custody_status != IN_PRISON
        or current.current_establishment != command.establishment
    ):
        raise BusinessRuleViolation(
            f"{current.prison_number} is not in custody at {command.establishment}"
        )
    already = work.connection.execute(
        sa.select(prisoner_application.c.id).where(
            prisoner_application.c.client_reference == command.client_reference
        )
    ).first()
    if already is not None:
        return []  # sent again: recorded once, announced once
    work.writing()
    work.connection.execute(
        sa.insert(prisoner_application),
        {
            "client_reference": command.client_reference,
            "person_id": person_id,
            "establishment": command.establishment,
            "application_type": command.application_type,
            "text": command.text,
            "submitted_at": command.occurred_at,
            "message_id": work.message_id,
            "recorded_at": work.now,
        },
    )
    information: dict[str, Any] = {
        "nomsNumber": current.prison_number,
        "prisonId": command.establishment,
        "applicationType": command.application_type,
        "clientReference": command.client_reference,
        "text": command.text,
    }
    return [
        person_event(
            PRISONER_APPLICATION_SUBMITTED,
            command.occurred_at,
            work.identifiers_of(person_id),
            information,
            description="A prisoner has made an application to staff",
        )
    ]


HANDLERS: dict[type, Callable[[UnitOfWork, Any], list[CanonicalEvent]]] = {
    RecordApplication: record_application,
}


def application_status(engine: sa.Engine, client_reference: str) -> dict[str, Any] | None:
    """The recorded application with ``client_reference``, or None."""
    query = sa.select(
        prisoner_application.c.application_type,
        prisoner_application.c.establishment,
        prisoner_application.c.submitted_at,
        prisoner_application.c.recorded_at,
    ).where(prisoner_application.c.client_reference == client_reference)
    with engine.connect() as connection:
        row = connection.execute(query).first()
    if row is None:
        return None
    return {
        "clientReference": client_reference,
        "status": "RECORDED",
        "applicationType": row.application_type,
        "prisonId": row.establishment,
        "submittedAt": row.submitted_at.isoformat(),
        "recordedAt": row.recorded_at.isoformat(),
    }
