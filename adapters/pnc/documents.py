"""PNC's message format (Gatehouse's own, v1): namespace, schemas and element helpers.

Inbound message types (the AMQP ``type`` PNC sets) and their root elements:

    identifiers   IdentifiersAssigned   PNC id and CRO number given to a person in custody
    amendment     RecordAmended         a corrected CRO number, names PNC holds
    merge         RecordsMerged         one PNC record merged into another
    reply         LookupReply           the answer to a LookupRequest

Outbound: ``CustodyStatus`` and ``LookupRequest`` (``schemas/pnc/outbound-v1.xsd``).
"""

from __future__ import annotations

from datetime import date, datetime

from lxml import etree

from core_records.errors import InvalidMessage
from schemas.xml import element_path

NAMESPACE = "urn:gatehouse:pnc:v1"

ROOT_ELEMENTS = {
    "identifiers": "IdentifiersAssigned",
    "amendment": "RecordAmended",
    "merge": "RecordsMerged",
    "reply": "LookupReply",
}
SCHEMAS = {message_type: f"pnc/{message_type}-v1.xsd" for message_type in ROOT_ELEMENTS}
OUTBOUND_SCHEMA = "pnc/outbound-v1.xsd"


def root(document: etree._Element, message_type: str) -> etree._Element:
    """The document's root, checked to be the one ``message_type`` has."""
    expected = f"{{{NAMESPACE}}}{ROOT_ELEMENTS[message_type]}"
    if document.tag != expected:
        raise InvalidMessage(
            f"a PNC {message_type} message is a {ROOT_ELEMENTS[message_type]} in {NAMESPACE},"
            f" not {document.tag}",
            element=element_path(document),
            rule="root-element",
        )
    return document


def children(parent: etree._Element, name: str) -> list[etree._Element]:
    return parent.findall(f"{{{NAMESPACE}}}{name}")


def optional_text(parent: etree._Element, name: str) -> str | None:
    child = parent.find(f"{{{NAMESPACE}}}{name}")
    if child is None:
        return None
    text = " ".join((child.text or "").split())
    return text or None


def text(parent: etree._Element, name: str) -> str:
    value = optional_text(parent, name)
    if value is None:
        path = f"{element_path(parent)}/{name}"
        raise InvalidMessage(f"{path} is missing or empty", element=path, rule="required")
    return value


def date_time(parent: etree._Element, name: str) -> datetime:
    value = datetime.fromisoformat(text(parent, name).replace("Z", "+00:00"))
    if value.utcoffset() is None:
        path = f"{element_path(parent)}/{name}"
        raise InvalidMessage(f"{path} has no offset from UTC", element=path, rule="offset")
    return value


def calendar_date(value: str) -> date:
    return date.fromisoformat(value)
