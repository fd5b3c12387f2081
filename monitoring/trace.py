"""A message's story from the journal: its status and every hop, with times.

The status of an inbound message is that of its latest hop of its own (accepted, stored,
rejected, ...); the events it caused are listed with where each has got to for each partner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core_records.bookkeeping import journal
from core_records.bookkeeping.journal import Hop

MESSAGE_STATUS = {
    journal.RECEIVED: "accepted",
    journal.STORED: "stored",
    journal.DUPLICATE: "stored",
    journal.REJECTED: "rejected",
    journal.RETRY_SCHEDULED: "retrying",
    journal.DEAD_LETTERED: "dead_lettered",
    journal.REPLAYED: "replayed",
    journal.DISCARDED: "discarded",
    # a possible match waiting for a person (core_records.store.record_store)
    "held": "held_for_review",
    # a legacy message waiting for its prison's go-live (core_records.estate.held)
    "held_until_live": "held_until_live",
}


@dataclass(frozen=True)
class MessageTrace:
    message_id: str
    hops: tuple[Hop, ...]

    @property
    def own_hops(self) -> list[Hop]:
        return [h for h in self.hops if h.message_id == self.message_id]

    @property
    def partner(self) -> str | None:
        return next((h.partner for h in self.own_hops if h.partner), None)

    @property
    def status(self) -> str:
        status = "unknown"
        for hop in self.own_hops:
            status = MESSAGE_STATUS.get(hop.hop, status)
        return status

    def events(self) -> list[dict[str, Any]]:
        """Each event the message caused, with its type and its state at each partner."""
        events: dict[str, dict[str, Any]] = {}
        for hop in self.hops:
            if hop.message_id == self.message_id:
                continue
            event = events.setdefault(
                hop.message_id,
                {"eventId": hop.message_id, "eventType": hop.message_type, "partners": {}},
            )
            if hop.hop == journal.EVENT_PUBLISHED:
                event["publishedAt"] = hop.at.isoformat()
            elif hop.partner:
                state = {"status": hop.hop, "at": hop.at.isoformat()}
                if hop.detail:  # why it is retrying, or what it waits behind and since when
                    state["detail"] = hop.detail
                event["partners"][hop.partner] = state
        return list(events.values())

    def as_dict(self) -> dict[str, Any]:
        own = self.own_hops
        first = own[0] if own else None
        return {
            "messageId": self.message_id,
            "status": self.status,
            "correlationId": first.correlation_id if first else None,
            "adapter": first.adapter if first else None,
            "messageType": first.message_type if first else None,
            "partner": self.partner,
            "personKey": next((h.person_key for h in self.hops if h.person_key), None),
            "hops": [hop_as_dict(h) for h in self.hops],
            "events": self.events(),
        }


def hop_as_dict(hop: Hop) -> dict[str, Any]:
    return {
        "hop": hop.hop,
        "at": hop.at.isoformat(),
        "outcome": hop.outcome,
        "messageId": hop.message_id,
        "messageType": hop.message_type,
        "partner": hop.partner,
        "direction": hop.direction,
        "detail": hop.detail,
    }


def trace_of(message_id: str, hops: Sequence[Hop]) -> MessageTrace | None:
    return MessageTrace(message_id, tuple(hops)) if hops else None
