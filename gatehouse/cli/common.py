"""What every ``gatehouse`` command shares: a hub that is closed when the command is done,
one way to fail (``error: ...`` on stderr, exit status 2), and the name of whoever runs it."""

from __future__ import annotations

import getpass
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from core_records.errors import GatehouseError
from gatehouse.bootstrap import ConfigurationError, Hub, build_hub
from gatehouse.settings import Settings


def fail(message: str) -> typer.Exit:
    """Say what went wrong; the caller raises what this returns (``raise fail(...)``)."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(code=2)


@contextmanager
def open_hub() -> Iterator[Hub]:
    """The hub on the environment's settings, closed on leaving.

    A hub that cannot be built, or a refusal raised inside the block (a ``GatehouseError``,
    ``LookupError`` or ``ValueError``: no such partner, case, dead letter...), ends the command
    with ``fail`` and its reason.
    """
    settings = Settings()
    try:
        # The embedded default has no separate deployment step, so it migrates itself.
        hub = build_hub(settings, migrate=settings.database_url is None)
    except (ConfigurationError, GatehouseError) as error:
        raise fail(str(error)) from error
    try:
        yield hub
    except (GatehouseError, LookupError, ValueError) as error:
        raise fail(getattr(error, "reason", str(error))) from error
    finally:
        hub.close()


def actor() -> str:
    """Who runs the command, as recorded in the audit trail: ``user@host``."""
    return f"{getpass.getuser()}@{socket.gethostname()}"
