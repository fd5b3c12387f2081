"""The ``gatehouse`` command: ``app`` with every sub-command, added here and nowhere else.

Each module is one group of commands (``tokens``, ``dead-letters``, ``identity``...); all get
their hub, fail and name the actor through ``gatehouse.cli.common``. ``python -m gatehouse``
and the ``gatehouse`` console script run ``app``.

Conventions every group keeps: ``gatehouse --version``; a bare group prints its help and
exits 2 (Click's code for a command line without its command); ``--json`` on every list and
show command; a progress bar on stderr (at a terminal only) for long work; the exit codes of
``gatehouse.cli.common`` (0 done, 1 the hub could not do it, 2 a wrong command line).
"""

from __future__ import annotations

from importlib import metadata
from typing import Annotated

import typer
from pydantic import ValidationError

from gatehouse.cli.adapters import adapters_app
from gatehouse.cli.canteen import canteen_app
from gatehouse.cli.common import EXIT_CODES
from gatehouse.cli.db import db_app
from gatehouse.cli.dead_letters import dead_letters_app
from gatehouse.cli.estate import estate_app
from gatehouse.cli.files import files_app
from gatehouse.cli.identity import credentials_app, identity_app
from gatehouse.cli.ingest import ingest_app
from gatehouse.cli.interfaces import interfaces_app
from gatehouse.cli.lids import lids_app
from gatehouse.cli.messages import messages_app
from gatehouse.cli.mi import mi_app
from gatehouse.cli.pnc import pnc_app
from gatehouse.cli.private_prisons import private_prisons_app
from gatehouse.cli.processes import demo, serve, worker
from gatehouse.cli.replays import messages_replay, messages_resend
from gatehouse.cli.retention import retention_app
from gatehouse.cli.subscribers import subscribers_app
from gatehouse.cli.tokens import tokens_app
from gatehouse.cli.users import users_app
from gatehouse.logging_setup import quiet_libraries

__all__ = ["app"]

app = typer.Typer(
    help="Gatehouse: the integration hub of a prison case management system.",
    no_args_is_help=True,
    epilog=EXIT_CODES,
)


def version() -> str:
    """The installed version of the distribution that provides the ``gatehouse`` package."""
    names = metadata.packages_distributions().get("gatehouse", [])
    for name in (*names, "gatehouse-hub", "gatehouse"):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "unknown"


def _print_version(asked: bool) -> None:
    if asked:
        typer.echo(f"gatehouse {version()}")
        raise typer.Exit()


@app.callback()
def _every_command(
    _version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    # Libraries' loggers at their levels for every command (``worker -v`` loosens them).
    quiet_libraries()


app.command()(serve)
app.command()(worker)
app.command()(demo)
app.add_typer(db_app, name="db")
app.add_typer(tokens_app, name="tokens")
app.add_typer(dead_letters_app, name="dead-letters")
app.add_typer(interfaces_app, name="interfaces")
app.add_typer(adapters_app, name="adapters")
app.add_typer(messages_app, name="messages")
messages_app.command("replay")(messages_replay)
messages_app.command("resend")(messages_resend)
app.add_typer(private_prisons_app, name="private-prisons")
app.add_typer(lids_app, name="lids")
app.add_typer(users_app, name="users")
app.add_typer(identity_app, name="identity")
app.add_typer(credentials_app, name="credentials")
app.add_typer(pnc_app, name="pnc")
app.add_typer(canteen_app, name="canteen")
app.add_typer(files_app, name="files")
app.add_typer(retention_app, name="retention")
app.add_typer(subscribers_app, name="subscribers")
app.add_typer(mi_app, name="mi")
app.add_typer(estate_app, name="estate")
app.add_typer(ingest_app, name="ingest")


def main() -> None:
    """The console script: the app, with a setting that fails its checks answered as a
    configuration error naming the variable (exit 1) rather than a traceback."""
    try:
        app(prog_name="gatehouse")
    except ValidationError as error:
        for problem in error.errors():
            name = "GATEHOUSE_" + "__".join(str(part) for part in problem["loc"]).upper()
            typer.echo(f"error: {name}: {problem['msg']}", err=True)
        raise SystemExit(1) from None
