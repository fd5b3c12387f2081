"""Rendering ``prisoner.court-hearing.listed`` as the court's custody notice (format v1): where
a defendant listed for a hearing is held today, so that the court can have them produced.

Pure: the event, already cut down by the courts' sharing policy, in; UTF-8 XML out. Only a
listed hearing raises the event, so a court hears of no one it has not listed.
"""

from __future__ import annotations

from adapters.render_kit import OutboundXml, document_bytes, identifier
from core_records.events import COURT_HEARING_LISTED, CanonicalEvent
from core_records.identifiers import NOMS, PNC
from schemas.xsd_values import xsd_date_time

NAMESPACE = "urn:gatehouse:courts:v1"
SCHEMA = "courts/custody-notice-v1.xsd"

_NOTICE = OutboundXml(NAMESPACE, "a court custody notice", "courts-custody-notice")


def render_custody_notice(event: CanonicalEvent) -> bytes:
    if event.event_type != COURT_HEARING_LISTED:
        raise _NOTICE.cannot_render(event, f"courts take no {event.event_type} events")
    if event.occurred_at.utcoffset() is None:
        raise _NOTICE.cannot_render(event, "occurredAt has no offset from UTC")
    prison_number = identifier(event, NOMS)
    if prison_number is None:
        raise _NOTICE.cannot_render(event, "the person has no NOMS number")
    root = _NOTICE.root("CustodyNotice")
    _NOTICE.add(root, "EventId", event.event_id)
    _NOTICE.add(root, "OccurredAt", xsd_date_time(event.occurred_at))
    for key, element in (("courtId", "CourtCode"), ("hearingDate", "HearingDate"),
                         ("caseReference", "CaseReference")):  # fmt: skip
        _NOTICE.add(root, element, _NOTICE.information(event, key))
    _NOTICE.add(root, "PrisonNumber", prison_number)
    pnc_id = identifier(event, PNC)
    if pnc_id is not None:
        _NOTICE.add(root, "PncId", pnc_id)
    _NOTICE.add(root, "HeldAt", _NOTICE.information(event, "prisonId"))
    _NOTICE.add(root, "CurrentLocation", _NOTICE.information(event, "currentLocation"))
    return document_bytes(root)
