"""A simulated AMQP partner, for tests and the demo: the partner's side of
``routing.partner_amqp``, on any ``Transport`` (RabbitMQ, or the embedded one).

It consumes what Gatehouse published for the partner, hands each document to ``respond``
(the partner's own logic, e.g. ``adapters.pnc.simulator.PncSimulator.respond``), and sends
every answer, with the request's ``correlation_id``, to the exchange ``reply_to`` names, as
a partner restricted to its own exchange must. ``send`` publishes a document of the
partner's own to Gatehouse.

As a partner should, it keeps the ``message_id`` (Gatehouse's event id) of every document it
took and drops a repeat unanswered (``duplicates``), acking it so that it is not sent again,
unless it comes marked as a replay (``X-Gatehouse-Replay``), which it takes again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from adapters.transports import partner_headers
from routing.messages import AMQP_CORRELATION_ID, AMQP_REPLY_TO, AMQP_TYPE, Message
from routing.topology import (
    partner_inbound_exchange_name,
    partner_outbound_queue_name,
    partner_topology,
)
from routing.transport import Transport

log = logging.getLogger(__name__)

Respond = Callable[[str, bytes], list[tuple[str, bytes]]]
"""(AMQP type, document) in; the answers, as (message type, document), out."""


@dataclass
class SimulatedAmqpPartner:
    transport: Transport
    adapter: str
    namespace: str
    respond: Respond
    received: list[Message] = field(default_factory=list)
    """Everything Gatehouse delivered, in order, once each."""
    duplicates: list[Message] = field(default_factory=list)
    """Deliveries dropped because their message id (the event id) had been taken before."""
    name: str = ""

    def __post_init__(self) -> None:
        self.name = self.name or f"simulated-{self.adapter}"
        self.transport.declare(partner_topology([self.adapter], namespace=self.namespace))
        self._consumer = self.transport.consumer(
            partner_outbound_queue_name(self.adapter, self.namespace), prefetch=50
        )
        self._lock = threading.Lock()
        self._seen: set[str] = set()

    @property
    def duplicates_dropped(self) -> int:
        with self._lock:
            return len(self.duplicates)

    def run_once(self) -> int:
        deliveries = self._consumer.fetch(50, 0.2)
        for delivery in deliveries:
            message = delivery.message
            # A replay is what the partner asked for: taken again.
            replayed = partner_headers.REPLAY_ID in message.headers
            if message.message_id in self._seen and not replayed:
                with self._lock:
                    self.duplicates.append(message)
                self._consumer.ack([delivery])
                continue
            answers = self.respond(message.headers.get(AMQP_TYPE, ""), message.body)
            reply_to = message.headers.get(AMQP_REPLY_TO)
            if answers and reply_to:
                correlation = message.headers.get(AMQP_CORRELATION_ID, message.message_id)
                # reply_to names the partner's inbound queue, which the exchange of the same
                # name feeds: a partner whose user may write only that exchange
                # (routing.rabbitmq.partner_access) replies through it, not the default exchange.
                self.transport.publish(
                    reply_to,
                    [self._message(kind, body, correlation) for kind, body in answers],
                )
            with self._lock:
                self.received.append(message)
            self._seen.add(message.message_id)
            self._consumer.ack([delivery])
        return len(deliveries)

    def send(self, message_type: str, body: bytes, *, correlation_id: str | None = None) -> str:
        """Publish a document to Gatehouse; its message id, once durable."""
        message = self._message(message_type, body, correlation_id)
        self.transport.publish(
            partner_inbound_exchange_name(self.adapter, self.namespace), [message]
        )
        return message.message_id

    def received_bodies(self) -> list[bytes]:
        with self._lock:
            return [m.body for m in self.received]

    def _message(self, message_type: str, body: bytes, correlation_id: str | None) -> Message:
        headers = {AMQP_TYPE: message_type}
        if correlation_id:
            headers[AMQP_CORRELATION_ID] = correlation_id
        return Message(
            routing_key=message_type, body=body, headers=headers, content_type="application/xml"
        )

    def close(self) -> None:
        self._consumer.close()


@contextmanager
def running_partner(partner: SimulatedAmqpPartner) -> Iterator[SimulatedAmqpPartner]:
    """The partner answering in a thread of its own until the block ends."""
    stop = threading.Event()

    def run() -> None:
        try:
            while not stop.is_set():
                if partner.run_once() == 0:
                    stop.wait(0.02)
        except Exception:
            log.exception("%s stopped", partner.name)
        finally:
            partner.close()

    thread = threading.Thread(target=run, name=partner.name, daemon=True)
    thread.start()
    try:
        yield partner
    finally:
        stop.set()
        thread.join(timeout=10)
