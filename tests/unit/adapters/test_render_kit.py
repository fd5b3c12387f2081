"""The render kit the adapters' renderers and path readers share."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from lxml import etree

from adapters.render_kit import ElementPaths, OutboundXml, document_bytes, identifier, identifiers
from core_records.errors import InvalidMessage
from core_records.events import PRISONER_RECEIVED, CanonicalEvent
from core_records.identifiers import CRN, NOMS, PNC, Identifier

NAMESPACE = "urn:gatehouse:example:v1"
EXAMPLE = OutboundXml(NAMESPACE, "an example document", "example-render")
EVENT = CanonicalEvent(
    event_type=PRISONER_RECEIVED,
    occurred_at=datetime(2026, 5, 1, 9, 30, tzinfo=UTC),
    person_identifiers=(Identifier(NOMS, "A1234BC"), Identifier(CRN, "X123456")),
    additional_information={"prisonId": "LEI", "empty": ""},
    event_id="e-1",
)


def test_a_document_is_written_in_its_namespace_with_its_declaration() -> None:
    root = EXAMPLE.root("Update")
    EXAMPLE.add(EXAMPLE.add(root, "Person"), "PrisonNumber", "A1234BC")
    written = document_bytes(root)
    assert written.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    parsed = etree.fromstring(written)
    assert parsed.findtext(f"{{{NAMESPACE}}}Person/{{{NAMESPACE}}}PrisonNumber") == "A1234BC"


def test_a_refusal_names_the_document_the_event_and_why() -> None:
    with pytest.raises(InvalidMessage, match="cannot render an example document for event e-1"):
        EXAMPLE.information(EVENT, "empty")
    assert EXAMPLE.information(EVENT, "prisonId") == "LEI"
    assert EXAMPLE.cannot_render(EVENT, "why").rule == "example-render"


def test_identifiers_are_found_by_type() -> None:
    assert identifier(EVENT, NOMS) == "A1234BC"
    assert identifier(EVENT, PNC) is None
    assert identifiers(EVENT) == {NOMS: "A1234BC", CRN: "X123456"}


def test_a_missing_element_is_named_from_the_root_without_prefixes() -> None:
    paths = ElementPaths(NAMESPACE, "e", "/Summary")
    document = etree.fromstring(f'<Summary xmlns="{NAMESPACE}"><Id> 7 </Id></Summary>')
    assert paths.required(document, "e:Id") == "7"
    assert paths.text(document, "e:Missing") is None
    with pytest.raises(InvalidMessage) as refused:
        paths.required(document, "e:Header/e:SentAt")
    assert refused.value.element == "/Summary/Header/SentAt"
