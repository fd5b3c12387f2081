"""A private-prison NonAssociation document (format v1) to ``RecordNonAssociation`` (status
OPEN) or ``CloseNonAssociation`` (CLOSED): a pure translator.

The operator must be the one the header names and run the prison it sends from
(``NotPermitted`` otherwise). The document must name two people, and its dates must make
sense for its status. Whether both people are held in the operator's prisons, and whether
the pair has a non-association open, is the store's business: the command carries the
operator's prisons for it.
"""

from __future__ import annotations

from datetime import date

from lxml import etree

from adapters.base import PartnerScope
from adapters.private_prisons.messages import NAMESPACE
from adapters.private_prisons.reading import read_own_header
from core_records.errors import InvalidMessage
from core_records.identifiers import LOCAL, NOMS, Identifier, parse_identifier
from core_records.partner_records.commands import CloseNonAssociation, RecordNonAssociation

SCHEMA = "private_prisons/non-association-v1.xsd"
ROOT = "NonAssociation"
_NS = {"p": NAMESPACE}


def _text(parent: etree._Element, path: str) -> str | None:
    found = parent.find(path, _NS)
    text = None if found is None else " ".join((found.text or "").split())
    return text or None


def _required(parent: etree._Element, path: str) -> str:
    text = _text(parent, path)
    if text is None:
        where = f"/{ROOT}/" + path.replace("p:", "")
        raise InvalidMessage(f"{where} is missing", element=where, rule="required")
    return text


def _date(document: etree._Element, name: str) -> date | None:
    text = _text(document, f"p:{name}")
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        where = f"/{ROOT}/{name}"
        raise InvalidMessage(
            f"{where} {text!r} is not a date (YYYY-MM-DD)", element=where, rule="date"
        ) from None


def _person(document: etree._Element, element: str, operator: str) -> tuple[Identifier, ...]:
    """The prison number first, then the operator's own id when given."""
    prison_number = parse_identifier(NOMS, _required(document, f"p:{element}/p:PrisonNumber"))
    local_id = _text(document, f"p:{element}/p:LocalId")
    if local_id is None:
        return (prison_number,)
    return prison_number, parse_identifier(LOCAL, f"{operator}:{local_id}")


def _dates(status: str, effective_on: date, ended_on: date | None) -> None:
    if status == "CLOSED" and ended_on is None:
        raise InvalidMessage(
            "a CLOSED non-association must say when it ended",
            element=f"/{ROOT}/EndDate",
            rule="end-date-required",
        )
    if status == "OPEN" and ended_on is not None:
        raise InvalidMessage(
            "an OPEN non-association has not ended: only a CLOSED one has an EndDate",
            element=f"/{ROOT}/EndDate",
            rule="end-date-on-open",
        )
    if ended_on is not None and ended_on < effective_on:
        raise InvalidMessage(
            f"the non-association ends on {ended_on.isoformat()}, before it took effect on"
            f" {effective_on.isoformat()}",
            element=f"/{ROOT}/EndDate",
            rule="non-association-dates",
        )


def translate_non_association(
    document: etree._Element, scope: PartnerScope
) -> tuple[RecordNonAssociation] | tuple[CloseNonAssociation]:
    header = read_own_header(document, ROOT, "a non-association", scope)
    person = _person(document, "Person", scope.partner)
    other_person = _person(document, "OtherPerson", scope.partner)
    if person[0] == other_person[0]:
        raise InvalidMessage(
            f"{person[0].value} cannot be kept apart from themselves: the OtherPerson must"
            " be someone else",
            element=f"/{ROOT}/OtherPerson/PrisonNumber",
            rule="same-person",
        )
    status = _required(document, "p:Status")
    effective_on = _date(document, "EffectiveDate")
    if effective_on is None:
        raise InvalidMessage(
            f"/{ROOT}/EffectiveDate is missing", element=f"/{ROOT}/EffectiveDate", rule="required"
        )
    ended_on = _date(document, "EndDate")
    _dates(status, effective_on, ended_on)
    comment = (document.findtext("p:Comment", namespaces=_NS) or "").strip() or None
    opened = RecordNonAssociation(
        person=person,
        other_person=other_person,
        reason_code=_required(document, "p:ReasonCode"),
        effective_on=effective_on,
        occurred_at=header.sent_at,
        operator=scope.partner,
        prisons=frozenset(scope.establishments),
        comment=comment,
    )
    if ended_on is None:
        return (opened,)
    return (
        CloseNonAssociation(
            person=opened.person,
            other_person=opened.other_person,
            reason_code=opened.reason_code,
            effective_on=opened.effective_on,
            ended_on=ended_on,
            occurred_at=opened.occurred_at,
            operator=opened.operator,
            prisons=opened.prisons,
            comment=opened.comment,
        ),
    )
