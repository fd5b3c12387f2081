"""Rendering ``prisoner.updated`` as a Delius person update (v1): the names a person is now
also known by, and a corrected date of birth.

Pure: the event, already cut down by Delius's sharing policy, in; UTF-8 XML out. Nothing
for a person without a CRN: Delius holds no case for them.
"""

from __future__ import annotations

from typing import Any

from adapters.render_kit import OutboundXml, document_bytes, identifier
from core_records.events import CanonicalEvent
from core_records.identifiers import CRN, NOMS
from schemas.xsd_values import xsd_date_time

NAMESPACE = "urn:gatehouse:delius:person-update:v1"
SCHEMA = "delius/person-update-v1.xsd"

_PERSON_UPDATE = OutboundXml(NAMESPACE, "a Delius person update", "delius-person-update")
_add = _PERSON_UPDATE.add


def render_person_update(event: CanonicalEvent) -> bytes | None:
    crn, prison_number = identifier(event, CRN), identifier(event, NOMS)
    if crn is None:
        return None
    if prison_number is None:
        raise _PERSON_UPDATE.cannot_render(event, "the person has no NOMS number")
    root = _PERSON_UPDATE.root("PersonUpdated")
    _add(root, "EventId", event.event_id)
    _add(root, "OccurredAt", xsd_date_time(event.occurred_at))
    _add(root, "Crn", crn)
    _add(root, "NomsNumber", prison_number)
    names: Any = event.additional_information.get("names") or []
    for name in names:
        alias = _add(root, "Alias")
        _add(alias, "Surname", str(name["surname"]))
        _add(alias, "Forenames", str(name["forenames"]))
    born = event.additional_information.get("dateOfBirth")
    if isinstance(born, str):
        _add(root, "DateOfBirth", born)
    return document_bytes(root)
