"""Rendering ``prisoner.sentence-dates-changed`` as a Delius sentence-key-dates document
(v1): each key date (SED, LED, CRD, HDCED, ...) as the event gives it.

Pure: the event, already cut down by Delius's sharing policy, in; UTF-8 XML out. An event
without a NOMS number or without dates cannot be rendered: ``InvalidMessage``.
"""

from __future__ import annotations

from datetime import date

from lxml import etree

from core_records.errors import InvalidMessage
from core_records.events import CanonicalEvent
from core_records.identifiers import CRN, NOMS
from schemas.xsd_values import xsd_date_time

NAMESPACE = "urn:gatehouse:delius:sentence-dates:v1"
SCHEMA = "delius/sentence-dates-v1.xsd"
SENTENCE_DATES_CHANGED = "prisoner.sentence-dates-changed"


def _cannot_render(event: CanonicalEvent, why: str) -> InvalidMessage:
    return InvalidMessage(
        f"cannot render Delius sentence key dates for event {event.event_id}: {why}",
        rule="delius-sentence-dates",
    )


def _add(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NAMESPACE}}}{name}")
    element.text = text
    return element


def render_sentence_dates(event: CanonicalEvent) -> bytes:
    identifiers = {i.type: i.value for i in event.person_identifiers}
    if NOMS not in identifiers:
        raise _cannot_render(event, "the person has no NOMS number")
    dates = event.additional_information.get("sentenceDates")
    if not isinstance(dates, dict) or not dates:
        raise _cannot_render(event, "additionalInformation has no sentenceDates")
    try:
        parsed = {str(code): date.fromisoformat(str(value)) for code, value in dates.items()}
    except ValueError as error:
        raise _cannot_render(event, f"a sentence date is not a date: {error}") from None
    root = etree.Element(f"{{{NAMESPACE}}}SentenceKeyDates", nsmap={None: NAMESPACE})
    _add(root, "EventId", event.event_id)
    _add(root, "OccurredAt", xsd_date_time(event.occurred_at))
    _add(root, "NomsNumber", identifiers[NOMS])
    if CRN in identifiers:
        _add(root, "Crn", identifiers[CRN])
    key_dates = _add(root, "KeyDates")
    for code in sorted(parsed):
        _add(key_dates, "KeyDate", parsed[code].isoformat()).set("code", code)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
