"""The security application's message format (Gatehouse's own, v1).

Inbound message types (the AMQP ``type`` the application sets) and their root elements:

    alert   SecurityAlert      a security (X type) alert raised or closed
    flag    IntelligenceFlag   an intelligence flag, with its grading

Outbound (``schemas/security/outbound-v1.xsd``): ``Movement``, ``Alert``, ``NonAssociation``.
"""

from __future__ import annotations

from datetime import datetime

from lxml import etree

from core_records.errors import InvalidMessage
from schemas.xml import element_path

NAMESPACE = "urn:gatehouse:security:v1"
ROOT_ELEMENTS = {"alert": "SecurityAlert", "flag": "IntelligenceFlag"}
SCHEMAS = {message_type: f"security/{message_type}-v1.xsd" for message_type in ROOT_ELEMENTS}
OUTBOUND_SCHEMA = "security/outbound-v1.xsd"


def root(document: etree._Element, message_type: str) -> etree._Element:
    expected = f"{{{NAMESPACE}}}{ROOT_ELEMENTS[message_type]}"
    if document.tag != expected:
        raise InvalidMessage(
            f"a security {message_type} message is a {ROOT_ELEMENTS[message_type]} in"
            f" {NAMESPACE}, not {document.tag}",
            element=element_path(document),
            rule="root-element",
        )
    return document


def text(parent: etree._Element, name: str) -> str:
    child = parent.find(f"{{{NAMESPACE}}}{name}")
    value = " ".join((child.text or "").split()) if child is not None else ""
    if not value:
        path = f"{element_path(parent)}/{name}"
        raise InvalidMessage(f"{path} is missing or empty", element=path, rule="required")
    return value


def date_time(parent: etree._Element, name: str) -> datetime:
    value = datetime.fromisoformat(text(parent, name).replace("Z", "+00:00"))
    if value.utcoffset() is None:
        path = f"{element_path(parent)}/{name}"
        raise InvalidMessage(f"{path} has no offset from UTC", element=path, rule="offset")
    return value
