"""A simulated operator system receiving custody notices, for tests, the demo and the
benchmark (``python -m adapters.private_prisons.notice_receiver serco --port 9002``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from adapters.private_prisons.person_update import SCHEMA as UPDATE_SCHEMA
from adapters.private_prisons.render import SCHEMA
from adapters.transports.document_receiver import (
    DocumentReceiver,
    running_document_receiver,
    serve_from_command_line,
)

PATH = "/custody-notices"


class NoticeReceiver(DocumentReceiver):
    """Receives custody notices at ``/custody-notices``, checked against their schema; a
    repeat of an event it has received is dropped."""

    def __init__(self, operator: str, *, validate: bool = True) -> None:
        super().__init__(
            f"Simulated {operator} system",
            PATH,
            {"CustodyNotice": SCHEMA, "PersonUpdated": UPDATE_SCHEMA},
            validate=validate,
        )
        self.operator = operator


@contextmanager
def running_notice_receiver(operator: str) -> Iterator[tuple[str, NoticeReceiver]]:
    """Serve a receiver on a free 127.0.0.1 port; yields (its URL, receiver)."""
    receiver = NoticeReceiver(operator)
    with running_document_receiver(receiver) as url:
        yield url, receiver


def main() -> None:
    """``python -m adapters.private_prisons.notice_receiver OPERATOR``: one operator's
    simulated system in a process of its own."""
    serve_from_command_line(
        "A simulated operator's custody-notice receiver.",
        9002,
        lambda arguments, validate: NoticeReceiver(arguments.operator, validate=validate).app,
        positional=("operator", "the operator's partner name, e.g. serco"),
    )


if __name__ == "__main__":
    main()
