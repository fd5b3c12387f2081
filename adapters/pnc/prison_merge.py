"""Rendering ``prisoner.merged`` and ``prisoner.unmerged`` as a PNC ``PrisonMerge`` (v1): the
prison number the police record is to show from now on, and the one a merge retired (or an
unmerge gave back to someone else), with the PNC id and CRO number the prison record holds.

Pure: the event, already cut down by PNC's sharing policy, in; UTF-8 XML out.
"""

from __future__ import annotations

from adapters.pnc.documents import NAMESPACE
from adapters.render_kit import OutboundXml, document_bytes, identifier, prison_merge
from core_records.events import CanonicalEvent
from core_records.identifiers import CRO, PNC
from schemas.xsd_values import xsd_date_time

SCHEMA = "pnc/prison-merge-v1.xsd"
INFORMATION_KEYS = frozenset({"removedNomsNumber", "restoredNomsNumber"})
"""The keys of ``additionalInformation`` the document is made from."""

_PRISON_MERGE = OutboundXml(NAMESPACE, "a PNC prison merge", "pnc-prison-merge")
_add = _PRISON_MERGE.add


def render_prison_merge(event: CanonicalEvent) -> bytes:
    merge = prison_merge(_PRISON_MERGE, event)
    root = _PRISON_MERGE.root("PrisonMerge")
    _add(root, "EventId", event.event_id)
    _add(root, "OccurredAt", xsd_date_time(event.occurred_at))
    for name, identifier_type in (("PncId", PNC), ("CroNumber", CRO)):
        value = identifier(event, identifier_type)
        if value is not None:
            _add(root, name, value)
    _add(root, "Change", merge.change)
    _add(root, "PrisonNumber", merge.prison_number)
    _add(root, f"{merge.other_element_prefix}PrisonNumber", merge.other_number)
    return document_bytes(root)
