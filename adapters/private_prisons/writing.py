"""Writing an ``OperatorMessage`` as a private-prison document (format v1).

What an operator's system sends; the simulator and the tests use it. Pure: values in,
UTF-8 XML bytes out.
"""

from __future__ import annotations

from datetime import date

from lxml import etree

from adapters.private_prisons.messages import (
    NAMESPACE,
    ROOT_ELEMENTS,
    MessageHeader,
    Movement,
    OperatorMessage,
    OperatorPerson,
)
from schemas.xsd_values import xsd_date_time


def _element(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, f"{{{NAMESPACE}}}{name}")
    child.text = text
    return child


def _optional(parent: etree._Element, name: str, text: str | None) -> None:
    if text is not None:
        _element(parent, name, text)


def _header(root: etree._Element, header: MessageHeader) -> None:
    element = _element(root, "MessageHeader")
    _element(element, "Operator", header.operator)
    _element(element, "EstablishmentCode", header.establishment)
    _element(element, "SentAt", xsd_date_time(header.sent_at))
    _element(element, "MessageReference", header.reference)


def _person(root: etree._Element, person: OperatorPerson) -> None:
    element = _element(root, "Person")
    _optional(element, "PrisonNumber", person.prison_number)
    _element(element, "LocalId", person.local_id)
    _optional(element, "PncId", person.pnc_id)
    _optional(element, "CroNumber", person.cro_number)
    _element(element, "Surname", person.surname)
    _element(element, "Forenames", person.forenames)
    _element(element, "DateOfBirth", person.date_of_birth.isoformat())
    _element(element, "Sex", person.sex)
    if person.aliases:
        aliases = _element(element, "Aliases")
        for alias in person.aliases:
            entry = _element(aliases, "Alias")
            _element(entry, "Surname", alias.surname)
            _element(entry, "Forenames", alias.forenames)


def _movement(root: etree._Element, movement: Movement) -> None:
    element = _element(root, "Movement")
    _element(element, "OccurredAt", xsd_date_time(movement.occurred_at))
    _element(element, "ReasonCode", movement.reason_code)
    _optional(element, "FromAgency", movement.from_agency)
    _optional(element, "ToAgency", movement.to_agency)


def write_message(message: OperatorMessage) -> bytes:
    """The document for ``message``, as UTF-8 XML with a declaration."""
    root = etree.Element(
        f"{{{NAMESPACE}}}{ROOT_ELEMENTS[message.message_type]}", nsmap={None: NAMESPACE}
    )
    _header(root, message.header)
    _person(root, message.person)
    _movement(root, message.movement)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_non_association(
    header: MessageHeader,
    person: OperatorPerson,
    other_person: OperatorPerson,
    reason_code: str,
    effective_on: date,
    ended_on: date | None = None,
) -> bytes:
    """A NonAssociation document: OPEN, or CLOSED when ``ended_on`` is given. Both people
    must have prison numbers."""
    if person.prison_number is None or other_person.prison_number is None:
        raise ValueError("a non-association names both people by prison number")
    root = etree.Element(f"{{{NAMESPACE}}}NonAssociation", nsmap={None: NAMESPACE})
    _header(root, header)
    _element(root, "Status", "OPEN" if ended_on is None else "CLOSED")
    for name, who in (("Person", person), ("OtherPerson", other_person)):
        element = _element(root, name)
        _element(element, "PrisonNumber", who.prison_number)
        _element(element, "LocalId", who.local_id)
    _element(root, "ReasonCode", reason_code)
    _element(root, "EffectiveDate", effective_on.isoformat())
    _optional(root, "EndDate", ended_on.isoformat() if ended_on else None)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
