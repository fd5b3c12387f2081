"""Case-management documents (JSON, validated already) into the canonical commands that the
legacy and private-prison feeds use for the same facts.

The prison is the partner's own (one staff-application identity per prison), so a document
does not name it: whatever the staff application sends is about its prison.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from adapters.base import PartnerScope
from core_records.canteen.account import CREDIT, RecordCanteenTransaction
from core_records.commands import (
    Command,
    PersonName,
    PersonParticulars,
    RecordReception,
    RecordRelease,
    RecordTransfer,
)
from core_records.custody.prison_records import (
    RecordIncentiveReview,
    RecordPrisonAlert,
    RecordTransferIn,
)
from core_records.custody.temporary_movements import (
    RecordTemporaryMovementIn,
    RecordTemporaryMovementOut,
)
from core_records.errors import InvalidMessage, NotPermitted
from core_records.identifiers import CRO, NOMS, PNC, Identifier, parse_identifier


def own_prison(scope: PartnerScope) -> str:
    """The one prison a staff application speaks for."""
    if len(scope.establishments) != 1:
        raise NotPermitted(f"{scope.partner} is not one prison's staff application")
    return next(iter(scope.establishments))


def translate_movement(document: Any, scope: PartnerScope) -> tuple[Command, ...]:
    prison = own_prison(scope)
    kind = document["movementType"]
    at = _time(document)
    reason = document["reasonCode"]
    if kind == "ADM":
        return (
            RecordReception(
                person=_particulars(document["person"]),
                establishment=prison,
                reason_code=reason,
                occurred_at=at,
                from_agency=document.get("fromAgency"),
                legal_status=document.get("legalStatus"),
            ),
        )
    person = (parse_identifier(NOMS, document["prisonNumber"]),)
    if kind == "TRN" and document.get("direction") == "IN":
        return (RecordTransferIn(person, document["fromAgency"], prison, reason, at),)
    if kind == "TRN":
        return (RecordTransfer(person, prison, document["toAgency"], reason, at),)
    if kind == "REL":
        return (RecordRelease(person, prison, reason, at, document.get("toAgency")),)
    if document["direction"] == "OUT":
        return (
            RecordTemporaryMovementOut(person, prison, kind, reason, at, document.get("toAgency")),
        )
    return (
        RecordTemporaryMovementIn(person, prison, kind, reason, at, document.get("fromAgency")),
    )


def translate_credit(document: Any, scope: PartnerScope) -> tuple[Command, ...]:
    return (
        RecordCanteenTransaction(
            person=(parse_identifier(NOMS, document["prisonNumber"]),),
            transaction_type=CREDIT,
            amount_pence=document["amountPence"],
            client_reference=f"{own_prison(scope)}:{document['reference']}",
            occurred_at=_time(document),
            establishment=own_prison(scope),
        ),
    )


def translate_incentive_review(document: Any, scope: PartnerScope) -> tuple[Command, ...]:
    return (
        RecordIncentiveReview(
            person=(parse_identifier(NOMS, document["prisonNumber"]),),
            establishment=own_prison(scope),
            level=document["level"],
            occurred_at=_time(document),
        ),
    )


def translate_alert(document: Any, scope: PartnerScope) -> tuple[Command, ...]:
    return (
        RecordPrisonAlert(
            person=(parse_identifier(NOMS, document["prisonNumber"]),),
            establishment=own_prison(scope),
            alert_code=document["alertCode"],
            active=document["status"] == "ACTIVE",
            occurred_at=_time(document),
        ),
    )


def _particulars(person: dict[str, Any]) -> PersonParticulars:
    identifiers: list[Identifier] = []
    for key, kind in (("prisonNumber", NOMS), ("pncId", PNC), ("croNumber", CRO)):
        if person.get(key):
            identifiers.append(parse_identifier(kind, person[key]))
    try:
        born = date.fromisoformat(person["dateOfBirth"])
    except ValueError:
        raise InvalidMessage(
            f"{person['dateOfBirth']!r} is not a date",
            element="$.person.dateOfBirth",
            rule="date",
        ) from None
    return PersonParticulars(
        identifiers=tuple(identifiers),
        name=PersonName(person["surname"].strip(), " ".join(person["forenames"].split())),
        date_of_birth=born,
        sex=person["sex"],
    )


def _time(document: Any) -> datetime:
    try:
        return datetime.fromisoformat(document["occurredAt"])
    except ValueError:
        raise InvalidMessage(
            f"occurredAt {document['occurredAt']!r} is not a date and time",
            element="$.occurredAt",
            rule="date-time",
        ) from None
