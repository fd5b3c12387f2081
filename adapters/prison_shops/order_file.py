"""Reading a canteen ORDER FILE (format ``GHCANTORD`` version 1; see README.md), line by line.

A file is read from any binary file object, one physical line at a time, never whole: an
estate's file of 80,000 lines costs the memory of one line (and the set of the file's client
references, to spot a reference repeated within the file)::

    reader = read_order_file(stream)        # reads the header; OrderFileRejected if bad
    reader.header.establishment             # 'LEI'
    for item in reader:                     # OrderLine, or LineError for a malformed line
        ...
    # the trailer is checked when the iteration ends: OrderFileRejected if it is missing,
    # if its count disagrees, or if anything follows it

Because a bad trailer is only found at the end, a caller that acts on lines (publishing
them) checks the whole file first with ``check_order_file`` and reads it again to act.

A file-level fault (``OrderFileRejected``) refuses the whole file: nothing of it is applied.
A line-level fault (``LineError``, reason ``MALFORMED_LINE`` or ``DUPLICATE_REFERENCE``)
refuses that line alone; the receipt names it.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from core_records.canteen.account import DUPLICATE_REFERENCE, MALFORMED_LINE, REFUND, SPEND
from core_records.errors import InvalidIdentifier, InvalidMessage
from core_records.identifiers import NOMS, Identifier, parse_prison_number
from core_records.identity.person_keys import identifiers_key

FORMAT = "GHCANTORD"
VERSION = "1"
HEADER, TRANSACTION, TRAILER = "HDR", "TXN", "TRL"

MAX_LINE_BYTES = 1024
"""A line longer than this is malformed; it is skipped without being held in memory."""
MAX_AMOUNT_PENCE = 100_000
"""The largest single transaction a shop may send (1,000 pounds)."""

_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,63}")
_FILE_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,34}")
_PRISON = re.compile(r"[A-Z]{3}")
_PENCE = re.compile(r"[1-9][0-9]{0,8}")


class OrderFileRejected(InvalidMessage):
    """The file as a whole cannot be accepted; ``line`` says where the fault was found."""


@dataclass(frozen=True)
class OrderFileHeader:
    file_reference: str
    """The shop's own reference for the file."""
    establishment: str
    """The prison the orders are for."""
    created_at: datetime
    version: str = VERSION


@dataclass(frozen=True)
class OrderLine:
    """One well-formed transaction line."""

    line_number: int
    client_reference: str
    prison_number: str
    transaction_type: str
    """CANT spend or REFND refund."""
    amount_pence: int
    ordered_at: datetime


def order_line_person_key(line: OrderLine) -> str | None:
    """Who a line is about, keyed as a kiosk's order for them is: by prison number."""
    return identifiers_key([Identifier(NOMS, line.prison_number)])


@dataclass(frozen=True)
class LineError:
    """A line refused before it reached the store."""

    line_number: int
    reason: str
    """``MALFORMED_LINE`` or ``DUPLICATE_REFERENCE``."""
    detail: str
    client_reference: str | None = None
    prison_number: str | None = None


@dataclass(frozen=True)
class OrderFileSummary:
    """What a full pass over a well-formed file found."""

    header: OrderFileHeader
    transactions: int
    """Lines that will become transactions."""
    refused_lines: int
    """Lines refused by the reader (malformed, or a reference repeated within the file)."""
    sha256: str
    """Of the file's bytes: the file's id, so the same file submitted twice is one file."""


class OrderFileReader:
    """Iterates over an order file's transaction lines; see the module docstring."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._line_number = 0
        self._digest = hashlib.sha256()
        self._references: set[str] = set()
        self.transactions = 0
        self.refused_lines = 0
        first = self._next_line()
        if first is None:
            raise OrderFileRejected("the file is empty", line=1, rule="header")
        self.header = _header(first.removeprefix("\ufeff"))

    @property
    def sha256(self) -> str:
        """The digest of the bytes read so far (of the whole file once iterated)."""
        return self._digest.hexdigest()

    def __iter__(self) -> Iterator[OrderLine | LineError]:
        while True:
            text = self._next_line()
            if text is None:
                raise OrderFileRejected(
                    f"the file ends at line {self._line_number} without a {TRAILER} record "
                    "(was it cut short?)",
                    line=self._line_number,
                    rule="trailer",
                )
            if text.startswith(TRAILER + ","):
                self._check_trailer(text)
                return
            item = self._transaction(text)
            if isinstance(item, OrderLine):
                self.transactions += 1
            else:
                self.refused_lines += 1
            yield item

    def _transaction(self, text: str) -> OrderLine | LineError:
        number = self._line_number
        if text is _TOO_LONG:
            return LineError(number, MALFORMED_LINE, f"the line is over {MAX_LINE_BYTES} bytes")
        try:
            fields = _fields(text, number)
            line = _order_line(fields, number)
        except InvalidMessage as error:
            return LineError(number, MALFORMED_LINE, error.reason)
        except InvalidIdentifier as error:
            return LineError(number, MALFORMED_LINE, error.reason)
        if line.client_reference in self._references:
            return LineError(
                number,
                DUPLICATE_REFERENCE,
                f"client reference {line.client_reference} appears earlier in this file",
                line.client_reference,
                line.prison_number,
            )
        self._references.add(line.client_reference)
        return line

    def _check_trailer(self, text: str) -> None:
        fields = _fields(text, self._line_number, rule="trailer")
        counted = self.transactions + self.refused_lines
        if len(fields) != 2 or not fields[1].isdigit():
            raise OrderFileRejected(
                f"line {self._line_number}: the trailer must be {TRAILER},<number of "
                f"{TRANSACTION} lines>",
                line=self._line_number,
                rule="trailer",
            )
        if int(fields[1]) != counted:
            raise OrderFileRejected(
                f"line {self._line_number}: the trailer counts {int(fields[1])} transaction "
                f"lines but the file has {counted}",
                line=self._line_number,
                rule="trailer",
            )
        after = self._next_line()
        while after == "":
            after = self._next_line()
        if after is not None:
            raise OrderFileRejected(
                f"line {self._line_number}: nothing may follow the trailer",
                line=self._line_number,
                rule="trailer",
            )

    def _next_line(self) -> str | None:
        """The next line without its line ending; None at the end of the file."""
        raw = self._stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return None
        self._digest.update(raw)
        self._line_number += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # skip the rest, a bounded chunk at a time
                raw = self._stream.readline(MAX_LINE_BYTES + 1)
                self._digest.update(raw)
            return _TOO_LONG
        try:
            return raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError as error:
            return f"\x00not UTF-8 at byte {error.start}"


_TOO_LONG = "\x00too long"


def read_order_file(stream: BinaryIO) -> OrderFileReader:
    """A reader over ``stream``, its header already read and checked."""
    return OrderFileReader(stream)


def check_order_file(stream: BinaryIO) -> OrderFileSummary:
    """Read the whole file once (streaming); ``OrderFileRejected`` if it cannot be accepted."""
    reader = read_order_file(stream)
    for _ in reader:
        pass
    return OrderFileSummary(reader.header, reader.transactions, reader.refused_lines, reader.sha256)


def _fields(text: str, line_number: int, *, rule: str = "line") -> list[str]:
    if text.startswith("\x00"):
        raise InvalidMessage(f"the line is {text[1:]}", line=line_number, rule="encoding")
    try:
        fields = next(csv.reader([text], strict=True), [])
    except csv.Error as error:
        raise InvalidMessage(f"not a CSV record: {error}", line=line_number, rule=rule) from None
    if not fields:
        raise InvalidMessage("the line is empty", line=line_number, rule=rule)
    return fields


def _header(text: str) -> OrderFileHeader:
    try:
        fields = _fields(text, 1, rule="header")
    except InvalidMessage as error:
        raise OrderFileRejected(error.reason, line=1, rule="header") from None
    if len(fields) < 3 or fields[0] != HEADER or fields[1] != FORMAT:
        raise OrderFileRejected(
            f"line 1 must be the header {HEADER},{FORMAT},{VERSION},<file reference>,"
            "<prison>,<created at>",
            line=1,
            rule="header",
        )
    if fields[2] != VERSION:
        raise OrderFileRejected(
            f"{FORMAT} version {fields[2]!r} is not supported (this hub reads version {VERSION})",
            line=1,
            rule="version",
        )
    if len(fields) != 6:
        raise OrderFileRejected(
            f"the header has {len(fields)} fields, not 6", line=1, rule="header"
        )
    _, _, _, reference, establishment, created = fields
    if not _FILE_REFERENCE.fullmatch(reference):
        raise OrderFileRejected(
            f"file reference {reference!r} must be 1 to 35 letters, digits, '.', '_' or '-'",
            line=1,
            rule="header",
        )
    if not _PRISON.fullmatch(establishment):
        raise OrderFileRejected(
            f"{establishment!r} is not a prison code (three capital letters)",
            line=1,
            rule="header",
        )
    try:
        created_at = _time(created, "created at")
    except InvalidMessage as error:
        raise OrderFileRejected(error.reason, line=1, rule="header") from None
    return OrderFileHeader(reference, establishment, created_at)


def _order_line(fields: list[str], line_number: int) -> OrderLine:
    if fields[0] != TRANSACTION:
        raise InvalidMessage(f"record type {fields[0]!r} is not {TRANSACTION} or {TRAILER}")
    if len(fields) != 6:
        raise InvalidMessage(f"a {TRANSACTION} record has 6 fields, not {len(fields)}")
    _, reference, prison_number, kind, amount, ordered = fields
    if not _REFERENCE.fullmatch(reference):
        raise InvalidMessage(
            f"client reference {reference!r} must be 1 to 64 letters, digits, '.', '_', '/' "
            "or '-', starting with a letter or digit"
        )
    if kind not in (SPEND, REFUND):
        raise InvalidMessage(f"transaction type {kind!r} is not {SPEND} or {REFUND}")
    if not _PENCE.fullmatch(amount) or int(amount) > MAX_AMOUNT_PENCE:
        raise InvalidMessage(
            f"amount {amount!r} must be a whole number of pence from 1 to {MAX_AMOUNT_PENCE}"
        )
    return OrderLine(
        line_number=line_number,
        client_reference=reference,
        prison_number=parse_prison_number(prison_number),
        transaction_type=kind,
        amount_pence=int(amount),
        ordered_at=_time(ordered, "ordered at"),
    )


def _time(text: str, what: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.utcoffset() is None or "T" not in text:
        raise InvalidMessage(
            f"{what} {text!r} must be an ISO 8601 date and time with a UTC offset, like "
            "2026-11-23T09:30:00+00:00"
        )
    return value
