"""What every ``gatehouse`` command shares: a hub that is closed when the command is done,
one way to fail, the name of whoever runs it, ``--json`` output and progress bars.

Exit codes, the same for every command (``EXIT_CODES``, in ``gatehouse --help``):

    0  done as asked
    1  the hub could not do it: something named is not there (a partner, prison, interface,
       message, dead letter, case, user), or it was refused (already done, not permitted, a
       batch file refused), or the hub cannot be built from its configuration: ``fail``
    2  the command line is wrong: an unknown command or option, a missing or contradictory
       argument, a value outside the set the option documents (the message names the set)
       or not of its form: ``fail_usage`` (and Click's own usage errors)
"""

from __future__ import annotations

import getpass
import json
import logging
import socket
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from core_records.errors import GatehouseError, TransientError
from gatehouse.bootstrap import ConfigurationError, Hub, build_hub
from gatehouse.settings import Settings

log = logging.getLogger(__name__)

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_CODES = (
    "Exit codes: 0 done; 1 the hub could not do it (not found, refused, nothing to do); "
    "2 the command line is wrong (unknown option, bad or missing value)."
)

JsonOption = Annotated[bool, typer.Option("--json", help="JSON instead of text.")]


def fail(message: str) -> typer.Exit:
    """The hub could not do it (exit 1): say why; the caller raises what this returns
    (``raise fail(...)``)."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(code=EXIT_FAILED)


def fail_usage(message: str) -> typer.Exit:
    """The command line is wrong (exit 2, as for Click's own usage errors): say how."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(code=EXIT_USAGE)


def one_of(option: str, value: str, allowed: Iterable[str]) -> str:
    """``value`` if it is one of ``allowed``, else a usage failure naming them."""
    choices = tuple(allowed)
    if value not in choices:
        raise fail_usage(f"{option} must be one of {', '.join(choices)}, not {value!r}")
    return value


def echo_json(value: Any) -> None:
    """``value`` as one JSON document on stdout (dates and the like as strings)."""
    typer.echo(json.dumps(value, indent=2, default=str))


class Steps:
    """What ``progress`` yields: ``advance()`` after each step of the work."""

    def __init__(self, bar: Progress, task: TaskID) -> None:
        self._bar, self._task = bar, task

    def advance(self, steps: int = 1) -> None:
        self._bar.advance(self._task, steps)


@contextmanager
def progress(description: str, total: int | None = None) -> Iterator[Steps]:
    """A progress bar on stderr while the block runs: steps done of ``total`` (pulsing when
    the total is not known), and the time taken. Shown only when stderr is a terminal, so
    that pipes, logs and ``--json`` output carry none of it."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:.0f}" + ("/{task.total:.0f}" if total else "")),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=not sys.stderr.isatty(),
    )
    with bar:
        yield Steps(bar, bar.add_task(description, total=total))


@contextmanager
def open_hub(*, wait_until: threading.Event | None = None) -> Iterator[Hub]:
    """The hub on the environment's settings, closed on leaving.

    A hub that cannot be built, or a refusal raised inside the block (a ``GatehouseError``,
    ``LookupError`` or ``ValueError``: no such partner, case, dead letter...), ends the command
    with ``fail`` (exit 1) and its reason. A long-running process passes ``wait_until`` (its
    stop flag): while the store or the broker cannot be reached it waits for them, with one
    log line, rather than exiting, so that a worker started during a broker restart comes up
    when the broker does.
    """
    settings = Settings()
    try:
        hub = _build_hub(settings, wait_until)
    except (ConfigurationError, GatehouseError) as error:
        raise fail(str(error)) from error
    try:
        yield hub
    except (GatehouseError, LookupError, ValueError) as error:
        raise fail(getattr(error, "reason", str(error))) from error
    finally:
        hub.close()


def _build_hub(settings: Settings, wait_until: threading.Event | None) -> Hub:
    # The embedded default has no separate deployment step, so it migrates itself.
    migrate = settings.database_url is None
    pause, started = 0.5, time.monotonic()
    while True:
        try:
            hub = build_hub(settings, migrate=migrate)
        except TransientError as error:
            if wait_until is None or wait_until.is_set():
                raise
            if pause == 0.5:
                log.warning("cannot start yet: %s; waiting for it", error)
            if wait_until.wait(pause):
                raise
            pause = min(pause * 2, 30.0)
            continue
        if pause > 0.5:
            log.info("started after waiting %.0f s for the store and the broker",
                     time.monotonic() - started)  # fmt: skip
        return hub


def actor() -> str:
    """Who runs the command, as recorded in the audit trail: ``user@host``."""
    return f"{getpass.getuser()}@{socket.gethostname()}"
