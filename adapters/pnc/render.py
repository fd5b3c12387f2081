"""Canonical events to PNC documents (format v1): pure renderers.

``prisoner.received`` for a person with a PNC id becomes a ``CustodyStatus`` (RECEIVED, or
TRANSFERRED for the arriving half of a transfer); without a PNC id it becomes a
``LookupRequest``, which asks PNC who the person is (the delivery adds reply_to and
correlation_id). ``prisoner.released`` becomes a ``CustodyStatus`` (RELEASED), with a
``LicenceNotice`` when the release is on licence (CR conditional release, HR / HU home
detention curfew).

Nothing is rendered for a movement to or from court or temporary absence (the person stays
in custody), for the leaving half of a transfer (the arrival says it all), for a
release of someone PNC has no id for (PNC cannot place it), or for a transfer of someone
without a PNC id (a transfer carries no particulars to look them up by).
"""

from __future__ import annotations

from typing import Any

from adapters.pnc.documents import NAMESPACE
from adapters.render_kit import OutboundXml, document_bytes, identifier
from core_records.events import (
    PRISONER_RECEIVED,
    PRISONER_RELEASED,
    TEMPORARY_MOVEMENT_REASONS,
    CanonicalEvent,
)
from core_records.identifiers import CRO, NOMS, PNC
from schemas.xsd_values import xsd_date_time

PRISON_ID = "prisonId"
REASON = "reason"
MOVEMENT_REASON_CODE = "movementReasonCode"
PERSON = "person"
INFORMATION_KEYS = frozenset({PRISON_ID, REASON, MOVEMENT_REASON_CODE, PERSON})
"""The keys of ``additionalInformation`` PNC's documents are made from."""

TRANSFERRED = "TRANSFERRED"
LICENCES = {
    "CR": "CONDITIONAL_RELEASE",
    "HR": "HOME_DETENTION_CURFEW",
    "HU": "HOME_DETENTION_CURFEW",
}
"""REL movement reasons that release a person on licence, and the licence."""


_PNC = OutboundXml(NAMESPACE, "a PNC document", "pnc-render")
_cannot_render = _PNC.cannot_render
_information = _PNC.information
_add = _PNC.add


def render_custody_event(event: CanonicalEvent) -> bytes | None:
    """The PNC document for a received or released event, or None (see the module)."""
    if event.event_type not in (PRISONER_RECEIVED, PRISONER_RELEASED):
        raise _cannot_render(event, f"PNC takes no {event.event_type} events")
    if event.occurred_at.utcoffset() is None:
        raise _cannot_render(event, "occurredAt has no offset from UTC")
    prison_number = identifier(event, NOMS)
    if prison_number is None:
        raise _cannot_render(event, "the person has no NOMS number")
    reason = _information(event, REASON)
    prison = _information(event, PRISON_ID)
    movement_reason = _information(event, MOVEMENT_REASON_CODE)
    pnc_id = identifier(event, PNC)
    received = event.event_type == PRISONER_RECEIVED
    if not received and reason == TRANSFERRED:
        return None
    if reason in TEMPORARY_MOVEMENT_REASONS:
        return None  # at court or on temporary absence: still in custody
    if pnc_id is None:
        if received and reason != TRANSFERRED:
            return _lookup_request(event, prison_number, prison)
        return None

    root = _PNC.root("CustodyStatus")
    _add(root, "EventId", event.event_id)
    _add(root, "OccurredAt", xsd_date_time(event.occurred_at))
    _add(root, "PncId", pnc_id)
    cro_number = identifier(event, CRO)
    if cro_number is not None:
        _add(root, "CroNumber", cro_number)
    _add(root, "PrisonNumber", prison_number)
    status = ("TRANSFERRED" if reason == TRANSFERRED else "RECEIVED") if received else "RELEASED"
    _add(root, "Status", status)
    _add(root, "EstablishmentCode", prison)
    _add(root, "MovementReasonCode", movement_reason)
    licence = None if received else LICENCES.get(movement_reason)
    if licence is not None:
        notice = _add(root, "LicenceNotice")
        _add(notice, "LicenceType", licence)
        _add(notice, "ReleasedOn", event.occurred_at.date().isoformat())
    return document_bytes(root)


def _lookup_request(event: CanonicalEvent, prison_number: str, prison: str) -> bytes | None:
    person: Any = event.additional_information.get(PERSON)
    if not isinstance(person, dict):
        return None  # nothing to look the person up by
    fields = ("surname", "forenames", "dateOfBirth", "sex")
    missing = [f for f in fields if not isinstance(person.get(f), str) or not person[f]]
    if missing:
        raise _cannot_render(event, f"the received person has no {', '.join(missing)}")
    root = _PNC.root("LookupRequest")
    _add(root, "RequestId", event.event_id)
    _add(root, "OccurredAt", xsd_date_time(event.occurred_at))
    _add(root, "PrisonNumber", prison_number)
    cro_number = identifier(event, CRO)
    if cro_number is not None:
        _add(root, "CroNumber", cro_number)
    _add(root, "Surname", person["surname"])
    _add(root, "Forenames", person["forenames"])
    _add(root, "DateOfBirth", person["dateOfBirth"])
    _add(root, "Sex", person["sex"])
    _add(root, "EstablishmentCode", prison)
    return document_bytes(root)
