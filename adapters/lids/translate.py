"""LIDS messages (format v1) to canonical commands: pure translators.

    Reception           ``RecordReception`` (new person, or readmission of one on record)
    TransferOut         ``RecordTransfer`` from this prison
    TransferIn          ``RecordTransferIn`` to this prison (nothing, if the sender told us)
    Release             ``RecordRelease`` (DEC: died in custody, legal status DEAD)
    TemporaryMovement   ``RecordTemporaryMovementOut`` / ``...In`` (CRT court, TAP absence)
    IncentiveReview     ``RecordIncentiveReview``
    Credit              ``RecordCanteenTransaction`` of type CRED
    Alert               ``RecordPrisonAlert``

Every message names the prison that sent it (``MessageHeader/Establishment``): a LIDS is
a partner of its own, scoped to its one prison, and a row for any other prison is refused
(``NotPermitted``) before anything is applied. The LIDS number is recorded as the
identifier type ``LIDS`` qualified by that prison (``LEI/AL9692``): a legacy number is local
to the one prison's system that issued it, so Wandsworth's AL9692 is never Leeds's. National
ids the message carries are parsed to canonical form
(``InvalidIdentifier`` says what is wrong with one). Codes are checked by the store
against the reference data.
"""

from __future__ import annotations

from datetime import date, datetime

from lxml import etree

from adapters.base import MESSAGE_REFERENCE, InboundType, PartnerScope
from adapters.render_kit import ElementPaths
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
from core_records.errors import GatehouseError, InvalidMessage, NotPermitted
from core_records.identifiers import CRO, LIDS, NOMS, PNC, Identifier, lids_number, parse_identifier
from core_records.identity.person_keys import identifiers_key

NAMESPACE = "urn:gatehouse:lids:v1"
SCHEMA = "lids/messages-v1.xsd"

ROOTS = {
    "reception": "Reception",
    "transfer-out": "TransferOut",
    "transfer-in": "TransferIn",
    "release": "Release",
    "movement": "TemporaryMovement",
    "incentive-review": "IncentiveReview",
    "credit": "Credit",
    "alert": "Alert",
}
"""Message type to the root element of its document."""

_PATHS = ElementPaths(NAMESPACE, "l")


def establishment_of(document: etree._Element) -> str:
    """The prison a LIDS row is from. Only its own prison's LIDS may send it, so it is also
    the one prison of the sending partner's scope, which the estate's deployment-state gate
    (``routing.estate_gate``: legacy, migrating, live) reads to apply, hold or refuse it."""
    return _PATHS.required(document, "l:MessageHeader/l:Establishment")


def _own_prison(document: etree._Element, scope: PartnerScope) -> str:
    prison = establishment_of(document)
    if prison not in scope.establishments:
        runs = ", ".join(sorted(scope.establishments)) or "no prison"
        raise NotPermitted(
            f"{scope.partner} is the LIDS of {runs} and may not send rows for {prison}"
        )
    return prison


def _time(element: etree._Element, path: str) -> datetime:
    text = _PATHS.required(element, path)
    value = datetime.fromisoformat(text)
    if value.utcoffset() is None:
        raise InvalidMessage(f"{path} {text!r} has no offset from UTC", rule="time-offset")
    return value


def _identifiers(prisoner: etree._Element, prison: str) -> tuple[Identifier, ...]:
    """The prisoner's identifiers; ``prison``, whose LIDS sent the row, issued its number."""
    found = [Identifier(LIDS, lids_number(prison, _PATHS.required(prisoner, "l:LidsNumber")))]
    for name, kind in (("PrisonNumber", NOMS), ("PncId", PNC), ("CroNumber", CRO)):
        value = _PATHS.text(prisoner, f"l:{name}")
        if value:
            found.append(parse_identifier(kind, value))
    return tuple(found)


def row_person_key(document: etree._Element, prison: str) -> str | None:
    """Who a message from ``prison``'s LIDS is about (its ingest partition's key), or None
    for a row whose prisoner cannot be read (ingest refuses it, giving the reason)."""
    try:
        return identifiers_key(_identifiers(_prisoner(document), prison))
    except GatehouseError:
        return None


def _prisoner(document: etree._Element) -> etree._Element:
    found = document.find("l:Prisoner", {"l": NAMESPACE})
    if found is None:
        raise InvalidMessage("the document has no Prisoner", rule="required")
    return found


def _checked(document: etree._Element, message_type: str, scope: PartnerScope) -> str:
    """The root is the message type's and the row is the sender's own prison's."""
    name = ROOTS[message_type]
    if document.tag != f"{{{NAMESPACE}}}{name}":
        raise InvalidMessage(
            f"a {message_type} message must be a {name} element in {NAMESPACE}",
            rule="root-element",
        )
    return _own_prison(document, scope)


def translate_reception(document: etree._Element, scope: PartnerScope) -> tuple[Command, ...]:
    prison = _checked(document, "reception", scope)
    prisoner = _prisoner(document)
    particulars = PersonParticulars(
        identifiers=_identifiers(prisoner, prison),
        name=PersonName(
            surname=_PATHS.required(prisoner, "l:Surname"),
            forenames=" ".join(_PATHS.required(prisoner, "l:Forenames").split()),
        ),
        date_of_birth=date.fromisoformat(_PATHS.required(prisoner, "l:DateOfBirth")),
        sex=_PATHS.required(prisoner, "l:Sex"),
    )
    return (
        RecordReception(
            person=particulars,
            establishment=prison,
            reason_code=_PATHS.required(document, "l:ReasonCode"),
            occurred_at=_time(document, "l:ReceivedAt"),
            from_agency=_PATHS.text(document, "l:FromAgency"),
            legal_status=_PATHS.text(document, "l:LegalStatus"),
        ),
    )


def translate_transfer_out(document: etree._Element, scope: PartnerScope) -> tuple[Command, ...]:
    prison = _checked(document, "transfer-out", scope)
    return (
        RecordTransfer(
            person=_identifiers(_prisoner(document), prison),
            from_establishment=prison,
            to_establishment=_PATHS.required(document, "l:ToEstablishment"),
            reason_code=_PATHS.required(document, "l:ReasonCode"),
            occurred_at=_time(document, "l:MovedAt"),
        ),
    )


def translate_transfer_in(document: etree._Element, scope: PartnerScope) -> tuple[Command, ...]:
    prison = _checked(document, "transfer-in", scope)
    return (
        RecordTransferIn(
            person=_identifiers(_prisoner(document), prison),
            from_establishment=_PATHS.required(document, "l:FromEstablishment"),
            to_establishment=prison,
            reason_code=_PATHS.required(document, "l:ReasonCode"),
            occurred_at=_time(document, "l:MovedAt"),
        ),
    )


def translate_release(document: etree._Element, scope: PartnerScope) -> tuple[Command, ...]:
    prison = _checked(document, "release", scope)
    return (
        RecordRelease(
            person=_identifiers(_prisoner(document), prison),
            establishment=prison,
            reason_code=_PATHS.required(document, "l:ReasonCode"),
            occurred_at=_time(document, "l:ReleasedAt"),
            to_agency=_PATHS.text(document, "l:ToAgency"),
        ),
    )


def translate_movement(document: etree._Element, scope: PartnerScope) -> tuple[Command, ...]:
    prison = _checked(document, "movement", scope)
    person = _identifiers(_prisoner(document), prison)
    movement_type = _PATHS.required(document, "l:MovementType")
    reason_code = _PATHS.required(document, "l:ReasonCode")
    at = _time(document, "l:MovedAt")
    agency = _PATHS.text(document, "l:Agency")
    if _PATHS.required(document, "l:Direction") == "OUT":
        return (RecordTemporaryMovementOut(person, prison, movement_type, reason_code, at, agency),)
    return (RecordTemporaryMovementIn(person, prison, movement_type, reason_code, at, agency),)


def translate_incentive_review(
    document: etree._Element, scope: PartnerScope
) -> tuple[Command, ...]:
    prison = _checked(document, "incentive-review", scope)
    return (
        RecordIncentiveReview(
            person=_identifiers(_prisoner(document), prison),
            establishment=prison,
            level=_PATHS.required(document, "l:Level"),
            occurred_at=_time(document, "l:ReviewedAt"),
        ),
    )


def credit_reference(prison: str, message_reference: str) -> str:
    """The canteen's client reference of a LIDS credit: unique across the estate, since a
    LIDS's own references are unique only within its prison."""
    return f"LIDS-{prison}-{message_reference}"


def translate_credit(document: etree._Element, scope: PartnerScope) -> tuple[Command, ...]:
    prison = _checked(document, "credit", scope)
    reference = _PATHS.required(document, "l:MessageHeader/l:MessageReference")
    return (
        RecordCanteenTransaction(
            person=_identifiers(_prisoner(document), prison),
            transaction_type=CREDIT,
            amount_pence=int(_PATHS.required(document, "l:AmountPence")),
            client_reference=credit_reference(prison, reference),
            occurred_at=_time(document, "l:CreditedAt"),
            establishment=prison,
        ),
    )


def translate_alert(document: etree._Element, scope: PartnerScope) -> tuple[Command, ...]:
    prison = _checked(document, "alert", scope)
    return (
        RecordPrisonAlert(
            person=_identifiers(_prisoner(document), prison),
            establishment=prison,
            alert_code=_PATHS.required(document, "l:AlertCode"),
            active=_PATHS.required(document, "l:Status") == "ACTIVE",
            occurred_at=_time(document, "l:EffectiveAt"),
        ),
    )


_TRANSLATORS = {
    "reception": translate_reception,
    "transfer-out": translate_transfer_out,
    "transfer-in": translate_transfer_in,
    "release": translate_release,
    "movement": translate_movement,
    "incentive-review": translate_incentive_review,
    "credit": translate_credit,
    "alert": translate_alert,
}

INBOUND = {
    name: InboundType(name, SCHEMA, translate, reference_at=MESSAGE_REFERENCE)
    for name, translate in _TRANSLATORS.items()
}
"""The message types a LIDS may send, each with the one schema of LIDS messages."""
