"""One order-file line as a message on the hub's pipeline, and its translation.

The file is the unit of receipt, the line the unit of work: each well-formed line travels
as its own ``order_line`` message (JSON, ``schemas/prison_shops/order-line-v1.schema.json``)
with a message id made from the file's id and the line number, so that submitting the same
file again (after a crash, say) changes nothing twice: the store's inbox has seen each id.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from adapters.base import PartnerScope
from adapters.prison_shops.order_file import OrderFileHeader, OrderLine
from core_records.canteen.account import RecordCanteenTransaction
from core_records.errors import InvalidMessage
from core_records.identifiers import NOMS, Identifier

MESSAGE_TYPE = "order_line"
SCHEMA = "prison_shops/order-line-v1.schema.json"


def line_message_id(file_id: str, line_number: int) -> str:
    """The message id of a line: the same for the same line of the same file, every time."""
    return f"canteen-order:{file_id}:{line_number}"


def line_document(file_id: str, header: OrderFileHeader, line: OrderLine) -> bytes:
    """The JSON message body for one line."""
    return json.dumps(
        {
            "version": 1,
            "orderFile": {
                "id": file_id,
                "reference": header.file_reference,
                "establishment": header.establishment,
            },
            "lineNumber": line.line_number,
            "clientReference": line.client_reference,
            "prisonNumber": line.prison_number,
            "transactionType": line.transaction_type,
            "amountPence": line.amount_pence,
            "orderedAt": line.ordered_at.isoformat(),
        },
        separators=(",", ":"),
    ).encode()


def translate_order_line(
    document: Any, scope: PartnerScope
) -> tuple[RecordCanteenTransaction, ...]:
    """A validated order-line document in, one canteen transaction out."""
    try:
        ordered_at = datetime.fromisoformat(document["orderedAt"])
    except ValueError:
        raise InvalidMessage(
            f"orderedAt {document['orderedAt']!r} is not a date and time",
            element="$.orderedAt",
            rule="date-time",
        ) from None
    order_file = document["orderFile"]
    return (
        RecordCanteenTransaction(
            person=(Identifier(NOMS, document["prisonNumber"]),),
            transaction_type=document["transactionType"],
            amount_pence=document["amountPence"],
            client_reference=document["clientReference"],
            occurred_at=ordered_at,
            establishment=order_file["establishment"],
            order_file=order_file["id"],
            line_number=document["lineNumber"],
        ),
    )
