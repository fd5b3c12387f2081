"""What the handlers of partners' records share: the event about a person, the row tied to
the message that stated a fact, and the probation case (CRN) a person must have."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core_records.custody.person_record import PersonState
from core_records.errors import BusinessRuleViolation
from core_records.events import CanonicalEvent, person_event
from core_records.identifiers import CRN
from core_records.store.unit_of_work import UnitOfWork


def partner_event(
    work: UnitOfWork, who: PersonState, event_type: str, at: datetime, information: dict[str, Any]
) -> CanonicalEvent:
    """An event about ``who``, with their prison number and, if in prison, where."""
    information = {"nomsNumber": who.prison_number, **information}
    if who.current_establishment is not None:
        information.setdefault("prisonId", who.current_establishment)
    return person_event(event_type, at, work.identifiers_of(who.id), information)


def crn_of(work: UnitOfWork, who: PersonState) -> str:
    """The person's probation case number; a ``BusinessRuleViolation`` if they have none."""
    crn = next((i.value for i in work.identifiers_of(who.id) if i.type == CRN), None)
    if crn is None:
        raise BusinessRuleViolation(f"{who.prison_number} has no probation case (CRN) on record")
    return crn


def fact_row(work: UnitOfWork, who: PersonState, **values: Any) -> dict[str, Any]:
    """A row of ``values`` about ``who``, tied to the message being applied."""
    return {"person_id": who.id, "message_id": work.message_id, **values}
