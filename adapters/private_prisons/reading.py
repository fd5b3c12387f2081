"""Reading a parsed private-prison document (format v1) into an ``OperatorMessage``.

The document has normally been validated against its schema already; reading still checks
what it relies on, so that a document that skipped validation fails with an
``InvalidMessage`` naming the element, never with an ``AttributeError``.
"""

from __future__ import annotations

from datetime import date, datetime

from lxml import etree

from adapters.base import PartnerScope
from adapters.private_prisons.messages import (
    NAMESPACE,
    ROOT_ELEMENTS,
    Alias,
    MessageHeader,
    Movement,
    OperatorMessage,
    OperatorPerson,
)
from core_records.errors import InvalidMessage, NotPermitted
from schemas.xml import element_path


def _fault(element: etree._Element, why: str, rule: str) -> InvalidMessage:
    path = element_path(element)
    return InvalidMessage(f"{path} {why}", element=path, line=element.sourceline, rule=rule)


def _child(parent: etree._Element, name: str) -> etree._Element | None:
    return parent.find(f"{{{NAMESPACE}}}{name}")


def _required(parent: etree._Element, name: str) -> etree._Element:
    child = _child(parent, name)
    if child is None:
        path = element_path(parent)
        raise InvalidMessage(
            f"{path} has no {name}",
            element=f"{path}/{name}",
            line=parent.sourceline,
            rule="required",
        )
    return child


def _text(element: etree._Element) -> str:
    text = " ".join((element.text or "").split())
    if not text:
        raise _fault(element, "is empty", "required")
    return text


def _required_text(parent: etree._Element, name: str) -> str:
    return _text(_required(parent, name))


def _optional_text(parent: etree._Element, name: str) -> str | None:
    child = _child(parent, name)
    return None if child is None else _text(child)


def _time(parent: etree._Element, name: str) -> datetime:
    element = _required(parent, name)
    text = _text(element)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.utcoffset() is None:
        raise _fault(element, f"{text!r} is not a date-time with an offset from UTC", "time-offset")
    return value


def _date(parent: etree._Element, name: str) -> date:
    element = _required(parent, name)
    text = _text(element)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _fault(element, f"{text!r} is not a date (YYYY-MM-DD)", "date") from None


def read_header(root: etree._Element) -> MessageHeader:
    """The document's MessageHeader."""
    header = _required(root, "MessageHeader")
    return MessageHeader(
        operator=_required_text(header, "Operator"),
        establishment=_required_text(header, "EstablishmentCode"),
        sent_at=_time(header, "SentAt"),
        reference=_required_text(header, "MessageReference"),
    )


def read_own_header(
    document: etree._Element, root_element: str, what: str, scope: PartnerScope
) -> MessageHeader:
    """The header of a ``root_element`` document (``what``: "a visit"), which the operator
    that sent it must name, for a prison it runs."""
    if document.tag != f"{{{NAMESPACE}}}{root_element}":
        raise InvalidMessage(
            f"{what} message must be a {root_element} element", rule="root-element"
        )
    header = read_header(document)
    if header.operator != scope.partner:
        raise NotPermitted(
            f"the message header names the operator {header.operator!r}, but"
            f" {scope.partner!r} sent it"
        )
    if header.establishment not in scope.establishments:
        raise NotPermitted(f"{scope.partner} does not run the prison {header.establishment}")
    return header


def read_person(root: etree._Element) -> OperatorPerson:
    """The document's Person, identifiers exactly as written."""
    person = _required(root, "Person")
    aliases = _child(person, "Aliases")
    return OperatorPerson(
        prison_number=_optional_text(person, "PrisonNumber"),
        local_id=_required_text(person, "LocalId"),
        pnc_id=_optional_text(person, "PncId"),
        cro_number=_optional_text(person, "CroNumber"),
        surname=_required_text(person, "Surname"),
        forenames=_required_text(person, "Forenames"),
        date_of_birth=_date(person, "DateOfBirth"),
        sex=_required_text(person, "Sex"),
        aliases=tuple(
            Alias(_required_text(alias, "Surname"), _required_text(alias, "Forenames"))
            for alias in (() if aliases is None else aliases.iterfind(f"{{{NAMESPACE}}}Alias"))
        ),
    )


def read_movement(root: etree._Element) -> Movement:
    """The document's Movement."""
    movement = _required(root, "Movement")
    return Movement(
        occurred_at=_time(movement, "OccurredAt"),
        reason_code=_required_text(movement, "ReasonCode"),
        from_agency=_optional_text(movement, "FromAgency"),
        to_agency=_optional_text(movement, "ToAgency"),
    )


def read_message(document: etree._Element, message_type: str) -> OperatorMessage:
    """The message in ``document``, which must be a ``message_type`` document."""
    expected = etree.QName(NAMESPACE, ROOT_ELEMENTS[message_type])
    if document.tag != expected.text:
        raise _fault(
            document,
            f"is {document.tag}, but a {message_type} message must be a {expected.localname}"
            f" element in the {NAMESPACE} namespace",
            "root-element",
        )
    return OperatorMessage(
        message_type=message_type,
        header=read_header(document),
        person=read_person(document),
        movement=read_movement(document),
    )
