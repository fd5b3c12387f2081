"""Rendering ``prisoner.sentence-dates-changed`` as a Delius sentence-key-dates document
(v1): each key date (SED, LED, CRD, HDCED, ...) as the event gives it.

Pure: the event, already cut down by Delius's sharing policy, in; UTF-8 XML out. An event
without a NOMS number or without dates cannot be rendered: ``InvalidMessage``.
"""

from __future__ import annotations

from datetime import date

from adapters.render_kit import OutboundXml, document_bytes
from adapters.render_kit import identifiers as identifiers_of
from core_records.events import CanonicalEvent
from core_records.identifiers import CRN, NOMS
from schemas.xsd_values import xsd_date_time

NAMESPACE = "urn:gatehouse:delius:sentence-dates:v1"
SCHEMA = "delius/sentence-dates-v1.xsd"


_SENTENCE_DATES = OutboundXml(NAMESPACE, "Delius sentence key dates", "delius-sentence-dates")
_cannot_render = _SENTENCE_DATES.cannot_render
_add = _SENTENCE_DATES.add


def render_sentence_dates(event: CanonicalEvent) -> bytes:
    identifiers = identifiers_of(event)
    if NOMS not in identifiers:
        raise _cannot_render(event, "the person has no NOMS number")
    dates = event.additional_information.get("sentenceDates")
    if not isinstance(dates, dict) or not dates:
        raise _cannot_render(event, "additionalInformation has no sentenceDates")
    try:
        parsed = {str(code): date.fromisoformat(str(value)) for code, value in dates.items()}
    except ValueError as error:
        raise _cannot_render(event, f"a sentence date is not a date: {error}") from None
    root = _SENTENCE_DATES.root("SentenceKeyDates")
    _add(root, "EventId", event.event_id)
    _add(root, "OccurredAt", xsd_date_time(event.occurred_at))
    _add(root, "NomsNumber", identifiers[NOMS])
    if CRN in identifiers:
        _add(root, "Crn", identifiers[CRN])
    key_dates = _add(root, "KeyDates")
    for code in sorted(parsed):
        _add(key_dates, "KeyDate", parsed[code].isoformat()).set("code", code)
    return document_bytes(root)
