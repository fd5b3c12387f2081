"""Reading the inbound documents of a partner format in one XML namespace, whose message
types each have their own root element (PNC's and the security application's formats).

Each check raises ``InvalidMessage`` naming the element and the rule, as the other readers
do, so a partner can fix its document from the error alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from core_records.errors import InvalidMessage
from schemas.xml import element_path


@dataclass(frozen=True)
class NamespacedDocuments:
    namespace: str
    root_elements: Mapping[str, str]
    """Message type to its root element's local name."""
    format_name: str
    """How errors name the format: "a PNC merge message is ..."."""

    def root(self, document: etree._Element, message_type: str) -> etree._Element:
        """The document's root, checked to be the one ``message_type`` has."""
        wanted = self.root_elements[message_type]
        if document.tag != f"{{{self.namespace}}}{wanted}":
            raise InvalidMessage(
                f"a {self.format_name} {message_type} message is a {wanted} in"
                f" {self.namespace}, not {document.tag}",
                element=element_path(document),
                rule="root-element",
            )
        return document

    def children(self, parent: etree._Element, name: str) -> list[etree._Element]:
        return parent.findall(f"{{{self.namespace}}}{name}")

    def optional_text(self, parent: etree._Element, name: str) -> str | None:
        """The child's text with its white space collapsed; None when absent or empty."""
        child = parent.find(f"{{{self.namespace}}}{name}")
        if child is None:
            return None
        return " ".join((child.text or "").split()) or None

    def text(self, parent: etree._Element, name: str) -> str:
        value = self.optional_text(parent, name)
        if value is None:
            path = f"{element_path(parent)}/{name}"
            raise InvalidMessage(f"{path} is missing or empty", element=path, rule="required")
        return value

    def date_time(self, parent: etree._Element, name: str) -> datetime:
        """An ISO 8601 date and time, which must carry its offset from UTC."""
        value = datetime.fromisoformat(self.text(parent, name).replace("Z", "+00:00"))
        if value.utcoffset() is None:
            path = f"{element_path(parent)}/{name}"
            raise InvalidMessage(f"{path} has no offset from UTC", element=path, rule="offset")
        return value
