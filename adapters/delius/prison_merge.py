"""Rendering ``prisoner.merged`` and ``prisoner.unmerged`` as a Delius prison-merge document
(v1): the prison number to hold against the case from now on, and the one a merge retired
(or an unmerge gave back to someone else).

Pure: the event, already cut down by Delius's sharing policy, in; UTF-8 XML out. Nothing
for a person without a CRN: Delius holds no case for them, so has no number to retire.
"""

from __future__ import annotations

from adapters.render_kit import OutboundXml, document_bytes, identifier, prison_merge
from core_records.events import CanonicalEvent
from core_records.identifiers import CRN
from schemas.xsd_values import xsd_date_time

NAMESPACE = "urn:gatehouse:delius:prison-merge:v1"
SCHEMA = "delius/prison-merge-v1.xsd"

_PRISON_MERGE = OutboundXml(NAMESPACE, "a Delius prison merge", "delius-prison-merge")
_add = _PRISON_MERGE.add


def render_prison_merge(event: CanonicalEvent) -> bytes | None:
    merge = prison_merge(_PRISON_MERGE, event)
    crn = identifier(event, CRN)
    if crn is None:
        return None
    root = _PRISON_MERGE.root("PrisonMerge")
    _add(root, "EventId", event.event_id)
    _add(root, "OccurredAt", xsd_date_time(event.occurred_at))
    _add(root, "Crn", crn)
    _add(root, "Change", merge.change)
    _add(root, "NomsNumber", merge.prison_number)
    _add(root, f"{merge.other_element_prefix}NomsNumber", merge.other_number)
    return document_bytes(root)
