"""Rendering custody, sentence and imprisonment-status events as OASys offender updates (v1).

Pure: the event, already cut down by OASys's sharing policy, in; UTF-8 XML out.

    prisoner.received                     RECEPTION, or TRANSFER when the reason is TRANSFERRED
    prisoner.released                     DISCHARGE; nothing for the leaving half of a transfer
    prisoner.sentence-dates-changed       SENTENCE, with each key date (SED, CRD, LED, ...)
    prisoner.imprisonment-status-changed  IMPRISONMENT_STATUS, with the new legal status

An event without a NOMS number, or without the detail its update needs, cannot be
rendered: ``InvalidMessage``.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from core_records.errors import InvalidMessage
from core_records.events import PRISONER_RECEIVED, PRISONER_RELEASED, CanonicalEvent
from core_records.identifiers import CRN, NOMS
from schemas.xsd_values import xsd_date_time

NAMESPACE = "urn:gatehouse:oasys:offender-update:v1"
SCHEMA = "oasys/offender-update-v1.xsd"
SENTENCE_DATES_CHANGED = "prisoner.sentence-dates-changed"
IMPRISONMENT_STATUS_CHANGED = "prisoner.imprisonment-status-changed"
EVENT_TYPES = (PRISONER_RECEIVED, PRISONER_RELEASED, SENTENCE_DATES_CHANGED,
               IMPRISONMENT_STATUS_CHANGED)  # fmt: skip


def _cannot_render(event: CanonicalEvent, why: str) -> InvalidMessage:
    return InvalidMessage(
        f"cannot render an OASys offender update for event {event.event_id}: {why}",
        rule="oasys-offender-update",
    )


def _add(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NAMESPACE}}}{name}")
    element.text = text
    return element


def _string(event: CanonicalEvent, key: str) -> str:
    value = event.additional_information.get(key)
    if not isinstance(value, str) or not value:
        raise _cannot_render(event, f"additionalInformation has no {key}")
    return value


def _update(event: CanonicalEvent, information: dict[str, Any]) -> str | None:
    if event.event_type == PRISONER_RECEIVED:
        return "TRANSFER" if _string(event, "reason") == "TRANSFERRED" else "RECEPTION"
    if event.event_type == PRISONER_RELEASED:
        return None if _string(event, "reason") == "TRANSFERRED" else "DISCHARGE"
    if event.event_type == SENTENCE_DATES_CHANGED:
        return "SENTENCE"
    if event.event_type == IMPRISONMENT_STATUS_CHANGED:
        return "IMPRISONMENT_STATUS"
    raise _cannot_render(event, f"OASys takes no {event.event_type} events")


def render_offender_update(event: CanonicalEvent) -> bytes | None:
    """The offender update for ``event``, or None for the leaving half of a transfer."""
    identifiers = {i.type: i.value for i in event.person_identifiers}
    if NOMS not in identifiers:
        raise _cannot_render(event, "the person has no NOMS number")
    information = dict(event.additional_information)
    update = _update(event, information)
    if update is None:
        return None
    root = etree.Element(f"{{{NAMESPACE}}}OffenderUpdate", nsmap={None: NAMESPACE})
    _add(root, "EventId", event.event_id)
    _add(root, "EventType", event.event_type)
    _add(root, "OccurredAt", xsd_date_time(event.occurred_at))
    _add(root, "NomsNumber", identifiers[NOMS])
    if CRN in identifiers:
        _add(root, "Crn", identifiers[CRN])
    _add(root, "Update", update)
    if update in ("RECEPTION", "TRANSFER", "DISCHARGE"):
        _add(root, "EstablishmentCode", _string(event, "prisonId"))
        _add(root, "MovementReasonCode", _string(event, "movementReasonCode"))
    elif update == "IMPRISONMENT_STATUS":
        _add(root, "ImprisonmentStatus", _string(event, "imprisonmentStatus"))
    else:
        dates = information.get("sentenceDates")
        if not isinstance(dates, dict) or not dates:
            raise _cannot_render(event, "additionalInformation has no sentenceDates")
        parent = _add(root, "SentenceDates")
        for code in sorted(dates):
            _add(parent, "KeyDate", str(dates[code])).set("code", code)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
