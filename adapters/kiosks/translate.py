"""Kiosk documents (JSON, validated already) into canonical commands: an order becomes one
canteen spend of its total, an application a ``RecordApplication``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adapters.base import PartnerScope
from core_records.canteen.account import SPEND, RecordCanteenTransaction
from core_records.custody.applications import RecordApplication
from core_records.errors import InvalidMessage, NotPermitted
from core_records.identifiers import NOMS, Identifier

MAX_ORDER_PENCE = 100_000
"""The largest order a kiosk may place (1,000 pounds), as for a shop's order line."""


def translate_order(document: Any, scope: PartnerScope) -> tuple[RecordCanteenTransaction, ...]:
    establishment = _own_prison(document, scope)
    total = sum(item["quantity"] * item["unitPricePence"] for item in document["items"])
    if total > MAX_ORDER_PENCE:
        raise InvalidMessage(
            f"the order totals {total}p, over the {MAX_ORDER_PENCE}p a kiosk order may be",
            element="$.items",
            rule="order-total",
        )
    return (
        RecordCanteenTransaction(
            person=(Identifier(NOMS, document["prisonNumber"]),),
            transaction_type=SPEND,
            amount_pence=total,
            client_reference=document["orderReference"],
            occurred_at=_time(document, "placedAt"),
            establishment=establishment,
        ),
    )


def translate_application(document: Any, scope: PartnerScope) -> tuple[RecordApplication, ...]:
    return (
        RecordApplication(
            person=(Identifier(NOMS, document["prisonNumber"]),),
            establishment=_own_prison(document, scope),
            application_type=document["applicationType"],
            text=document["text"].strip(),
            client_reference=document["applicationReference"],
            occurred_at=_time(document, "submittedAt"),
        ),
    )


def _own_prison(document: Any, scope: PartnerScope) -> str:
    establishment: str = document["establishment"]
    if establishment not in scope.establishments:
        raise NotPermitted(f"{scope.partner} is not a kiosk at {establishment}")
    return establishment


def _time(document: Any, key: str) -> datetime:
    try:
        return datetime.fromisoformat(document[key])
    except ValueError:
        raise InvalidMessage(
            f"{key} {document[key]!r} is not a date and time", element=f"$.{key}", rule="date-time"
        ) from None
