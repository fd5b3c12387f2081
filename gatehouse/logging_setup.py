"""How the hub logs, for every ``gatehouse`` command: one line a record, as JSON or as text,
with the libraries it uses held quiet.

``json`` (``GATEHOUSE_LOG_FORMAT``; the default of ``gatehouse serve`` and ``gatehouse
worker``) writes each record as one JSON object on one line: ``time`` (ISO 8601, UTC),
``level``, ``logger``, ``message``, the ids of the message being handled (``message_id``,
``correlation_id``, ``causation_id``, bound by ``routing.log_context.bound``), anything a
call passed in ``extra``, and a traceback folded into ``exc_info``. ``text`` (the demo's
default) is for people reading a terminal. The hub's own records say what happened in its
words; the libraries' loggers are held at ``LIBRARY_LOG_LEVELS`` so that they do not bury
them.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Literal, TextIO

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from routing.log_context import BoundIdsFilter

LogFormat = Literal["json", "text"]
HANDLER_NAME = "gatehouse"
TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"

LIBRARY_LOG_LEVELS = {
    "httpx": logging.WARNING,
    "urllib3": logging.WARNING,
    "paramiko": logging.WARNING,
    "alembic": logging.WARNING,
    # pika logs an ERROR with a stack trace for every dropped stream and every failed
    # connection attempt (hundreds during a broker restart). Each of those also reaches the
    # hub, as an exception or a close callback, and the hub says it once, in one line, when
    # the connection is lost and when it is back (routing.rabbitmq.reconnect): so pika says
    # only what is critical, unless the worker runs with --verbose.
    "pika": logging.CRITICAL,
}
"""The level of each library's logger, whatever the root level."""


class OneLineJsonFormatter(JsonFormatter):
    """A record as one line of JSON: time, level, logger, message, then the bound ids and
    extras; ``exc_info`` and ``stack_info`` are strings inside it, never lines of their own."""

    def __init__(self) -> None:
        super().__init__(
            "{asctime}{levelname}{name}{message}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            # uvicorn's records carry their message again with terminal colour codes.
            reserved_attrs=[*RESERVED_ATTRS, "color_message"],
        )

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


def configure(
    log_format: LogFormat, verbose: bool = False, stream: TextIO | None = None
) -> logging.Handler:
    """Log to ``stream`` (stderr by default) in ``log_format`` from the root logger down, at
    INFO (DEBUG when ``verbose``), with the bound message ids on every record; replaces the
    handler an earlier call added (others, such as pytest's, stay), and returns the new one."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        OneLineJsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    handler.addFilter(BoundIdsFilter())
    handler.set_name(HANDLER_NAME)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    quiet_libraries(verbose)
    return handler


def quiet_libraries(verbose: bool = False) -> None:
    """Set the libraries' loggers to ``LIBRARY_LOG_LEVELS``; ``verbose`` lets pika warn."""
    for name, level in LIBRARY_LOG_LEVELS.items():
        logging.getLogger(name).setLevel(logging.WARNING if verbose else level)
