"""A simulated operator system receiving custody notices, for tests and the demo."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from adapters.private_prisons.custody_notice import SCHEMA
from adapters.transports.document_receiver import DocumentReceiver, running_document_receiver

PATH = "/custody-notices"


class NoticeReceiver(DocumentReceiver):
    """Receives custody notices at ``/custody-notices``, checked against their schema."""

    def __init__(self, operator: str) -> None:
        super().__init__(f"Simulated {operator} system", PATH, {"CustodyNotice": SCHEMA})
        self.operator = operator


@contextmanager
def running_notice_receiver(operator: str) -> Iterator[tuple[str, NoticeReceiver]]:
    """Serve a receiver on a free 127.0.0.1 port; yields (its URL, receiver)."""
    receiver = NoticeReceiver(operator)
    with running_document_receiver(receiver) as url:
        yield url, receiver
