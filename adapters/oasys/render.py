"""Rendering custody, sentence and imprisonment-status events as OASys offender updates (v1).

Pure: the event, already cut down by OASys's sharing policy, in; UTF-8 XML out.

    prisoner.received                     RECEPTION, or TRANSFER when the reason is TRANSFERRED
    prisoner.released                     DISCHARGE; nothing for the leaving half of a transfer
    (either, to or from court or temporary absence: nothing, the person is still in custody)
    prisoner.sentence-dates-changed       SENTENCE, with each key date (SED, CRD, LED, ...)
    prisoner.imprisonment-status-changed  IMPRISONMENT_STATUS, with the new legal status

An event without a NOMS number, or without the detail its update needs, cannot be
rendered: ``InvalidMessage``.
"""

from __future__ import annotations

from typing import Any

from adapters.render_kit import OutboundXml, document_bytes
from adapters.render_kit import identifiers as identifiers_of
from core_records.events import (
    IMPRISONMENT_STATUS_CHANGED,
    PRISONER_RECEIVED,
    PRISONER_RELEASED,
    SENTENCE_DATES_CHANGED,
    TEMPORARY_MOVEMENT_REASONS,
    CanonicalEvent,
)
from core_records.identifiers import CRN, NOMS
from schemas.xsd_values import xsd_date_time

NAMESPACE = "urn:gatehouse:oasys:offender-update:v1"
SCHEMA = "oasys/offender-update-v1.xsd"
EVENT_TYPES = (PRISONER_RECEIVED, PRISONER_RELEASED, SENTENCE_DATES_CHANGED,
               IMPRISONMENT_STATUS_CHANGED)  # fmt: skip


_OFFENDER_UPDATE = OutboundXml(NAMESPACE, "an OASys offender update", "oasys-offender-update")
_cannot_render = _OFFENDER_UPDATE.cannot_render
_string = _OFFENDER_UPDATE.information
_add = _OFFENDER_UPDATE.add


def _update(event: CanonicalEvent, information: dict[str, Any]) -> str | None:
    if event.event_type in (PRISONER_RECEIVED, PRISONER_RELEASED) and (
        _string(event, "reason") in TEMPORARY_MOVEMENT_REASONS
    ):
        return None  # at court or on temporary absence: still in custody
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
    identifiers = identifiers_of(event)
    if NOMS not in identifiers:
        raise _cannot_render(event, "the person has no NOMS number")
    information = dict(event.additional_information)
    update = _update(event, information)
    if update is None:
        return None
    root = _OFFENDER_UPDATE.root("OffenderUpdate")
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
    return document_bytes(root)
