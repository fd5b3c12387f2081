"""Canonical identity events to security application documents (``schemas/security/
identity-v1.xsd``): pure renderers.

    prisoner.merged / prisoner.unmerged    PrisonMerge (MERGED / UNMERGED): the number to
                                           use from now on, the one retired or given back
    prisoner.updated                       PersonUpdated: new names (aliases), a corrected
                                           date of birth
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree

from adapters.render_kit import OutboundXml, document_bytes, identifiers, prison_merge
from adapters.security.documents import NAMESPACE
from core_records.events import PRISONER_MERGED, PRISONER_UNMERGED, PRISONER_UPDATED, CanonicalEvent
from core_records.identifiers import CRO, NOMS, PNC
from schemas.xsd_values import xsd_date_time

SCHEMA = "security/identity-v1.xsd"
INFORMATION_KEYS = frozenset({"removedNomsNumber", "restoredNomsNumber", "names", "dateOfBirth"})
"""The keys of ``additionalInformation`` the documents are made from."""

_IDENTITY = OutboundXml(NAMESPACE, "a security identity document", "security-identity")
_add = _IDENTITY.add


def _start(event: CanonicalEvent, root_name: str) -> etree._Element:
    held = identifiers(event)
    if NOMS not in held:
        raise _IDENTITY.cannot_render(event, "the person has no NOMS number")
    root = _IDENTITY.root(root_name)
    _add(root, "EventId", event.event_id)
    _add(root, "OccurredAt", xsd_date_time(event.occurred_at))
    person = _add(root, "Person")
    for name, identifier_type in (("PrisonNumber", NOMS), ("PncId", PNC), ("CroNumber", CRO)):
        if identifier_type in held:
            _add(person, name, held[identifier_type])
    return root


def render_prison_merge(event: CanonicalEvent) -> bytes:
    merge = prison_merge(_IDENTITY, event)
    root = _start(event, "PrisonMerge")
    _add(root, "Change", merge.change)
    _add(root, f"{merge.other_element_prefix}PrisonNumber", merge.other_number)
    return document_bytes(root)


def render_person_update(event: CanonicalEvent) -> bytes:
    root = _start(event, "PersonUpdated")
    names: Any = event.additional_information.get("names") or []
    for name in names:
        alias = _add(root, "Alias")
        _add(alias, "Surname", str(name["surname"]))
        _add(alias, "Forenames", str(name["forenames"]))
    born = event.additional_information.get("dateOfBirth")
    if isinstance(born, str):
        _add(root, "DateOfBirth", born)
    return document_bytes(root)


RENDERERS: dict[str, Callable[[CanonicalEvent], bytes]] = {
    PRISONER_MERGED: render_prison_merge,
    PRISONER_UNMERGED: render_prison_merge,
    PRISONER_UPDATED: render_person_update,
}
