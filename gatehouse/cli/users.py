"""``gatehouse users``: dashboard users, and lifting their sign-in lockouts."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from core_records.bookkeeping.sign_in_throttle import ADDRESS, USER, SignInThrottle
from gatehouse.cli.common import (
    JsonOption,
    actor,
    echo_json,
    fail,
    fail_usage,
    one_of,
    open_hub,
)
from monitoring.dashboard.users import MIN_PASSWORD_LENGTH, ROLES, DashboardUsers, UserError

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
    one_of("--role", role, ROLES)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise fail_usage(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
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


@users_app.command("unlock")
def users_unlock(
    name: Annotated[str, typer.Argument(help="The user name (or, with --address, address).")],
    address: Annotated[
        bool, typer.Option("--address", help="Lift the lockout on a client address instead.")
    ] = False,
) -> None:
    """Lift a sign-in lockout now, on a user name or a client address (audited)."""
    kind = ADDRESS if address else USER
    with open_hub() as hub:
        throttle = SignInThrottle(hub.engine, hub.settings.sign_in_policy)
        if not throttle.unlock(kind, name, actor=actor()):
            raise fail(f"the {kind} {name!r} is not locked out")
    typer.echo(f"lifted the lockout on {kind} {name}")


@users_app.command("lockouts")
def users_lockouts(as_json: JsonOption = False) -> None:
    """Every sign-in lockout in force: user names and client addresses, and until when."""
    with open_hub() as hub:
        lockouts = SignInThrottle(hub.engine, hub.settings.sign_in_policy).lockouts()
    if as_json:
        echo_json(
            [
                {"kind": one.kind, "subject": one.subject, "until": one.until.isoformat()}
                for one in lockouts
            ]
        )
        return
    if not lockouts:
        typer.echo("no user name or address is locked out")
    for lockout in lockouts:
        until = lockout.until.strftime("%Y-%m-%d %H:%M:%S UTC")
        typer.echo(f"{lockout.kind}\t{lockout.subject}\tuntil {until}")


@users_app.command("grant-content")
def users_grant_content(
    username: Annotated[str, typer.Argument(help="The dashboard user to grant.")],
) -> None:
    """Let a user read the partner documents kept in the message history (audited). The
    role alone never allows it: admins need this grant too."""
    _content_grant(username, granted=True)
    typer.echo(f"{username} may now read kept documents, giving a reason each time")


@users_app.command("revoke-content")
def users_revoke_content(
    username: Annotated[str, typer.Argument(help="The dashboard user to revoke.")],
) -> None:
    """Stop a user reading kept partner documents (audited); they still see hops."""
    _content_grant(username, granted=False)
    typer.echo(f"{username} may no longer read kept documents")


def _content_grant(username: str, *, granted: bool) -> None:
    with open_hub() as hub:
        users = DashboardUsers(
            hub.engine,
            session_lifetime=timedelta(minutes=hub.settings.dashboard_session_minutes),
        )
        try:
            users.grant_content(username, granted, actor=actor())
        except UserError as error:
            raise fail(str(error)) from error
