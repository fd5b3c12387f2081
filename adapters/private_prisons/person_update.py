"""Rendering ``prisoner.updated`` as an operator's person update (format v1): the names a
person held in one of its prisons is now also known by, and a corrected date of birth.

Pure: the event, already cut down by the operators' sharing policy, in; UTF-8 XML out. Which
operator receives it is decided centrally from ``prisonId`` (row scope ``own_prisons``): an
event about someone not in prison names none, and reaches no operator.
"""

from __future__ import annotations

from typing import Any

from adapters.private_prisons.messages import NAMESPACE
from adapters.render_kit import OutboundXml, document_bytes, identifier
from core_records.events import CanonicalEvent
from core_records.identifiers import NOMS
from schemas.xsd_values import xsd_date_time

SCHEMA = "private_prisons/person-update-v1.xsd"

_PERSON_UPDATE = OutboundXml(NAMESPACE, "a person update", "private-prisons-person-update")
_add = _PERSON_UPDATE.add


def render_person_update(event: CanonicalEvent) -> bytes:
    prison_number = identifier(event, NOMS)
    if prison_number is None:
        raise _PERSON_UPDATE.cannot_render(event, "the person has no NOMS number")
    root = _PERSON_UPDATE.root("PersonUpdated")
    _add(root, "EventId", event.event_id)
    _add(root, "OccurredAt", xsd_date_time(event.occurred_at))
    _add(root, "PrisonNumber", prison_number)
    _add(root, "EstablishmentCode", _PERSON_UPDATE.information(event, "prisonId"))
    names: Any = event.additional_information.get("names") or []
    for name in names:
        alias = _add(root, "Alias")
        _add(alias, "Surname", str(name["surname"]))
        _add(alias, "Forenames", str(name["forenames"]))
    born = event.additional_information.get("dateOfBirth")
    if isinstance(born, str):
        _add(root, "DateOfBirth", born)
    return document_bytes(root)
