"""``gatehouse users``: dashboard users."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from gatehouse.cli.common import actor, fail, open_hub
from monitoring.dashboard.users import ROLES, DashboardUsers, UserError

users_app = typer.Typer(help="Dashboard users.", no_args_is_help=True)


@users_app.command("create")
def users_create(
    username: Annotated[str, typer.Argument(help="The user name to sign in with.")],
    role: Annotated[str, typer.Option(help=f"One of {', '.join(ROLES)}.")] = "viewer",
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="GATEHOUSE_NEW_USER_PASSWORD",
            help="Asked for when not given (at least 12 characters).",
        ),
    ] = "",
) -> None:
    """Create a dashboard user; the password is stored as an argon2 hash only."""
    with open_hub() as hub:
        users = DashboardUsers(
            hub.engine,
            session_lifetime=timedelta(minutes=hub.settings.dashboard_session_minutes),
        )
        try:
            users.create(username, password, role, actor=actor())
        except UserError as error:
            raise fail(str(error)) from error
    typer.echo(f"created {role} {username}")
