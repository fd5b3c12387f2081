"""A small batch file format for the SFTP tests: a private-prison operator's receptions,
one CSV line per person, each sent on as that adapter's ``reception`` document.

Real enough to exercise every path of a file interface with the real private-prisons
adapter: a line the format cannot read (refused in the receipt without reaching the hub), a
line the hub refuses (a prison the operator does not run), and a file that is not a
receptions file at all (unreadable).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from typing import BinaryIO

import sqlalchemy as sa

from adapters.private_prisons.messages import (
    MessageHeader,
    Movement,
    OperatorMessage,
    OperatorPerson,
)
from adapters.private_prisons.writing import write_message
from adapters.transports.file_formats import (
    FileContext,
    FileReceipt,
    FileRecord,
    LineError,
    UnreadableFile,
)
from core_records.tables import person

HEADER = "operator,establishment,local_id,surname,forenames,date_of_birth,sex,from_agency"


class ReceptionFile:
    name = "tests.receptions"

    def split(self, stream: BinaryIO, context: FileContext) -> Iterator[FileRecord | LineError]:
        for number, raw in enumerate(stream, start=1):
            text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            if number == 1:
                if text != HEADER:
                    raise UnreadableFile(
                        f"not a receptions file: the first line must be {HEADER!r}", line=1
                    )
                continue
            if not text.strip():
                continue
            try:
                yield FileRecord(number, "reception", _reception(text, number))
            except ValueError as error:
                yield LineError(number, str(error))

    def write_receipt(self, receipt: FileReceipt, context: FileContext) -> bytes:
        lines = [
            f"file,{receipt.file_name}",
            f"sha256,{receipt.sha256}",
        ]
        if receipt.unreadable:
            lines.append(f"unreadable,{receipt.unreadable}")
        lines += [
            f"lines,{receipt.lines_read}",
            f"records,{receipt.records}",
            f"accepted,{receipt.accepted}",
            f"refused,{len(receipt.refused)}",
        ]
        lines += [f"line {e.line},{e.reason}" for e in receipt.refused]
        return ("\n".join(lines) + "\n").encode()

    def receipt_name(self, file_name: str) -> str:
        return f"{file_name}.receipt"


FORMAT = ReceptionFile()


def _reception(text: str, number: int) -> bytes:
    fields = next(csv.reader([text]))
    if len(fields) != 8:
        raise ValueError(f"expected 8 fields, found {len(fields)}")
    operator, establishment, local_id, surname, forenames, born, sex, from_agency = fields
    try:
        date_of_birth = date.fromisoformat(born)
    except ValueError:
        raise ValueError(f"date_of_birth {born!r} is not a date (YYYY-MM-DD)") from None
    when = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    return write_message(
        OperatorMessage(
            message_type="reception",
            header=MessageHeader(operator, establishment, when, f"FILE-{local_id}-{number}"),
            person=OperatorPerson(local_id, surname, forenames, date_of_birth, sex),
            movement=Movement(when, "N", from_agency or None, establishment),
        )
    )


def reception_line(n: int, *, establishment: str = "DNI", operator: str = "serco") -> str:
    """A good line for person ``n``."""
    return (
        f"{operator},{establishment},DN{n:07d},SURNAME{_letters(n)},FORENAME,"
        f"19{50 + n % 50:02d}-0{1 + n % 9}-1{n % 10},M,SHEFMC"
    )


def _letters(n: int) -> str:
    out = ""
    for _ in range(4):
        n, digit = divmod(n, 26)
        out += chr(ord("A") + digit)
    return out


def receptions_file(lines: Iterable[str]) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


class RollFile:
    """An outbound file for the SFTP tests: the prison numbers of the people at one prison."""

    name = "tests.roll"

    def file_name(self, key: str, day: date) -> str:
        return f"roll-{key}-{day:%Y%m%d}.csv"

    def write(self, store: sa.Engine, key: str, day: date, out: BinaryIO) -> None:
        out.write(b"prison_number,establishment\n")
        query = (
            sa.select(person.c.prison_number)
            .where(person.c.current_establishment == key)
            .order_by(person.c.prison_number)
        )
        with store.connect() as connection:
            for (prison_number,) in connection.execute(query):
                out.write(f"{prison_number},{key}\n".encode())


ROLL = RollFile()
