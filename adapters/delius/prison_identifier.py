"""Rendering ``probation-case.prison-identifier.added`` as a Delius prison-identifier
document (v1): the prison number to record against a case, once Gatehouse has matched it.

Pure: the event, already cut down by Delius's sharing policy, in; UTF-8 XML out. An event
without both the NOMS number and the CRN cannot be rendered: ``InvalidMessage``.
"""

from __future__ import annotations

from adapters.render_kit import OutboundXml, document_bytes
from adapters.render_kit import identifiers as identifiers_of
from core_records.events import CanonicalEvent
from core_records.identifiers import CRN, NOMS
from schemas.xsd_values import xsd_date_time

NAMESPACE = "urn:gatehouse:delius:prison-identifier:v1"
SCHEMA = "delius/prison-identifier-v1.xsd"


_PRISON_IDENTIFIER = OutboundXml(
    NAMESPACE, "a Delius prison identifier", "delius-prison-identifier"
)
_add = _PRISON_IDENTIFIER.add


def render_prison_identifier(event: CanonicalEvent) -> bytes:
    identifiers = identifiers_of(event)
    missing = [kind for kind in (CRN, NOMS) if kind not in identifiers]
    if missing:
        raise _PRISON_IDENTIFIER.cannot_render(event, f"the person has no {' or '.join(missing)}")
    root = _PRISON_IDENTIFIER.root("PrisonIdentifier")
    _add(root, "EventId", event.event_id)
    _add(root, "OccurredAt", xsd_date_time(event.occurred_at))
    _add(root, "Crn", identifiers[CRN])
    _add(root, "NomsNumber", identifiers[NOMS])
    prison = event.additional_information.get("prisonId")
    if isinstance(prison, str):
        _add(root, "EstablishmentCode", prison)
    return document_bytes(root)
