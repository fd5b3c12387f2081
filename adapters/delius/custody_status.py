"""Rendering a received or released event as a Delius custody-status document (v1).

Pure: the event, already cut down by Delius's sharing policy, in; UTF-8 XML out. The
document carries only what the event carries: the prison's code (``prisonId``), the canonical
``reason``, the movement reason code (``movementReasonCode``), and the person's NOMS number
with any CRN, PNC id and CRO number. An event without those it needs cannot be rendered:
``InvalidMessage``.

A court or temporary-absence movement out and back (reasons SENT_TO_COURT, RETURN_FROM_COURT,
TEMPORARY_ABSENCE_RELEASE, TEMPORARY_ABSENCE_RETURN) renders to nothing: the person stays in
custody, and a release at court comes as a release of its own.

A release on transfer renders to nothing: Delius learns of the transfer from the
``prisoner.received`` (reason TRANSFERRED) at the new prison, and must not record a release.
"""

from __future__ import annotations

from adapters.delius.actions import CUSTODY_EVENTS, downstream_action, is_release_on_transfer
from adapters.render_kit import OutboundXml, document_bytes, identifier
from core_records.events import TEMPORARY_MOVEMENT_REASONS, CanonicalEvent
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


_CUSTODY_STATUS = OutboundXml(NAMESPACE, "a Delius custody status", "delius-custody-status")
_cannot_render = _CUSTODY_STATUS.cannot_render
_information = _CUSTODY_STATUS.information
_add = _CUSTODY_STATUS.add


def render_custody_status(event: CanonicalEvent) -> bytes | None:
    """The custody-status document for a ``prisoner.received`` or ``prisoner.released`` event,
    or None for a release on transfer."""
    custody_event = CUSTODY_EVENTS.get(event.event_type)
    if custody_event is None:
        raise _cannot_render(event, f"Delius takes no {event.event_type} events")
    if event.occurred_at.utcoffset() is None:
        raise _cannot_render(event, "occurredAt has no offset from UTC")
    if identifier(event, NOMS) is None:
        raise _cannot_render(event, "the person has no NOMS number")
    prison = _information(event, PRISON_ID)
    reason = _information(event, REASON)
    movement_reason_code = _information(event, MOVEMENT_REASON_CODE)
    if is_release_on_transfer(event.event_type, reason):
        return None
    if reason in TEMPORARY_MOVEMENT_REASONS:
        return None  # at court or on temporary absence: still in custody, nothing changes

    root = _CUSTODY_STATUS.root("CustodyStatus")
    _add(root, "EventId", event.event_id)
    _add(root, "EventType", event.event_type)
    _add(root, "OccurredAt", xsd_date_time(event.occurred_at))
    offender = _add(root, "Offender")
    for name, identifier_type in _OFFENDER_IDENTIFIERS:
        value = identifier(event, identifier_type)
        if value is not None:
            _add(offender, name, value)
    _add(root, "CustodyEvent", custody_event)
    _add(root, "EstablishmentCode", prison)
    _add(root, "MovementReasonCode", movement_reason_code)
    _add(root, "Reason", reason)
    _add(root, "Action", downstream_action(event.event_type, reason, movement_reason_code))
    return document_bytes(root)
