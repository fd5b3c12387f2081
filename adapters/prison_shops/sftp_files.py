"""The prison shops' files as SFTP file formats: canteen order files in (answered with the
shops' own receipt), and the nightly roll out. Registered in ``gatehouse.file_formats`` as
``prison_shops.orders`` and ``prison_shops.roll``.

The formats themselves are the prison shops adapter's (``adapters.prison_shops``); this
module only fits them to the file transport's contract (``file_formats``): an order file is
checked whole before any line is sent (a bad trailer refuses the file, nothing applied),
each good line travels as an ``order_line`` JSON message, and the receipt is written from the
file and the canteen ledger's outcomes, in the shops' ``GHCANTRCT`` format.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from functools import partial
from pathlib import PurePosixPath
from typing import BinaryIO

import sqlalchemy as sa

from adapters.prison_shops import (
    OrderFileRejected,
    OrderLine,
    ReceiptIncomplete,
    answer_order_file,
    check_order_file,
    line_document,
    order_line_person_key,
    read_order_file,
    write_rejection,
    write_roll,
)
from adapters.prison_shops.translate import MESSAGE_TYPE
from adapters.transports.file_formats import (
    FileContext,
    FileReceipt,
    FileRecord,
    LineError,
    ReceiptNotReady,
    UnreadableFile,
)
from core_records.canteen import ledger as canteen_ledger
from core_records.custody.reference_data import ReferenceData
from core_records.errors import UnknownReferenceCode


class CanteenOrderFiles:
    name = "prison_shops.orders"

    def split(self, stream: BinaryIO, context: FileContext) -> Iterator[FileRecord | LineError]:
        try:
            summary = check_order_file(stream)
            ReferenceData.from_store(context.store).require_prison(summary.header.establishment)
        except OrderFileRejected as error:
            raise UnreadableFile(error.reason, line=error.line, rule=error.rule) from error
        except UnknownReferenceCode as error:
            raise UnreadableFile(error.reason, line=1, rule="header") from error
        stream.seek(0)
        reader = read_order_file(stream)
        for item in reader:
            if isinstance(item, OrderLine):
                body = line_document(context.file_id, reader.header, item)
                yield FileRecord(
                    item.line_number,
                    MESSAGE_TYPE,
                    body,
                    "application/json",
                    person_key=order_line_person_key(item),
                    schema_checked=True,  # written from the fields check_order_file checked
                )
            else:
                yield LineError(item.line_number, f"{item.reason}: {item.detail}")

    def write_receipt(self, receipt: FileReceipt, context: FileContext) -> bytes:
        out = io.BytesIO()
        now = datetime.now(UTC)
        if receipt.unreadable is not None:
            write_rejection(
                context.file_id, OrderFileRejected(receipt.unreadable), out, written_at=now
            )
            return out.getvalue()
        outcomes = partial(canteen_ledger.order_file_outcomes, context.store)
        with context.source.open("rb") as stream:
            try:
                answer_order_file(stream, context.file_id, outcomes, out, written_at=now)
            except ReceiptIncomplete as error:
                raise ReceiptNotReady(str(error)) from error
        return out.getvalue()

    def receipt_name(self, file_name: str) -> str:
        return f"{PurePosixPath(file_name).stem}.receipt.csv"


class CanteenRoll:
    """The nightly roll of one prison: who is there, and what each may spend."""

    name = "prison_shops.roll"

    def file_name(self, key: str, day: date) -> str:
        return f"roll-{key}-{day:%Y%m%d}.csv"

    def write(self, store: sa.Engine, key: str, day: date, out: BinaryIO) -> None:
        now = datetime.now(UTC)
        write_roll(key, canteen_ledger.roll(store, key, now), out, as_at=now)


ORDERS = CanteenOrderFiles()
ROLL = CanteenRoll()
