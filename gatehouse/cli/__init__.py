"""The ``gatehouse`` command: ``app`` with every sub-command, added here and nowhere else.

Each module is one group of commands (``tokens``, ``dead-letters``, ``identity``...); all get
their hub, fail and name the actor through ``gatehouse.cli.common``. ``python -m gatehouse``
and the ``gatehouse`` console script run ``app``.
"""

from __future__ import annotations

import typer

from gatehouse.cli.adapters import adapters_app
from gatehouse.cli.canteen import canteen_app
from gatehouse.cli.db import db_app
from gatehouse.cli.dead_letters import dead_letters_app
from gatehouse.cli.files import files_app
from gatehouse.cli.identity import credentials_app, identity_app
from gatehouse.cli.messages import messages_app
from gatehouse.cli.pnc import pnc_app
from gatehouse.cli.private_prisons import private_prisons_app
from gatehouse.cli.processes import demo, serve, worker
from gatehouse.cli.tokens import tokens_app
from gatehouse.cli.users import users_app

__all__ = ["app"]

app = typer.Typer(
    help="Gatehouse: the integration hub of a prison case management system.",
    no_args_is_help=True,
)
app.command()(serve)
app.command()(worker)
app.command()(demo)
app.add_typer(db_app, name="db")
app.add_typer(tokens_app, name="tokens")
app.add_typer(dead_letters_app, name="dead-letters")
app.add_typer(adapters_app, name="adapters")
app.add_typer(messages_app, name="messages")
app.add_typer(private_prisons_app, name="private-prisons")
app.add_typer(users_app, name="users")
app.add_typer(identity_app, name="identity")
app.add_typer(credentials_app, name="credentials")
app.add_typer(pnc_app, name="pnc")
app.add_typer(canteen_app, name="canteen")
app.add_typer(files_app, name="files")
