"""Rendering a received or released event as an operator's custody notice (format v1).

Pure: the event, already cut down by the operators' sharing policy, in; UTF-8 XML out. Which
operator receives it is decided centrally (``Adapter.recipients``, row scope ``own_prisons``),
never here. An event without a NOMS number, ``prisonId``, ``reason`` or
``movementReasonCode`` cannot be rendered: ``InvalidMessage``.
"""

from __future__ import annotations

from adapters.private_prisons.messages import NAMESPACE
from adapters.render_kit import OutboundXml, document_bytes, identifier
from core_records.events import PRISONER_RECEIVED, PRISONER_RELEASED, CanonicalEvent
from core_records.identifiers import NOMS
from schemas.xsd_values import xsd_date_time

SCHEMA = "private_prisons/custody-notice-v1.xsd"

CUSTODY_EVENTS = {PRISONER_RECEIVED: "RECEIVED", PRISONER_RELEASED: "RELEASED"}
_REQUIRED = (("prisonId", "EstablishmentCode"), ("movementReasonCode", "MovementReasonCode"),
             ("reason", "Reason"))  # fmt: skip
_OPTIONAL = (("fromPrisonId", "FromPrison"), ("toPrisonId", "ToPrison"))


_CUSTODY_NOTICE = OutboundXml(NAMESPACE, "a custody notice", "private-prisons-custody-notice")
_cannot_render = _CUSTODY_NOTICE.cannot_render
_add = _CUSTODY_NOTICE.add


def render_custody_notice(event: CanonicalEvent) -> bytes:
    """The custody notice for a ``prisoner.received`` or ``prisoner.released`` event."""
    custody_event = CUSTODY_EVENTS.get(event.event_type)
    if custody_event is None:
        raise _cannot_render(event, f"operators take no {event.event_type} events")
    if event.occurred_at.utcoffset() is None:
        raise _cannot_render(event, "occurredAt has no offset from UTC")
    prison_number = identifier(event, NOMS)
    if prison_number is None:
        raise _cannot_render(event, "the person has no NOMS number")
    information = event.additional_information
    for key, _ in _REQUIRED:
        if not isinstance(information.get(key), str) or not information[key]:
            raise _cannot_render(event, f"additionalInformation has no {key}")

    root = _CUSTODY_NOTICE.root("CustodyNotice")
    _add(root, "EventId", event.event_id)
    _add(root, "OccurredAt", xsd_date_time(event.occurred_at))
    _add(root, "PrisonNumber", prison_number)
    _add(root, "CustodyEvent", custody_event)
    for key, element in _REQUIRED:
        _add(root, element, information[key])
    for key, element in _OPTIONAL:
        if isinstance(information.get(key), str):
            _add(root, element, information[key])
    return document_bytes(root)
