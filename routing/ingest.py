"""Ingest: inbound partner messages become record changes and outbox events.

One batch at a time: take up to ``batch_size`` deliveries from the ingest queue, decode each
(parse safely, validate against the adapter's schema, translate with the adapter), apply the
whole batch to the store in one transaction (each message in its own savepoint, with its
inbox row, outbox rows and journal hop), and only then ack. A message that fails for good
goes to the dead-letter queue with its reason; one that fails transiently waits in a delay
tier. A batch the store cannot take (database down) is handed back whole, unacked, so
nothing is lost and order is kept; the runner backs off before trying again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from adapters.registry import AdapterRegistry
from core_records.bookkeeping import journal
from core_records.bookkeeping.journal import Hop, Journal
from core_records.bookkeeping.message_history import Document
from core_records.commands import InboundMessage
from core_records.errors import ConcurrentUpdate, InvalidMessage, NotPermitted
from core_records.store.record_store import ApplyOutcome, RecordStore
from routing import worker_metrics
from routing.estate_gate import EstateGate
from routing.log_context import bound_to
from routing.message_documents import inbound_document, inbound_documents
from routing.messages import (
    HEADER_ADAPTER,
    HEADER_MESSAGE_TYPE,
    HEADER_PARTNER,
    HEADER_RECEIVED_AT,
    HEADER_SCHEMA_CHECKED,
    SCHEMA_CHECKED,
    Delivery,
)
from routing.retry import DeadLetter, RetryPolicy, describe
from routing.transport import Consumer
from routing.worker import handed_back_on_error, settle_safely

log = logging.getLogger(__name__)


@dataclass
class IngestWorker:
    """Consumes the ingest queue; ``run_once`` handles one batch from fetch to settlement."""

    consumer: Consumer
    store: RecordStore
    journal: Journal
    registry: AdapterRegistry
    retry_policy: RetryPolicy
    batch_size: int = 200
    fetch_timeout_s: float = 0.5
    max_body_bytes: int = 1_048_576
    concurrent_update_retries: int = 3
    name: str = "ingest"
    keep_documents: bool = True
    """Keep each partner document in the message history with its hop
    (``core_records.bookkeeping.message_history``)."""
    gate: EstateGate | None = None
    """Holds or refuses legacy-system messages by their prison's state (``routing.estate_gate``)."""

    def run_once(self) -> int:
        deliveries = self.consumer.fetch(self.batch_size, self.fetch_timeout_s)
        if not deliveries:
            return 0
        with handed_back_on_error(self.consumer, deliveries):
            decoded: list[tuple[Delivery, InboundMessage]] = []
            failed: list[tuple[Delivery, BaseException]] = []
            for delivery in deliveries:
                with bound_to(delivery.message):
                    try:
                        decoded.append((delivery, self.decode(delivery)))
                    except Exception as error:  # every failure is settled below, none escapes
                        failed.append((delivery, error))
            held: list[Delivery] = []
            if self.gate is not None:
                screened = self.gate.screen(decoded)
                decoded, held = screened.to_apply, screened.held
                failed.extend(screened.refused)
            documents = inbound_documents(d for d, _ in decoded) if self.keep_documents else {}
            outcomes = self._apply([message for _, message in decoded], documents)

        done: list[Delivery] = list(held)
        worker_metrics.count(self.name, "held", len(held))
        for (delivery, _), outcome in zip(decoded, outcomes, strict=True):
            if outcome.status == "rejected" and outcome.error is not None:
                failed.append((delivery, outcome.error))
            else:
                done.append(delivery)
                worker_metrics.count(self.name, outcome.status)
                with bound_to(delivery.message):
                    log.debug("ingest %s: %s", delivery.message.message_id, outcome.status)
        self.consumer.ack(done)
        self._settle_failures(failed, already_journaled={o.message_id for o in outcomes})
        return len(deliveries)

    def decode(self, delivery: Delivery) -> InboundMessage:
        """The inbound message a delivery carries, with its commands; raises a
        ``PermanentError`` when the document cannot be accepted."""
        message = delivery.message
        adapter_name = message.headers.get(HEADER_ADAPTER)
        message_type = message.headers.get(HEADER_MESSAGE_TYPE)
        partner = message.headers.get(HEADER_PARTNER)
        if not adapter_name or not message_type or not partner:
            raise InvalidMessage(
                "the message lacks its adapter, message type or partner header", rule="headers"
            )
        try:
            adapter = self.registry.adapter(adapter_name)
            scope = self.registry.scope_for_partner(partner)
        except LookupError as error:
            raise InvalidMessage(str(error), rule="headers") from error
        if scope.adapter != adapter.name:
            raise NotPermitted(f"partner {partner} may not send {adapter.name} messages")
        inbound_type = adapter.inbound_type(message_type)
        if message.headers.get(HEADER_SCHEMA_CHECKED) == SCHEMA_CHECKED:
            document = inbound_type.parse(message.body, max_bytes=self.max_body_bytes)
        else:
            document = inbound_type.read(message.body, max_bytes=self.max_body_bytes)
        commands = inbound_type.translate(document, scope)
        received_at = message.headers.get(HEADER_RECEIVED_AT)
        return InboundMessage(
            message_id=message.message_id,
            correlation_id=message.correlation_id,
            adapter=adapter.name,
            message_type=message_type,
            partner=partner,
            received_at=datetime.fromisoformat(received_at) if received_at else message.timestamp,
            commands=tuple(commands),
        )

    def _apply(
        self, messages: Sequence[InboundMessage], documents: dict[str, Document]
    ) -> list[ApplyOutcome]:
        for attempt in range(self.concurrent_update_retries + 1):
            try:
                return self.store.apply(messages, documents=documents)
            except ConcurrentUpdate:
                if attempt == self.concurrent_update_retries:
                    raise
        raise AssertionError("unreachable")

    def _settle_failures(
        self, failed: list[tuple[Delivery, BaseException]], already_journaled: set[str]
    ) -> None:
        hops: list[Hop] = []
        now = datetime.now(UTC)
        for delivery, error in failed:
            with bound_to(delivery.message):
                self._settle_failure(delivery, error, now, already_journaled, hops)
        # A document refused before it reached the store is kept with its rejected hop.
        rejected = {h.message_id for h in hops if h.hop == journal.REJECTED}
        documents = [inbound_document(d) for d, _ in failed if d.message.message_id in rejected]
        if hops:
            self.journal.record(hops, documents if self.keep_documents else ())

    def _settle_failure(
        self,
        delivery: Delivery,
        error: BaseException,
        now: datetime,
        already_journaled: set[str],
        hops: list[Hop],
    ) -> None:
        """Dead-letter or retry one failed message; its journal hop goes on ``hops``."""
        message = delivery.message
        decision = self.retry_policy.decide(error, message.failures)
        base = Hop(
            message_id=message.message_id,
            hop=journal.REJECTED,
            at=now,
            outcome="error",
            correlation_id=message.correlation_id,
            adapter=message.headers.get(HEADER_ADAPTER),
            partner=message.headers.get(HEADER_PARTNER),
            direction=journal.INBOUND,
            message_type=message.headers.get(HEADER_MESSAGE_TYPE),
            detail=decision.reason,
        )
        if isinstance(decision, DeadLetter):
            if message.message_id not in already_journaled:
                hops.append(base)
            settle_safely(self.consumer, delivery, "dead_letter", decision.reason)
            worker_metrics.count(self.name, "dead_letter")
        else:
            hops.append(replace(base, hop=journal.RETRY_SCHEDULED, outcome="retry"))
            settle_safely(
                self.consumer, delivery, "retry_later", decision.delay_ms, decision.reason
            )
            worker_metrics.count(self.name, "retry")
        log.info("ingest %s: %s", message.message_id, describe(error))

    def close(self) -> None:
        self.consumer.close()
