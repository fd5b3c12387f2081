"""Putting the documents of a partner's batch file on the normal pipeline.

Each document gets what a POST to the edge gets: safe parsing, the adapter's schema, its
translator (so an operator learns at once of a prison it does not run), the claim on the
partner's own reference for it (its ``MessageReference``; ``core_records.bookkeeping.
submissions``) and then the inbound exchange, in chunks whose publishing the broker
confirms, each with its journal hop. A refused document is reported with its number, line
and reason and never stops the others.

The reference is the key, as at the edge: a document whose reference was accepted before
(the same file imported again, a resume from an item before the one named, the same
document posted) is sent again only if its publish was never confirmed, and then under its
first message id, which the ingest inbox applies once; a reference first used for a
different document is refused. Message ids are derived from (partner, reference), so that
even once a claim is pruned a re-import is the same message. Should the broker fail
part-way, ``BatchInterrupted`` says which item to start again from: everything before it
is durable.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from adapters.base import Adapter, PartnerScope
from core_records.bookkeeping import journal
from core_records.bookkeeping.journal import Hop, Journal
from core_records.bookkeeping.submissions import (
    CONFLICT,
    NEW,
    REPEAT,
    Claim,
    Submissions,
    body_sha256,
)
from core_records.errors import ConfirmUncertain, PermanentError, TransientError
from core_records.identity.person_keys import person_key_of
from routing.inbound import Submission, inbound_message
from routing.messages import new_message_id
from routing.topology import Topology
from routing.transport import Transport
from schemas.loader import validate
from schemas.xml import parse_xml

REFERENCE_IDS = uuid.UUID("6b0c2f4e-3d1a-5c8e-9f27-1a4b5c6d7e80")
"""The namespace of message ids derived from a partner's reference."""


def reference_message_id(partner: str, reference: str) -> str:
    """The message id of ``partner``'s document ``reference``: the same every time."""
    return str(uuid.uuid5(REFERENCE_IDS, f"{partner}\n{reference}"))


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
    """Message ids, in the batch's order (with those accepted before, under their ids)."""
    refused: list[Refusal] = field(default_factory=list)
    repeated: list[int] = field(default_factory=list)
    """Numbers of the accepted documents whose reference had been accepted before: nothing
    of them was applied again."""


class BatchInterrupted(TransientError):
    """The broker failed part-way; items before ``resume_from`` are durable."""

    def __init__(self, reason: str, resume_from: int, report: BatchReport) -> None:
        super().__init__(reason)
        self.resume_from = resume_from
        self.report = report


@dataclass(frozen=True)
class _Pending:
    document: BatchDocument
    submission: Submission
    reference: str | None
    claim: Claim | None

    @property
    def to_send(self) -> bool:
        return self.claim is None or not (self.claim.outcome == REPEAT and self.claim.confirmed)


def _check(
    adapter: Adapter, scope: PartnerScope, document: BatchDocument
) -> tuple[str | None, str | None]:
    """Refuse a document the edge would refuse; its reference, if it has one, and who it is
    about (its ingest partition's key)."""
    if document.error is not None:
        raise document.error
    inbound = adapter.inbound_type(document.message_type or "")
    parsed = parse_xml(document.body)
    validate(parsed, inbound.schema)
    commands = inbound.translate(parsed, scope)
    return inbound.reference(parsed), person_key_of(commands)


@dataclass
class BatchFiles:
    transport: Transport
    topology: Topology
    journal: Journal
    submissions: Submissions | None = None
    """Where references are claimed (None: a document is sent however often it comes, each
    time under the id derived from its reference, which the inbox applies once)."""
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
        pending: list[_Pending] = []
        for document in documents:
            if document.number < from_item:
                continue
            try:
                own_reference, person_key = _check(adapter, scope, document)
            except PermanentError as error:
                line = getattr(error, "line", None) or document.line
                report.refused.append(Refusal(document.number, line, error.reason))
                continue
            submission = Submission(
                adapter.name, document.message_type or "", scope.partner, document.body,
                datetime.now(UTC), reference,
                message_id=reference_message_id(scope.partner, own_reference)
                if own_reference else new_message_id(),
                person_key=person_key, schema_checked=True,
            )  # fmt: skip
            item = self._claimed(document, submission, own_reference, report)
            if item is not None:
                pending.append(item)
            if len(pending) >= self.chunk:
                self._publish(pending, report)
                pending = []
        self._publish(pending, report)
        return report

    def _claimed(
        self,
        document: BatchDocument,
        submission: Submission,
        reference: str | None,
        report: BatchReport,
    ) -> _Pending | None:
        """Claim the document's reference; None if it is refused for it."""
        if self.submissions is None or reference is None:
            return _Pending(document, submission, reference, None)
        claim = self.submissions.claim(
            submission.partner,
            reference,
            body_sha256(submission.body),
            submission.message_id or "",
            submission.received_at,
        )
        if claim.outcome == CONFLICT:
            report.refused.append(
                Refusal(
                    document.number,
                    document.line,
                    f"{submission.partner} already sent a different message with the"
                    f" reference {reference!r}: message {claim.message_id}; give each message"
                    " its own reference",
                )
            )
            return None
        return _Pending(
            document, replace(submission, message_id=claim.message_id), reference, claim
        )

    def _publish(self, pending: list[_Pending], report: BatchReport) -> None:
        if not pending:
            return
        sending = [item for item in pending if item.to_send]
        messages = [inbound_message(item.submission) for item in sending]
        try:
            if messages:
                self.transport.publish(self.topology.inbound_exchange, messages)
        except TransientError as error:
            if not isinstance(error, ConfirmUncertain):  # nothing was stored: forget
                self._settle(sending, confirmed=False)
            first = pending[0].document.number
            raise BatchInterrupted(
                f"the broker did not take item {first} onwards: {error.reason}", first, report
            ) from error
        self._settle(sending, confirmed=True)
        for item in pending:
            report.accepted.append(item.submission.message_id or "")
            if item.claim is not None and item.claim.outcome == REPEAT:
                report.repeated.append(item.document.number)
        if sending:
            self.journal.record([_received(item.submission) for item in sending])

    def _settle(self, sent: list[_Pending], *, confirmed: bool) -> None:
        if self.submissions is None:
            return
        for item in sent:
            if item.claim is None or item.reference is None:
                continue
            message_id, partner = item.submission.message_id or "", item.submission.partner
            if confirmed:
                self.submissions.mark_confirmed(
                    partner, item.reference, body_sha256(item.submission.body), message_id
                )
            elif item.claim.outcome == NEW:
                self.submissions.forget(partner, item.reference, message_id)


def _received(submission: Submission) -> Hop:
    message_id = submission.message_id or ""
    return Hop(
        message_id=message_id,
        hop=journal.RECEIVED,
        at=submission.received_at,
        correlation_id=submission.correlation_id or message_id,
        adapter=submission.adapter,
        partner=submission.partner,
        direction=journal.INBOUND,
        message_type=submission.message_type,
    )
