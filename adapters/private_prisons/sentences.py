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
from adapters.private_prisons.movements import identifiers
from adapters.private_prisons.reading import read_own_header, read_person
from core_records.errors import InvalidMessage
from core_records.partner_records.commands import RecordSentence

SCHEMA = "private_prisons/sentence-v1.xsd"
_NS = {"p": NAMESPACE}


def translate_sentence(document: etree._Element, scope: PartnerScope) -> tuple[RecordSentence]:
    header = read_own_header(document, "Sentence", "a sentence", scope)
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
