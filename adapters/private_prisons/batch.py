"""The batch-file form of the private-prison messages: one file of many documents, read
streaming so that a whole estate's drop (tens of thousands of messages) never sits in
memory at once.

    <Batch xmlns="urn:gatehouse:private-prisons:v1">
      <BatchHeader>
        <Operator>serco</Operator>
        <CreatedAt>2024-05-01T23:00:00+01:00</CreatedAt>
        <BatchReference>SER-2024-05-01-NIGHTLY</BatchReference>
      </BatchHeader>
      <Reception>...</Reception>      <!-- each exactly the document that could be POSTed -->
      <Transfer>...</Transfer>
      <Visit>...</Visit>
      <NonAssociation>...</NonAssociation>
    </Batch>

``read_batch`` yields the header, then one ``BatchItem`` per document, each a standalone
document (its bytes, its line in the file) for the normal pipeline to validate, translate
and publish; an item that is not a document Gatehouse takes carries its error instead, so
one bad item never stops the rest. A file with a DTD, or that is not a Batch, is refused
whole. Parsing is as safe as the edge's: no DTDs, entities or network.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from adapters.private_prisons.messages import NAMESPACE
from core_records.errors import InvalidMessage

ITEM_TYPES = {"Reception": "reception", "Transfer": "transfer", "Release": "release",
              "Visit": "visit", "Sentence": "sentence",
              "NonAssociation": "non-association"}  # fmt: skip
"""Root element of each document a batch may hold, to its message type."""


@dataclass(frozen=True)
class BatchHeader:
    operator: str
    created_at: str
    reference: str


@dataclass(frozen=True)
class BatchItem:
    number: int
    """1-based position of the document in the batch."""
    line: int | None
    message_type: str | None
    body: bytes
    error: InvalidMessage | None = None


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _header(element: etree._Element) -> BatchHeader:
    def text(name: str) -> str:
        found = element.find(f"{{{NAMESPACE}}}{name}")
        value = "" if found is None else (found.text or "").strip()
        if not value:
            raise InvalidMessage(
                f"the batch header has no {name}",
                element=f"/Batch/BatchHeader/{name}",
                line=element.sourceline,
                rule="required",
            )
        return value

    return BatchHeader(text("Operator"), text("CreatedAt"), text("BatchReference"))


def _item(number: int, element: etree._Element, max_item_bytes: int) -> BatchItem:
    body = etree.tostring(element, xml_declaration=True, encoding="UTF-8")
    name, line = _local(element), element.sourceline
    message_type = ITEM_TYPES.get(name) if element.tag == f"{{{NAMESPACE}}}{name}" else None
    error = None
    if message_type is None:
        error = InvalidMessage(
            f"item {number} is a {element.tag}, not one of {', '.join(ITEM_TYPES)} in the"
            f" {NAMESPACE} namespace",
            line=line,
            rule="batch-item",
        )
    elif len(body) > max_item_bytes:
        error = InvalidMessage(
            f"item {number} is over the {max_item_bytes} byte limit", line=line, rule="too-large"
        )
    return BatchItem(number, line, message_type, body, error)


def read_batch(
    source: Path | BinaryIO, *, max_item_bytes: int = 1_048_576
) -> Iterator[BatchHeader | BatchItem]:
    """The batch's header, then each of its documents in order, read as the file is.
    A file named by path is open while the generator is; close the generator (or exhaust
    it) to close the file."""
    if isinstance(source, Path):
        with source.open("rb") as file:
            yield from read_batch(file, max_item_bytes=max_item_bytes)
        return
    events = etree.iterparse(
        source,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    depth, number, root = 0, 0, None
    header_seen = False
    try:
        for event, element in events:
            if event == "start":
                depth += 1
                if depth == 1:
                    root = element
                    if element.getroottree().docinfo.doctype:
                        raise InvalidMessage("a batch may not have a DTD", rule="no-dtd")
                    if element.tag != f"{{{NAMESPACE}}}Batch":
                        raise InvalidMessage(
                            f"the file is a {element.tag}, not a Batch in the {NAMESPACE}"
                            " namespace",
                            line=element.sourceline,
                            rule="root-element",
                        )
                continue
            depth -= 1
            if depth != 1 or root is None:
                continue
            if not header_seen:
                if _local(element) != "BatchHeader":
                    raise InvalidMessage(
                        "a batch starts with its BatchHeader", line=element.sourceline,
                        rule="batch-header",
                    )  # fmt: skip
                header_seen = True
                yield _header(element)
            else:
                number += 1
                yield _item(number, element, max_item_bytes)
            # Let go of what has been read, so memory stays flat however long the file.
            element.clear()
            while element.getprevious() is not None:
                del root[0]
    except etree.XMLSyntaxError as error:
        raise InvalidMessage(
            f"the batch is not well-formed XML: {error.msg}", line=error.lineno, rule="not-xml"
        ) from None
    if not header_seen:
        raise InvalidMessage("the batch has no BatchHeader", rule="batch-header")
