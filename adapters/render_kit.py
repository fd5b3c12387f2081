"""What the adapters' pure renderers (and the path-reading translators) share, so that each
adapter writes only what its partner's documents say.

Rendering an outbound XML document type::

    CUSTODY_STATUS = OutboundXml(NAMESPACE, "a Delius custody status", "delius-custody-status")
    root = CUSTODY_STATUS.root("CustodyStatus")
    CUSTODY_STATUS.add(root, "EstablishmentCode", CUSTODY_STATUS.information(event, "prisonId"))
    raise CUSTODY_STATUS.cannot_render(event, "the person has no NOMS number")
    return document_bytes(root)

An event the policy has cut down too far, or that lacks what the document needs, cannot be
rendered: ``InvalidMessage`` naming the event and what is missing, so that the delivery
dead-letters it with that reason.

Reading an inbound XML document by ElementPath (``ElementPaths``), for formats that name
their elements by path under one namespace prefix (Delius's probation messages, OASys's
assessment summary); formats with one root element per message type read with
``schemas.namespaced_documents.NamespacedDocuments`` instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from core_records.errors import InvalidMessage
from core_records.events import PRISONER_MERGED, PRISONER_UNMERGED, CanonicalEvent
from core_records.identifiers import NOMS


@dataclass(frozen=True)
class OutboundXml:
    """One outbound XML document type of a partner: its namespace, and how a refusal names
    it ("cannot render {description} for event ...", with ``rule``)."""

    namespace: str
    description: str
    rule: str

    def root(self, name: str) -> etree._Element:
        """The document's root element, its namespace the default one."""
        return etree.Element(f"{{{self.namespace}}}{name}", nsmap={None: self.namespace})

    def add(self, parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
        """A child element in the document's namespace, with ``text``."""
        element = etree.SubElement(parent, f"{{{self.namespace}}}{name}")
        element.text = text
        return element

    def cannot_render(self, event: CanonicalEvent, why: str) -> InvalidMessage:
        return InvalidMessage(
            f"cannot render {self.description} for event {event.event_id}: {why}",
            rule=self.rule,
        )

    def information(self, event: CanonicalEvent, key: str) -> str:
        """The non-empty string ``additionalInformation[key]``, or ``cannot_render``."""
        value = event.additional_information.get(key)
        if not isinstance(value, str) or not value:
            raise self.cannot_render(event, f"additionalInformation has no {key}")
        return value


def identifier(event: CanonicalEvent, identifier_type: str) -> str | None:
    """The value of the person's identifier of ``identifier_type``, if the event carries it."""
    return next((i.value for i in event.person_identifiers if i.type == identifier_type), None)


def identifiers(event: CanonicalEvent) -> dict[str, str]:
    """The person's identifiers the event carries, by type."""
    return {i.type: i.value for i in event.person_identifiers}


MERGE_CHANGES = {
    PRISONER_MERGED: ("MERGED", "removedNomsNumber", "Retired"),
    PRISONER_UNMERGED: ("UNMERGED", "restoredNomsNumber", "Restored"),
}
"""Per merge event: the change a partner's merge document names, the key of the other prison
number in ``additionalInformation``, and how its element is prefixed (``RetiredNomsNumber``)."""


@dataclass(frozen=True)
class PrisonMerge:
    """What every partner's merge document says: merged or unmerged, the prison number to
    use from now on, and the other one (retired by a merge, given back by an unmerge)."""

    change: str
    prison_number: str
    other_number: str
    other_element_prefix: str


def prison_merge(document: OutboundXml, event: CanonicalEvent) -> PrisonMerge:
    """The merge ``event`` announces, or ``document.cannot_render``."""
    if event.event_type not in MERGE_CHANGES:
        raise document.cannot_render(event, f"{event.event_type} is not a merge or unmerge")
    change, other_key, prefix = MERGE_CHANGES[event.event_type]
    prison_number = identifier(event, NOMS)
    if prison_number is None:
        raise document.cannot_render(event, "the person has no NOMS number")
    return PrisonMerge(change, prison_number, document.information(event, other_key), prefix)


def document_bytes(root: etree._Element) -> bytes:
    """The rendered document: UTF-8 XML with its declaration, indented."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@dataclass(frozen=True)
class ElementPaths:
    """Reads an inbound document's elements by ElementPath, ``prefix:`` standing for
    ``namespace``; a missing element is named from ``root`` as the partner wrote it."""

    namespace: str
    prefix: str
    root: str = ""
    """The path errors put before the element's, e.g. ``/AssessmentSummary``."""

    def text(self, element: etree._Element, path: str) -> str | None:
        """The found element's text, stripped; None when absent or without text."""
        found = element.find(path, {self.prefix: self.namespace})
        return None if found is None or found.text is None else found.text.strip()

    def required(self, element: etree._Element, path: str) -> str:
        """The found element's non-empty text, or ``InvalidMessage`` (rule ``required``)."""
        value = self.text(element, path)
        if not value:
            where = f"{self.root}/" + path.replace(f"{self.prefix}:", "")
            raise InvalidMessage(f"{where} is missing", element=where, rule="required")
        return value
