"""The ids of the message being handled, bound for every log record made while handling it.

A worker loop or an API route wraps the handling of one message in ``bound(message_id=...,
correlation_id=..., causation_id=...)``; ``BoundIdsFilter``, on the log handlers
(``gatehouse.logging_setup``), copies whatever is bound onto each record, so a JSON log line
names the message whichever module logged it, and a message can be followed through every
process by its correlation id. The ids live in a context variable: each thread, and each
request of the API, has its own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from types import MappingProxyType

from routing.messages import HEADER_CAUSATION_ID, Message

FIELDS = ("message_id", "correlation_id", "causation_id")
"""The ids that may be bound, as they are named on log records."""

_bound: ContextVar[Mapping[str, str]] = ContextVar(
    "gatehouse_log_ids", default=MappingProxyType({})
)


@contextmanager
def bound(
    *,
    message_id: str | None = None,
    correlation_id: str | None = None,
    causation_id: str | None = None,
) -> Iterator[None]:
    """Bind these ids (those not ``None``) for the records logged inside the block; ids bound
    by an enclosing block stay unless given again."""
    given = {
        "message_id": message_id,
        "correlation_id": correlation_id,
        "causation_id": causation_id,
    }
    token = _bound.set({**_bound.get(), **{k: v for k, v in given.items() if v}})
    try:
        yield
    finally:
        _bound.reset(token)


def current_ids() -> Mapping[str, str]:
    """The ids bound here and now."""
    return _bound.get()


class BoundIdsFilter(logging.Filter):
    """Copies the bound ids onto every record it sees (an id the call gave in ``extra`` wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _bound.get().items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


def bound_to(message: Message) -> AbstractContextManager[None]:
    """``bound`` to a transport message's own id, correlation id and causation id."""
    return bound(
        message_id=message.message_id,
        correlation_id=message.correlation_id,
        causation_id=message.headers.get(HEADER_CAUSATION_ID),
    )
