"""``gatehouse tokens``: a partner's inbound tokens, issued, listed and revoked (scoped and
rotating tokens are ``gatehouse credentials``)."""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated

import typer

from gatehouse.cli.common import JsonOption, actor, echo_json, open_hub

tokens_app = typer.Typer(help="Partner credentials.", no_args_is_help=True)


@tokens_app.command("create")
def tokens_create(
    partner: Annotated[str, typer.Option(help="The partner the token is for.")],
) -> None:
    """Issue a token for a partner. It is printed once; only its hash is stored."""
    with open_hub() as hub:
        scope = hub.registry.scope_for_partner(partner)
        token = hub.credentials.issue(scope.partner, actor=actor())
    typer.echo(token)
    typer.secho(
        f"token for {scope.partner} ({scope.adapter}); it will not be shown again", err=True
    )


@tokens_app.command("list")
def tokens_list(
    partner: Annotated[str | None, typer.Option()] = None, as_json: JsonOption = False
) -> None:
    """Tokens issued, without their secrets: one JSON object a line, or with ``--json`` one
    JSON array."""
    with open_hub() as hub:
        issued = [dataclasses.asdict(token) for token in hub.credentials.list(partner)]
    if as_json:
        echo_json(issued)
        return
    for token in issued:
        typer.echo(json.dumps(token, default=str))


@tokens_app.command("revoke")
def tokens_revoke(
    partner: Annotated[str, typer.Option(help="Revoke every token of this partner.")],
) -> None:
    """Revoke a partner's tokens; it takes effect at once."""
    with open_hub() as hub:
        revoked = hub.credentials.revoke(partner, actor=actor())
    typer.echo(f"revoked {revoked} token(s) of {partner}")
