"""Rendering a received or released event as a Delius custody-status document (v1).

Pure: the event, already cut down by Delius's sharing policy, in; UTF-8 XML out. The
document carries only what the event carries: the prison's code (``prisonId``), the canonical
``reason``, the movement reason code (``movementReasonCode``), and the person's NOMS number
with any CRN, PNC id and CRO number. An event without those it needs cannot be rendered:
``InvalidMessage``.

A release on transfer renders to nothing: Delius learns of the transfer from the
``prisoner.received`` (reason TRANSFERRED) at the new prison, and must not record a release.
"""

from __future__ import annotations

from lxml import etree

from adapters.delius.actions import CUSTODY_EVENTS, downstream_action, is_release_on_transfer
from core_records.errors import InvalidMessage
from core_records.events import CanonicalEvent
from core_records.identifiers import CRN, CRO, NOMS, PNC
from schemas.xsd_values import xsd_date_time

NAMESPACE = "urn:gatehouse:delius:custody-status:v1"
SCHEMA = "delius/custody-status-v1.xsd"

PRISON_ID = "prisonId"
REASON = "reason"
MOVEMENT_REASON_CODE = "movementReasonCode"
INFORMATION_KEYS = frozenset({PRISON_ID, REASON, MOVEMENT_REASON_CODE})
"""The keys of ``additionalInformation`` the document is made from."""

_OFFENDER_IDENTIFIERS = (("NomsNumber", NOMS), ("Crn", CRN), ("PncId", PNC), ("CroNumber", CRO))


def _cannot_render(event: CanonicalEvent, why: str) -> InvalidMessage:
    return InvalidMessage(
        f"cannot render a Delius custody status for event {event.event_id}: {why}",
        rule="delius-custody-status",
    )


def _information(event: CanonicalEvent, key: str) -> str:
    value = event.additional_information.get(key)
    if not isinstance(value, str) or not value:
        raise _cannot_render(event, f"additionalInformation has no {key}")
    return value


def _identifier(event: CanonicalEvent, identifier_type: str) -> str | None:
    return next((i.value for i in event.person_identifiers if i.type == identifier_type), None)


def _add(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NAMESPACE}}}{name}")
    element.text = text
    return element


def render_custody_status(event: CanonicalEvent) -> bytes | None:
    """The custody-status document for a ``prisoner.received`` or ``prisoner.released`` event,
    or None for a release on transfer."""
    custody_event = CUSTODY_EVENTS.get(event.event_type)
    if custody_event is None:
        raise _cannot_render(event, f"Delius takes no {event.event_type} events")
    if event.occurred_at.utcoffset() is None:
        raise _cannot_render(event, "occurredAt has no offset from UTC")
    if _identifier(event, NOMS) is None:
        raise _cannot_render(event, "the person has no NOMS number")
    prison = _information(event, PRISON_ID)
    reason = _information(event, REASON)
    movement_reason_code = _information(event, MOVEMENT_REASON_CODE)
    if is_release_on_transfer(event.event_type, reason):
        return None

    root = etree.Element(f"{{{NAMESPACE}}}CustodyStatus", nsmap={None: NAMESPACE})
    _add(root, "EventId", event.event_id)
    _add(root, "EventType", event.event_type)
    _add(root, "OccurredAt", xsd_date_time(event.occurred_at))
    offender = _add(root, "Offender")
    for name, identifier_type in _OFFENDER_IDENTIFIERS:
        value = _identifier(event, identifier_type)
        if value is not None:
            _add(offender, name, value)
    _add(root, "CustodyEvent", custody_event)
    _add(root, "EstablishmentCode", prison)
    _add(root, "MovementReasonCode", movement_reason_code)
    _add(root, "Reason", reason)
    _add(root, "Action", downstream_action(event.event_type, reason, movement_reason_code))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
