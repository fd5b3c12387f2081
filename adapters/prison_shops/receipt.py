"""The RECEIPT answering an order file (format ``GHCANTRCT`` version 1; see README.md).

Every transaction line of the order file is answered, in line order: ``ACC`` accepted (with
the balance after it) or ``REF`` refused (with the reason code and a sentence). A file
refused as a whole is answered with one ``REJ`` record saying why. The trailer counts the
lines, the accepted and the refused. Amounts are in pence.

    entries = receipt_entries(read_order_file(stream), order_file_outcomes(engine, file_id))
    write_receipt(header, file_id, entries, out, written_at=now)
    write_rejection(file_id, error, out, written_at=now)
    read_receipt(stream) -> Receipt          # for shops' tests and the simulated shop
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO

from adapters.prison_shops.csv_records import RecordWriter, records
from adapters.prison_shops.order_file import (
    HEADER,
    TRAILER,
    LineError,
    OrderFileHeader,
    OrderFileRejected,
    OrderLine,
    read_order_file,
)
from core_records.canteen.ledger import LineOutcome
from core_records.errors import InvalidMessage

FORMAT = "GHCANTRCT"
VERSION = "1"
ACCEPTED, REFUSED, REJECTED = "ACC", "REF", "REJ"


class ReceiptIncomplete(Exception):
    """Some lines of the file have no outcome in the store yet; ``waiting`` counts them."""

    def __init__(self, waiting: int, first_line: int) -> None:
        super().__init__(f"{waiting} lines have no outcome yet, the first at line {first_line}")
        self.waiting = waiting
        self.first_line = first_line


@dataclass(frozen=True)
class ReceiptEntry:
    line_number: int
    accepted: bool
    client_reference: str | None
    prison_number: str | None
    transaction_type: str | None = None
    amount_pence: int | None = None
    balance_after_pence: int | None = None
    reason: str | None = None
    detail: str | None = None


@dataclass
class Receipt:
    """A receipt read back."""

    file_reference: str
    establishment: str
    file_id: str
    entries: list[ReceiptEntry] = field(default_factory=list)
    rejection: str | None = None
    counts: tuple[int, int, int] = (0, 0, 0)
    """(lines, accepted, refused), from the trailer."""


def receipt_entries(
    file_lines: Iterable[OrderLine | LineError], outcomes: Iterable[LineOutcome]
) -> Iterator[ReceiptEntry]:
    """One entry per line of the file, in file order: the reader's refusal, or the store's
    outcome. Raises ``ReceiptIncomplete`` before yielding anything if any line is waiting."""
    decided = {outcome.line_number: outcome for outcome in outcomes}
    lines = list(_entries_or_waiting(file_lines, decided))
    waiting = [line for line in lines if isinstance(line, int)]
    if waiting:
        raise ReceiptIncomplete(len(waiting), waiting[0])
    yield from (line for line in lines if isinstance(line, ReceiptEntry))


def _entries_or_waiting(
    file_lines: Iterable[OrderLine | LineError], decided: dict[int, LineOutcome]
) -> Iterator[ReceiptEntry | int]:
    for line in file_lines:
        if isinstance(line, LineError):
            yield ReceiptEntry(
                line.line_number,
                False,
                line.client_reference,
                line.prison_number,
                reason=line.reason,
                detail=line.detail,
            )
            continue
        outcome = decided.get(line.line_number)
        if outcome is None:
            yield line.line_number
            continue
        yield ReceiptEntry(
            line.line_number,
            outcome.accepted,
            outcome.client_reference,
            outcome.prison_number or line.prison_number,
            outcome.transaction_type,
            outcome.amount_pence,
            outcome.balance_after_pence,
            outcome.reason,
            outcome.detail,
        )


def write_receipt(
    header: OrderFileHeader,
    file_id: str,
    entries: Iterable[ReceiptEntry],
    stream: BinaryIO,
    *,
    written_at: datetime,
) -> tuple[int, int, int]:
    """Write the receipt; returns (lines, accepted, refused)."""
    out = RecordWriter(stream)
    out.write(
        HEADER,
        FORMAT,
        VERSION,
        header.file_reference,
        header.establishment,
        file_id,
        written_at.isoformat(),
    )
    accepted = refused = 0
    for entry in entries:
        if entry.accepted:
            accepted += 1
            out.write(
                ACCEPTED,
                entry.line_number,
                entry.client_reference,
                entry.prison_number,
                entry.transaction_type,
                entry.amount_pence,
                entry.balance_after_pence,
            )
        else:
            refused += 1
            out.write(
                REFUSED,
                entry.line_number,
                entry.client_reference or "",
                entry.prison_number or "",
                entry.reason,
                entry.detail or "",
            )
    out.write(TRAILER, accepted + refused, accepted, refused)
    out.close()
    return accepted + refused, accepted, refused


def write_rejection(
    file_id: str,
    error: InvalidMessage,
    stream: BinaryIO,
    *,
    written_at: datetime,
    header: OrderFileHeader | None = None,
) -> None:
    """Write the receipt of a file refused as a whole: nothing of it was applied."""
    out = RecordWriter(stream)
    reference, establishment = (header.file_reference, header.establishment) if header else ("", "")
    out.write(HEADER, FORMAT, VERSION, reference, establishment, file_id, written_at.isoformat())
    out.write(REJECTED, error.line or "", error.reason)
    out.write(TRAILER, 0, 0, 0)
    out.close()


def read_receipt(stream: BinaryIO) -> Receipt:
    """A receipt read back; ``OrderFileRejected`` (an ``InvalidMessage``) if it is not one."""
    rows = records(stream)
    first = next(rows, None)
    if first is None or first[:3] != [HEADER, FORMAT, VERSION] or len(first) != 7:
        raise OrderFileRejected(f"not a {FORMAT} version {VERSION} receipt", line=1)
    receipt = Receipt(first[3], first[4], first[5])
    for row in rows:
        kind = row[0]
        if kind == ACCEPTED:
            line, reference, prison, kind_, amount, balance = row[1:7]
            receipt.entries.append(
                ReceiptEntry(int(line), True, reference, prison, kind_, int(amount), int(balance))
            )
        elif kind == REFUSED:
            line, reference, prison, reason, detail = row[1:6]
            receipt.entries.append(
                ReceiptEntry(
                    int(line),
                    False,
                    reference or None,
                    prison or None,
                    reason=reason,
                    detail=detail,
                )
            )
        elif kind == REJECTED:
            receipt.rejection = row[2]
        elif kind == TRAILER:
            receipt.counts = (int(row[1]), int(row[2]), int(row[3]))
    return receipt


__all__ = [
    "Receipt",
    "ReceiptEntry",
    "ReceiptIncomplete",
    "read_receipt",
    "receipt_entries",
    "write_receipt",
    "write_rejection",
]


def answer_order_file(
    stream: BinaryIO,
    file_id: str,
    outcomes: Callable[[str], list[LineOutcome]],
    out: BinaryIO,
    *,
    written_at: datetime,
) -> tuple[int, int, int]:
    """Write the receipt of a submitted file to ``out``: (lines, accepted, refused). Raises
    ``ReceiptIncomplete`` (having written nothing) while some line is undecided."""
    reader = read_order_file(stream)
    entries = list(receipt_entries(reader, outcomes(file_id)))
    return write_receipt(reader.header, file_id, entries, out, written_at=written_at)
