"""The nightly LIDS extract as a file format: the day's messages of one prison in one file,
taken from a local drop or over SFTP by the hub's file interfaces
(``routing.file_interfaces``), registered in ``gatehouse.file_formats`` as ``lids.extract``.

    <LidsExtract xmlns="urn:gatehouse:lids:v1">
      <ExtractHeader>
        <Establishment>LEI</Establishment>
        <ExtractDate>2024-05-01</ExtractDate>
        <CreatedAt>2024-05-01T23:30:00+01:00</CreatedAt>
      </ExtractHeader>
      <Reception>...</Reception>     <!-- each exactly the document that could be POSTed -->
      <Credit>...</Credit>
    </LidsExtract>

The file is read twice, streaming, never whole: first to check it is well-formed XML with
its header naming a known prison (else the file is refused whole, nothing sent), then to
send each message down the normal pipeline on its own, keyed by its line. A message of a
kind LIDS does not send is refused in the receipt, and so is one the hub refuses (a row
for another prison, say); neither stops the rest. The receipt is a CSV a prison's LIDS
team can read: a summary line, then each refused line with its reason.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import BinaryIO

from lxml import etree

from adapters.lids.translate import NAMESPACE, ROOTS, row_person_key
from adapters.transports.file_formats import (
    FileContext,
    FileReceipt,
    FileRecord,
    LineError,
    UnreadableFile,
)
from core_records.custody.reference_data import ReferenceData
from core_records.errors import UnknownReferenceCode

MESSAGE_TYPES = {root: message_type for message_type, root in ROOTS.items()}
"""Root element of each message an extract may hold, to its message type."""

MAX_MESSAGE_BYTES = 1_048_576


def _elements(stream: BinaryIO) -> Iterator[tuple[int, etree._Element]]:
    """(depth, element) for each element of the file as it ends, the root's children
    released once read so that memory stays flat however long the file."""
    events = etree.iterparse(
        stream, events=("start", "end"), resolve_entities=False, no_network=True,
        load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True,
    )  # fmt: skip
    depth, root = 0, None
    try:
        for event, element in events:
            if event == "start":
                depth += 1
                if depth == 1:
                    root = element
                    if element.getroottree().docinfo.doctype:
                        raise UnreadableFile("an extract may not have a DTD", rule="no-dtd")
                    if element.tag != f"{{{NAMESPACE}}}LidsExtract":
                        raise UnreadableFile(
                            f"the file is a {element.tag}, not a LidsExtract in {NAMESPACE}",
                            line=element.sourceline,
                            rule="root-element",
                        )
                continue
            depth -= 1
            if depth == 1 and root is not None:
                yield depth, element
                element.clear()
                while element.getprevious() is not None:
                    del root[0]
    except etree.XMLSyntaxError as error:
        raise UnreadableFile(
            f"the extract is not well-formed XML: {error.msg}", line=error.lineno, rule="not-xml"
        ) from None


def _header_prison(element: etree._Element) -> str:
    if element.tag != f"{{{NAMESPACE}}}ExtractHeader":
        raise UnreadableFile(
            "an extract starts with its ExtractHeader", line=element.sourceline, rule="header"
        )
    prison = (element.findtext(f"{{{NAMESPACE}}}Establishment") or "").strip()
    if not prison:
        raise UnreadableFile(
            "the ExtractHeader names no Establishment", line=element.sourceline, rule="header"
        )
    return prison


def check_extract(stream: BinaryIO) -> tuple[str, int]:
    """The prison the extract is from and how many messages it holds; ``UnreadableFile``
    for a file that must be refused whole."""
    prison, count = None, 0
    for _, element in _elements(stream):
        if prison is None:
            prison = _header_prison(element)
        else:
            count += 1
    if prison is None:
        raise UnreadableFile("the extract has no ExtractHeader", rule="header")
    return prison, count


def read_messages(stream: BinaryIO, prison: str | None = None) -> Iterator[FileRecord | LineError]:
    """Each message of a checked extract, as a record for its message type; keyed by the
    person it is about when the extract's ``prison`` is given."""
    header_seen = False
    for _, element in _elements(stream):
        if not header_seen:
            header_seen = True
            continue
        line = element.sourceline or 0
        name = etree.QName(element).localname if isinstance(element.tag, str) else ""
        message_type = MESSAGE_TYPES.get(name) if element.tag == f"{{{NAMESPACE}}}{name}" else None
        if message_type is None:
            yield LineError(line, f"a {element.tag} is not a LIDS message")
            continue
        body = etree.tostring(element, xml_declaration=True, encoding="UTF-8")
        if len(body) > MAX_MESSAGE_BYTES:
            yield LineError(line, f"the message is over the {MAX_MESSAGE_BYTES} byte limit")
            continue
        person_key = row_person_key(element, prison) if prison else None
        yield FileRecord(line, message_type, body, person_key=person_key)


class LidsExtract:
    name = "lids.extract"

    def split(self, stream: BinaryIO, context: FileContext) -> Iterator[FileRecord | LineError]:
        prison, _ = check_extract(stream)
        try:
            ReferenceData.from_store(context.store).require_prison(prison)
        except UnknownReferenceCode as error:
            raise UnreadableFile(error.reason, line=1, rule="header") from error
        stream.seek(0)
        yield from read_messages(stream, prison)

    def write_receipt(self, receipt: FileReceipt, context: FileContext) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["file", "sha256", "messages", "accepted", "refused", "unreadable"])
        writer.writerow([receipt.file_name, receipt.sha256, receipt.records, receipt.accepted,
                         len(receipt.refused), receipt.unreadable or ""])  # fmt: skip
        writer.writerow(["line", "reason"])
        for refused in receipt.refused:
            writer.writerow([refused.line, refused.reason])
        return out.getvalue().encode()

    def receipt_name(self, file_name: str) -> str:
        return f"{PurePosixPath(file_name).stem}.receipt.csv"


EXTRACT = LidsExtract()


def write_extract(prison: str, day: str, created_at: str, messages: list[bytes]) -> bytes:
    """An extract file of ``messages`` (each a LIDS document), as LIDS writes one: for
    simulators and tests."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<LidsExtract xmlns="{NAMESPACE}">',
        f"  <ExtractHeader><Establishment>{prison}</Establishment>"
        f"<ExtractDate>{day}</ExtractDate><CreatedAt>{created_at}</CreatedAt></ExtractHeader>",
    ]
    for message in messages:
        root = etree.fromstring(message)
        lines.append("  " + etree.tostring(root, encoding="unicode").replace("\n", " "))
    lines.append("</LidsExtract>")
    return ("\n".join(lines) + "\n").encode()
