"""A private-prison Sentence document (format v1) to ``RecordSentence``: a pure translator.

The operator must be the one the header names and run the prison; a key date may appear
once. Whether the codes and status are known, and whether the person is in custody there,
is the store's business.
"""

from __future__ import annotations

from datetime import date, datetime

from lxml import etree

from adapters.base import PartnerScope
from adapters.private_prisons.messages import NAMESPACE
from adapters.private_prisons.reading import read_header, read_person
from adapters.private_prisons.translate import identifiers
from core_records.errors import InvalidMessage, NotPermitted
from core_records.partner_commands import RecordSentence

SCHEMA = "private_prisons/sentence-v1.xsd"
_NS = {"p": NAMESPACE}


def translate_sentence(document: etree._Element, scope: PartnerScope) -> tuple[RecordSentence]:
    if document.tag != f"{{{NAMESPACE}}}Sentence":
        raise InvalidMessage("a sentence message must be a Sentence element", rule="root-element")
    header = read_header(document)
    if header.operator != scope.partner:
        raise NotPermitted(
            f"the message header names the operator {header.operator!r}, but"
            f" {scope.partner!r} sent it"
        )
    if header.establishment not in scope.establishments:
        raise NotPermitted(f"{scope.partner} does not run the prison {header.establishment}")
    key_dates = tuple(
        (str(element.get("code")), date.fromisoformat((element.text or "").strip()))
        for element in document.iterfind("p:KeyDates/p:KeyDate", _NS)
    )
    codes = [code for code, _ in key_dates]
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        raise InvalidMessage(
            f"the key date {', '.join(repeated)} is given more than once",
            element="/Sentence/KeyDates",
            rule="key-date-repeated",
        )
    status = document.findtext("p:ImprisonmentStatus", namespaces=_NS)
    return (
        RecordSentence(
            person=identifiers(read_person(document), scope.partner),
            establishment=header.establishment,
            key_dates=key_dates,
            occurred_at=datetime.fromisoformat(
                (document.findtext("p:CalculatedAt", namespaces=_NS) or "").strip()
            ),
            legal_status=status.strip() if status else None,
        ),
    )
