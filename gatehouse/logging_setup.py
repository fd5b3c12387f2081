"""How loud the libraries the hub uses may be in its logs, for every ``gatehouse`` command.

The hub's own records say what happened in its words, one line each; the libraries' loggers
are held at ``LIBRARY_LOG_LEVELS`` so that they do not bury them.
"""

from __future__ import annotations

import logging

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


def quiet_libraries(verbose: bool = False) -> None:
    """Set the libraries' loggers to ``LIBRARY_LOG_LEVELS``; ``verbose`` lets pika warn."""
    for name, level in LIBRARY_LOG_LEVELS.items():
        logging.getLogger(name).setLevel(logging.WARNING if verbose else level)
