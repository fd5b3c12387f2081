"""Rendering ``prisoner.merged`` and ``prisoner.unmerged`` as an OASys prison-merge document
(v1): the prison number to keep assessments under from now on, and the one a merge retired
(or an unmerge gave back to someone else).

Pure: the event, already cut down by OASys's sharing policy, in; UTF-8 XML out.
"""

from __future__ import annotations

from adapters.render_kit import OutboundXml, document_bytes, identifier, prison_merge
from core_records.events import CanonicalEvent
from core_records.identifiers import CRN
from schemas.xsd_values import xsd_date_time

NAMESPACE = "urn:gatehouse:oasys:prison-merge:v1"
SCHEMA = "oasys/prison-merge-v1.xsd"

_PRISON_MERGE = OutboundXml(NAMESPACE, "an OASys prison merge", "oasys-prison-merge")
_add = _PRISON_MERGE.add


def render_prison_merge(event: CanonicalEvent) -> bytes:
    merge = prison_merge(_PRISON_MERGE, event)
    root = _PRISON_MERGE.root("PrisonMerge")
    _add(root, "EventId", event.event_id)
    _add(root, "OccurredAt", xsd_date_time(event.occurred_at))
    crn = identifier(event, CRN)
    if crn is not None:
        _add(root, "Crn", crn)
    _add(root, "Change", merge.change)
    _add(root, "NomsNumber", merge.prison_number)
    _add(root, f"{merge.other_element_prefix}NomsNumber", merge.other_number)
    return document_bytes(root)
