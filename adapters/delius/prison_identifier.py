"""Rendering ``probation-case.prison-identifier.added`` as a Delius prison-identifier
document (v1): the prison number to record against a case, once Gatehouse has matched it.

Pure: the event, already cut down by Delius's sharing policy, in; UTF-8 XML out. An event
without both the NOMS number and the CRN cannot be rendered: ``InvalidMessage``.
"""

from __future__ import annotations

from lxml import etree

from core_records.errors import InvalidMessage
from core_records.events import CanonicalEvent
from core_records.identifiers import CRN, NOMS
from schemas.xsd_values import xsd_date_time

NAMESPACE = "urn:gatehouse:delius:prison-identifier:v1"
SCHEMA = "delius/prison-identifier-v1.xsd"


def _add(parent: etree._Element, name: str, text: str) -> None:
    etree.SubElement(parent, f"{{{NAMESPACE}}}{name}").text = text


def render_prison_identifier(event: CanonicalEvent) -> bytes:
    identifiers = {i.type: i.value for i in event.person_identifiers}
    missing = [kind for kind in (CRN, NOMS) if kind not in identifiers]
    if missing:
        raise InvalidMessage(
            f"cannot render a Delius prison identifier for event {event.event_id}: the person"
            f" has no {' or '.join(missing)}",
            rule="delius-prison-identifier",
        )
    root = etree.Element(f"{{{NAMESPACE}}}PrisonIdentifier", nsmap={None: NAMESPACE})
    _add(root, "EventId", event.event_id)
    _add(root, "OccurredAt", xsd_date_time(event.occurred_at))
    _add(root, "Crn", identifiers[CRN])
    _add(root, "NomsNumber", identifiers[NOMS])
    prison = event.additional_information.get("prisonId")
    if isinstance(prison, str):
        _add(root, "EstablishmentCode", prison)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
