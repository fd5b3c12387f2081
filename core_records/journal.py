"""The message journal: every hop of every message, with its time and outcome.

A hop is written in the same database transaction as the work it records where there is
one (``stored`` with the record change, ``event_published`` with the outbox mark), so the
journal never claims work that was rolled back.

Hop names, in the order a message meets them:

    received        the edge accepted the message and the broker confirmed it durable
    stored          ingest applied the message's commands to the record
    duplicate       ingest saw a message id it had already applied, and changed nothing
    rejected        ingest refused the message for good (the reason says why)
    event_published the relay published a canonical event the message caused
    delivered       an outbound worker delivered an event to a partner
    filtered        a partner's sharing policy withheld an event from it
    retry_scheduled a delivery or ingest failed transiently and will be tried again
    dead_lettered   the message reached the dead-letter store
    replayed        an operator sent a dead letter back to its queue
    discarded       an operator discarded a dead letter
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

RECEIVED = "received"
STORED = "stored"
DUPLICATE = "duplicate"
REJECTED = "rejected"
EVENT_PUBLISHED = "event_published"
DELIVERED = "delivered"
FILTERED = "filtered"
RETRY_SCHEDULED = "retry_scheduled"
DEAD_LETTERED = "dead_lettered"
REPLAYED = "replayed"
DISCARDED = "discarded"

INBOUND = "inbound"
OUTBOUND = "outbound"
INTERNAL = "internal"


@dataclass(frozen=True)
class Hop:
    """One step of one message.

    ``message_id`` is the message the hop is about: an inbound message's id, or a canonical
    event's id for relay and delivery hops. ``causation_id`` is the message that caused it
    (the inbound message, for an event), and ``correlation_id`` is shared by everything one
    partner message set in motion.
    """

    message_id: str
    hop: str
    at: datetime
    outcome: str = "ok"
    """ok, error or retry."""
    correlation_id: str | None = None
    causation_id: str | None = None
    adapter: str | None = None
    partner: str | None = None
    direction: str | None = None
    message_type: str | None = None
    person_key: str | None = None
    detail: str | None = None
