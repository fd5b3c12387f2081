"""The prison shops (canteen) adapter: order files in, receipts and nightly rolls out, in
Gatehouse's own versioned CSV formats (see README.md; the suppliers' real formats are not
public).

The public surface, for the file transports (local directory, SFTP) and the scheduler:

    read_order_file(stream) -> OrderFileReader   iterate: OrderLine | LineError; header first,
                                                 trailer checked at the end (OrderFileRejected)
    check_order_file(stream) -> OrderFileSummary  a full streaming pass: header, counts, sha256
    line_message_id(file_id, n), line_document(file_id, header, line)
                                                 one pipeline message per line (type
                                                 ``order_line``), idempotent per file and line
    order_line_person_key(line)                  who a line is about (its ingest partition)
    receipt_entries(file lines, store outcomes), write_receipt(header, file_id, entries, out)
    write_rejection(file_id, error, out)         the receipt of a file refused whole
    write_roll(establishment, people, out)       the nightly roll (people from
                                                 ``core_records.canteen.ledger.roll``)
    read_receipt(stream), read_roll(stream)      reading them back (tests, simulated shops)

``routing.file_interfaces.order_file_drop`` runs the whole file cycle on a local directory.
"""

from __future__ import annotations

from adapters.base import JSON, Adapter, InboundType, PartnerScope
from adapters.policy_file import package_policy
from adapters.prison_shops.order_file import (
    LineError,
    OrderFileHeader,
    OrderFileReader,
    OrderFileRejected,
    OrderFileSummary,
    OrderLine,
    check_order_file,
    order_line_person_key,
    read_order_file,
)
from adapters.prison_shops.receipt import (
    Receipt,
    ReceiptEntry,
    ReceiptIncomplete,
    answer_order_file,
    read_receipt,
    receipt_entries,
    write_receipt,
    write_rejection,
)
from adapters.prison_shops.roll import read_roll, write_roll
from adapters.prison_shops.translate import (
    MESSAGE_TYPE,
    SCHEMA,
    line_document,
    line_message_id,
    translate_order_line,
)

NAME = "prison_shops"
PARTNER = "prison_shops"

POLICY = package_policy(__file__)
"""What the shops may see (``policy.toml``): no events and no data share; they learn who is
where from the nightly roll alone, which holds only prison number, name, location,
incentive level and available spends."""

adapter = Adapter(
    name=NAME,
    partner="Prison shops (canteen suppliers)",
    partners={PARTNER: PartnerScope(PARTNER, NAME)},
    inbound={
        MESSAGE_TYPE: InboundType(MESSAGE_TYPE, SCHEMA, translate_order_line, format=JSON),
    },
    policy=POLICY,
    transports=("file",),
)

__all__ = [
    "NAME",
    "PARTNER",
    "POLICY",
    "LineError",
    "OrderFileHeader",
    "OrderFileReader",
    "OrderFileRejected",
    "OrderFileSummary",
    "OrderLine",
    "Receipt",
    "ReceiptEntry",
    "ReceiptIncomplete",
    "adapter",
    "answer_order_file",
    "check_order_file",
    "line_document",
    "line_message_id",
    "order_line_person_key",
    "read_order_file",
    "read_receipt",
    "read_roll",
    "receipt_entries",
    "translate_order_line",
    "write_receipt",
    "write_rejection",
    "write_roll",
]
