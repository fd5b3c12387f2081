"""A private-prison Visit document (format v1) to ``RecordVisit``: a pure translator.

The operator must be the one the header names, and the visit must be at a prison it runs
(``NotPermitted`` otherwise); whether the person was in custody there is the store's
business.
"""

from __future__ import annotations

from datetime import datetime

from lxml import etree

from adapters.base import PartnerScope
from adapters.private_prisons.messages import NAMESPACE
from adapters.private_prisons.movements import identifiers
from adapters.private_prisons.reading import read_own_header, read_person
from core_records.errors import InvalidMessage
from core_records.partner_records.commands import RecordVisit, Visitor

SCHEMA = "private_prisons/visit-v1.xsd"
_NS = {"p": NAMESPACE}


def _text(element: etree._Element, path: str) -> str:
    found = element.find(path, _NS)
    text = "" if found is None else " ".join((found.text or "").split())
    if not text:
        where = "/Visit/" + path.replace("p:", "")
        raise InvalidMessage(f"{where} is missing", element=where, rule="required")
    return text


def translate_visit(document: etree._Element, scope: PartnerScope) -> tuple[RecordVisit]:
    header = read_own_header(document, "Visit", "a visit", scope)
    detail = "p:VisitDetail/p:"
    starts_at = datetime.fromisoformat(_text(document, f"{detail}StartsAt"))
    ends_at = datetime.fromisoformat(_text(document, f"{detail}EndsAt"))
    if ends_at < starts_at:
        raise InvalidMessage(
            "the visit ends before it starts",
            element="/Visit/VisitDetail/EndsAt",
            rule="visit-times",
        )
    visitors = tuple(
        Visitor(_text(v, "p:Surname"), _text(v, "p:Forenames"), _text(v, "p:Relationship"))
        for v in document.iterfind(f"{detail}Visitors/p:Visitor", _NS)
    )
    return (
        RecordVisit(
            person=identifiers(read_person(document), scope.partner),
            establishment=header.establishment,
            visit_reference=_text(document, f"{detail}VisitReference"),
            visit_type=_text(document, f"{detail}Type"),
            starts_at=starts_at,
            ends_at=ends_at,
            outcome=_text(document, f"{detail}Outcome"),
            visitors=visitors,
        ),
    )
