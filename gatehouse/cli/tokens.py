"""``gatehouse tokens``: a partner's tokens, issued, listed and revoked: inbound ones
(``create``) and data-share ones that read for named purposes (``issue``). Rotation and
tokens of other scopes are ``gatehouse credentials``."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from typing import Annotated

import typer

from adapters import case_management
from core_records.bookkeeping.credentials import DATA_SHARE
from core_records.timestamps import utc_now
from gatehouse.bootstrap import Hub
from gatehouse.cli.common import JsonOption, actor, echo_json, fail_usage, open_hub
from gatehouse.partner_policies import grantable_purposes, partner_policy

tokens_app = typer.Typer(help="Partner credentials.", no_args_is_help=True)


@tokens_app.command("create")
def tokens_create(
    partner: Annotated[str | None, typer.Option(help="The partner the token is for.")] = None,
    establishment: Annotated[
        str | None,
        typer.Option(
            help="Instead of --partner: the staff application of this live prison (LEI), for"
            " the case-management API; the token may record for that prison only."
        ),
    ] = None,
) -> None:
    """Issue a token for a partner. It is printed once; only its hash is stored."""
    if (partner is None) == (establishment is None):
        raise fail_usage("name either --partner or --establishment")
    if establishment is not None:
        partner = case_management.partner_for(establishment.upper())
    assert partner is not None
    with open_hub() as hub:
        scope = hub.registry.scope_for_partner(partner)
        token = hub.credentials.issue(scope.partner, actor=actor())
    typer.echo(token)
    typer.secho(
        f"token for {scope.partner} ({scope.adapter}); it will not be shown again", err=True
    )


PurposeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--purpose",
        help="Repeatable: a purpose the partner's policy names. One is the purpose of a read"
        " that gives none (an event's detailUrl as given); a read for another is refused.",
    ),
]


@tokens_app.command("issue")
def tokens_issue(
    partner: Annotated[str, typer.Argument(help="The partner, e.g. delius or subscribers.mi.")],
    purpose: PurposeOption = None,
    expires_in_days: Annotated[float | None, typer.Option(min=0)] = None,
) -> None:
    """Issue a data-share token, reading for the purposes given. Printed once."""
    with open_hub() as hub:
        token = issue_data_share_token(hub, partner, purpose or [], expires_in_days)
    typer.echo(token)
    typer.secho(f"data-share token for {partner}; it will not be shown again", err=True)


def issue_data_share_token(
    hub: Hub, partner: str, purposes: list[str], expires_in_days: float | None
) -> str:
    """A data-share token for ``partner``; ValueError for a purpose its policy does not name,
    LookupError for a partner nobody serves."""
    policy = partner_policy(hub, partner)
    if not policy.person_fields:
        raise ValueError(f"{partner}'s policy shares no person fields: it cannot read anyone")
    return hub.credentials.issue(
        partner,
        actor=actor(),
        scopes=(DATA_SHARE,),
        purposes=grantable_purposes(partner, policy, purposes),
        expires_at=utc_now() + timedelta(days=expires_in_days)
        if expires_in_days is not None
        else None,
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
