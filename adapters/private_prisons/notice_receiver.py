"""A simulated operator system receiving custody notices, for tests, the demo and the
benchmark (``python -m adapters.private_prisons.notice_receiver serco --port 9002``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from adapters.private_prisons.custody_notice import SCHEMA
from adapters.transports.document_receiver import DocumentReceiver, running_document_receiver

PATH = "/custody-notices"


class NoticeReceiver(DocumentReceiver):
    """Receives custody notices at ``/custody-notices``, checked against their schema."""

    def __init__(self, operator: str, *, validate: bool = True) -> None:
        super().__init__(
            f"Simulated {operator} system", PATH, {"CustodyNotice": SCHEMA}, validate=validate
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
    import argparse

    import uvicorn

    parser = argparse.ArgumentParser(description="A simulated operator's custody-notice receiver.")
    parser.add_argument("operator", help="the operator's partner name, e.g. serco")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9002)
    parser.add_argument(
        "--no-validate",
        action="store_true",
        help="accept documents without checking them against the schema (for benchmarks)",
    )
    arguments = parser.parse_args()
    receiver = NoticeReceiver(arguments.operator, validate=not arguments.no_validate)
    uvicorn.run(receiver.app, host=arguments.host, port=arguments.port, log_level="warning")


if __name__ == "__main__":
    main()
