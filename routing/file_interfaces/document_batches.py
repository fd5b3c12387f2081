"""Putting the documents of a partner's batch file on the normal pipeline.

Each document gets what a POST to the edge gets: safe parsing, the adapter's schema, its
translator (so an operator learns at once of a prison it does not run), and then the
inbound exchange, in chunks whose publishing the broker confirms, each with its journal
hop. A refused document is reported with its number, line and reason and never stops the
others. Should the broker fail part-way, ``BatchInterrupted`` says which item to start
again from: everything before it is durable, nothing after it was sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from adapters.base import Adapter, PartnerScope
from core_records.bookkeeping import journal
from core_records.bookkeeping.journal import Hop, Journal
from core_records.errors import PermanentError, TransientError
from routing.inbound import Submission, inbound_message
from routing.topology import Topology
from routing.transport import Transport
from schemas.loader import validate
from schemas.xml import parse_xml


@dataclass(frozen=True)
class BatchDocument:
    number: int
    line: int | None
    message_type: str | None
    body: bytes
    error: PermanentError | None = None


@dataclass(frozen=True)
class Refusal:
    number: int
    line: int | None
    reason: str


@dataclass
class BatchReport:
    reference: str
    accepted: list[str] = field(default_factory=list)
    """Message ids, in the batch's order."""
    refused: list[Refusal] = field(default_factory=list)


class BatchInterrupted(TransientError):
    """The broker failed part-way; items before ``resume_from`` are durable."""

    def __init__(self, reason: str, resume_from: int, report: BatchReport) -> None:
        super().__init__(reason)
        self.resume_from = resume_from
        self.report = report


def _check(adapter: Adapter, scope: PartnerScope, document: BatchDocument) -> None:
    if document.error is not None:
        raise document.error
    inbound = adapter.inbound_type(document.message_type or "")
    parsed = parse_xml(document.body)
    validate(parsed, inbound.schema)
    inbound.translate(parsed, scope)


@dataclass
class BatchFiles:
    transport: Transport
    topology: Topology
    journal: Journal
    chunk: int = 200
    """Documents published (and confirmed) at a time."""

    def accept(
        self,
        adapter: Adapter,
        scope: PartnerScope,
        reference: str,
        documents: Iterable[BatchDocument],
        *,
        from_item: int = 1,
    ) -> BatchReport:
        """Check and publish each document numbered ``from_item`` or later."""
        report = BatchReport(reference)
        pending: list[tuple[BatchDocument, Submission]] = []
        for document in documents:
            if document.number < from_item:
                continue
            try:
                _check(adapter, scope, document)
            except PermanentError as error:
                line = getattr(error, "line", None) or document.line
                report.refused.append(Refusal(document.number, line, error.reason))
                continue
            submission = Submission(
                adapter.name, document.message_type or "", scope.partner, document.body,
                datetime.now(UTC), reference,
            )  # fmt: skip
            pending.append((document, submission))
            if len(pending) >= self.chunk:
                self._publish(pending, report)
                pending = []
        self._publish(pending, report)
        return report

    def _publish(
        self, pending: list[tuple[BatchDocument, Submission]], report: BatchReport
    ) -> None:
        if not pending:
            return
        messages = [inbound_message(submission) for _, submission in pending]
        try:
            self.transport.publish(self.topology.inbound_exchange, messages)
        except TransientError as error:
            raise BatchInterrupted(
                f"the broker did not take item {pending[0][0].number} onwards: {error.reason}",
                pending[0][0].number,
                report,
            ) from error
        report.accepted.extend(m.message_id for m in messages)
        self.journal.record(
            [
                Hop(
                    message_id=message.message_id,
                    hop=journal.RECEIVED,
                    at=submission.received_at,
                    correlation_id=submission.correlation_id or message.message_id,
                    adapter=submission.adapter,
                    partner=submission.partner,
                    direction=journal.INBOUND,
                    message_type=submission.message_type,
                )
                for message, (_, submission) in zip(messages, pending, strict=True)
            ]
        )
