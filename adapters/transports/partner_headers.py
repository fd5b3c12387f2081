"""The headers every document Gatehouse delivers to a partner carries, over HTTP and AMQP.

Delivery is at least once: a worker that dies between delivering a document and recording
the delivery delivers it again, and a service manager may replay a dead letter. So every
delivery names its event, and a partner drops a document whose event id it has seen:

    X-Gatehouse-Event-Id        the event's id, as ``EventId`` in the document (over AMQP
                                also the message's ``message_id``); the same on every
                                delivery of the event
    X-Gatehouse-Event-Type      the event type (over AMQP also the message's ``type``)
    X-Gatehouse-Correlation-Id  the chain of messages the event belongs to
    X-Gatehouse-Delivery        ``first``: not sent before, as far as Gatehouse knows;
                                ``redelivery``: may have reached the partner before (a
                                retry after a failure or a timeout, or a worker restart);
                                ``replay``: a service manager replayed it from the dead
                                letters, or replayed or resent documents the partner
                                had before (``X-Gatehouse-Replay`` says which run)
    X-Gatehouse-Replay          on a document sent again by a replay or resend only: the
                                replay run's id (``gatehouse messages replay``); a partner
                                that asked for the replay takes it even if it has the event

The simulated partners (``DocumentReceiver``, the simulated Delius, the AMQP partners) keep
the event ids they took and drop a repeat, answering success so that it is not sent again.
"""

from __future__ import annotations

from collections.abc import Mapping

EVENT_ID = "X-Gatehouse-Event-Id"
EVENT_TYPE = "X-Gatehouse-Event-Type"
CORRELATION_ID = "X-Gatehouse-Correlation-Id"
DELIVERY = "X-Gatehouse-Delivery"
REPLAY_ID = "X-Gatehouse-Replay"

FIRST = "first"
REDELIVERY = "redelivery"
REPLAY = "replay"
DELIVERY_KINDS = (FIRST, REDELIVERY, REPLAY)


def event_id_of(headers: Mapping[str, str]) -> str | None:
    """The event id among ``headers``, whatever their case (HTTP header names are not
    case-sensitive, and servers hand them over in lower case)."""
    wanted = EVENT_ID.lower()
    for name, value in headers.items():
        if name.lower() == wanted:
            return value or None
    return None


def replay_id_of(headers: Mapping[str, str]) -> str | None:
    """The replay run's id among ``headers`` (any case), on a replayed or resent document."""
    wanted = REPLAY_ID.lower()
    for name, value in headers.items():
        if name.lower() == wanted:
            return value or None
    return None
