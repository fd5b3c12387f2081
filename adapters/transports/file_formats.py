"""The file format contract: how a batch file splits into per-record messages, and how
its receipt is written.

A partner's batch file is read line by line, never whole. The format turns each line into
either a ``FileRecord`` (a document for one of its adapter's inbound message types, sent
down the normal pipeline on its own) or a ``LineError`` (a line it cannot read, reported in
the receipt and never sent on). A file it cannot read at all (no header, wrong kind of file)
raises ``UnreadableFile``: the file goes to ``error/`` and the receipt says why.

The file stays the unit of receipt: once every record has an outcome, ``write_receipt`` is
given the counts and the refused lines and returns the receipt's bytes.

Formats are found by name in the entry-point group ``gatehouse.file_formats``, or by a
``module:attribute`` path.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from importlib.metadata import entry_points
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

import sqlalchemy as sa

from core_records.errors import InvalidMessage

ENTRY_POINT_GROUP = "gatehouse.file_formats"


class UnreadableFile(InvalidMessage):
    """The file as a whole cannot be read in this format."""


class ReceiptNotReady(Exception):
    """The format's receipt needs outcomes the store does not hold yet; ask again later."""


@dataclass(frozen=True)
class FileContext:
    """What a format may consult beyond the file's bytes."""

    file_id: str
    """The file's SHA-256: the same file, whenever and however often it is seen."""
    source: Path
    """The local copy of the file (read it again to write a receipt line by line)."""
    store: sa.Engine
    """The record store, read only: reference data, and outcomes a receipt reports."""


@dataclass(frozen=True)
class FileRecord:
    """One record of a file: the document for ``message_type``, from line ``line``."""

    line: int
    message_type: str
    body: bytes
    content_type: str = "application/xml"
    person_key: str | None = None
    """Who the record is about (``core_records.identity.person_keys``), where the format can
    tell: it chooses the record's ingest partition."""
    schema_checked: bool = False
    """The format wrote ``body`` from fields it checked, so that it meets its schema and
    ingest need not validate it again."""


@dataclass(frozen=True)
class LineError:
    """A line that was refused, with a reason a partner can act on."""

    line: int
    reason: str


@dataclass(frozen=True)
class FileReceipt:
    """What became of every line of one file."""

    file_name: str
    sha256: str
    lines_read: int
    records: int
    """Lines that became records (accepted or refused later by the hub)."""
    accepted: int
    refused: tuple[LineError, ...] = field(default_factory=tuple)
    """Every refused line, malformed or refused by the hub, in line order."""
    unreadable: str | None = None
    """Why the whole file was refused, when it was."""


@runtime_checkable
class FileFormat(Protocol):
    name: str
    """E.g. ``prison_shops.orders``."""

    def split(self, stream: BinaryIO, context: FileContext) -> Iterator[FileRecord | LineError]:
        """Records and refused lines, in file order, read from ``stream`` (seekable, so a
        format that must check the whole file before anything is sent may read it twice);
        never more than a line held at a time. Raises ``UnreadableFile`` for a file refused
        whole, before yielding anything."""
        ...

    def write_receipt(self, receipt: FileReceipt, context: FileContext) -> bytes:
        """The receipt file sent back to the partner; ``ReceiptNotReady`` while the store
        lacks outcomes it needs."""
        ...

    def receipt_name(self, file_name: str) -> str:
        """The receipt's file name for ``file_name``."""
        ...


@runtime_checkable
class OutboundFileFormat(Protocol):
    """A file Gatehouse writes for a partner, one per key (an establishment, say)."""

    name: str

    def file_name(self, key: str, day: date) -> str: ...

    def write(self, store: sa.Engine, key: str, day: date, out: BinaryIO) -> None:
        """Write the file to ``out`` as it is read from the record store (read only)."""
        ...


class UnknownFileFormat(LookupError):
    pass


def load_file_format(name: str) -> FileFormat:
    """The inbound format registered as ``name``, or at the ``module:attribute`` path."""
    found = _load(name)
    if not isinstance(found, FileFormat):
        raise UnknownFileFormat(f"{name!r} is a {type(found).__name__}, not a file format")
    return found


def load_outbound_file_format(name: str) -> OutboundFileFormat:
    found = _load(name)
    if not isinstance(found, OutboundFileFormat):
        raise UnknownFileFormat(
            f"{name!r} is a {type(found).__name__}, not an outbound file format"
        )
    return found


def _load(name: str) -> object:
    """The format registered as ``name``, or at the ``module:attribute`` path ``name``."""
    if ":" in name:
        module_name, _, attribute = name.partition(":")
        try:
            found = getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError) as error:
            raise UnknownFileFormat(f"no file format at {name!r}: {error}") from error
    else:
        matches = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
        if not matches:
            known = ", ".join(sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)))
            raise UnknownFileFormat(f"no file format is called {name!r} (known: {known or 'none'})")
        found = matches[0].load()
    return found
