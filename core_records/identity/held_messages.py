"""An inbound message as JSON, so that a message held for review can be applied later.

A held message is kept in the store (``identity_case.message``), not in a queue: it waits
for a person, for days perhaps, and must survive restarts and redeliveries alike.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from core_records.canteen.account import RecordCanteenTransaction
from core_records.commands import (
    Command,
    InboundMessage,
    PersonName,
    PersonParticulars,
    RecordReception,
    RecordRelease,
    RecordTransfer,
)
from core_records.custody.prison_records import RecordIncentiveReview, RecordPrisonAlert
from core_records.identifiers import Identifier
from core_records.partner_records.commands import RecordSentence

_KINDS: dict[str, type] = {
    "reception": RecordReception,
    "transfer": RecordTransfer,
    "release": RecordRelease,
    # A migrated legacy row: its reception comes with the person's sentence and balance.
    "sentence": RecordSentence,
    "canteen-transaction": RecordCanteenTransaction,
    "incentive-review": RecordIncentiveReview,
    "prison-alert": RecordPrisonAlert,
}
_KIND_OF = {kind: name for name, kind in _KINDS.items()}


def encode(message: InboundMessage) -> str:
    body = {
        "message_id": message.message_id,
        "correlation_id": message.correlation_id,
        "adapter": message.adapter,
        "message_type": message.message_type,
        "partner": message.partner,
        "received_at": message.received_at.isoformat(),
        "commands": [{"kind": _KIND_OF[type(c)], **asdict(c)} for c in message.commands],
    }
    return json.dumps(body, default=_iso, separators=(",", ":"))


def decode(text: str) -> InboundMessage:
    body = json.loads(text)
    return InboundMessage(
        message_id=body["message_id"],
        correlation_id=body["correlation_id"],
        adapter=body["adapter"],
        message_type=body["message_type"],
        partner=body["partner"],
        received_at=datetime.fromisoformat(body["received_at"]),
        commands=tuple(_command(c) for c in body["commands"]),
    )


def _iso(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__}")


def _identifiers(values: list[dict[str, str]]) -> tuple[Identifier, ...]:
    return tuple(Identifier(v["type"], v["value"]) for v in values)


def _command(fields: dict[str, Any]) -> Command:
    fields = dict(fields)
    kind = _KINDS[fields.pop("kind")]
    fields["occurred_at"] = datetime.fromisoformat(fields["occurred_at"])
    if kind is RecordReception:
        person = fields["person"]
        fields["person"] = PersonParticulars(
            identifiers=_identifiers(person["identifiers"]),
            name=PersonName(**person["name"]),
            date_of_birth=date.fromisoformat(person["date_of_birth"]),
            sex=person["sex"],
            aliases=tuple(PersonName(**a) for a in person["aliases"]),
        )
    else:
        fields["person"] = _identifiers(fields["person"])
    if kind is RecordSentence:
        fields["key_dates"] = tuple((c, date.fromisoformat(d)) for c, d in fields["key_dates"])
    return kind(**fields)  # type: ignore[no-any-return]
