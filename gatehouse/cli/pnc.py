"""``gatehouse pnc``: what the hub is waiting for from PNC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from core_records.partner_records.police_lookups import awaiting_pnc
from gatehouse.cli.common import JsonOption, echo_json, open_hub

pnc_app = typer.Typer(help="The Police National Computer (PNC).", no_args_is_help=True)


@pnc_app.command("awaiting")
def pnc_awaiting(
    older_than_minutes: Annotated[
        int, typer.Option(min=0, help="Only people received at least this long ago.")
    ] = 30,
    as_json: JsonOption = False,
) -> None:
    """People in prison without a PNC id whose lookup PNC has not answered."""
    with open_hub() as hub:
        cutoff = datetime.now(UTC) - timedelta(minutes=older_than_minutes)
        waiting = awaiting_pnc(hub.engine, received_before=cutoff)
    if as_json:
        echo_json(
            [
                {
                    "prisonNumber": row.prison_number,
                    "establishment": row.establishment,
                    "receivedAt": row.received_at.isoformat(),
                }
                for row in waiting
            ]
        )
        return
    for row in waiting:
        typer.echo(
            f"{row.prison_number}  {row.establishment}  received {row.received_at.isoformat()}"
        )
    typer.echo(f"{len(waiting)} waiting for PNC for over {older_than_minutes} minutes")
