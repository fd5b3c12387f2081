"""``gatehouse estate``: the prisons of the estate and their deployment state.

    status            every prison: legacy, migrating, live, or run by its operator; with
                      the messages held for it and when it was last heard from
    start-migration   legacy -> migrating: its legacy feed is held from now on
    go-live           migrating -> live: the held messages are applied, in order, and its
                      legacy feed is refused from then on
    roll-back         migrating -> legacy, with a reason: the held messages are applied
    migrate           load a prison's legacy extract, with its cleansing report
                      (``gatehouse.cli.estate_migration``); legacy -> migrating as it starts
    generate-extract  write a generated legacy extract with realistic dirt, to try one out

Each move is audited with the actor of the command line (``user@host``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from core_records import estate
from gatehouse.cli.common import JsonOption, actor, echo_json, open_hub
from gatehouse.cli.estate_migration import estate_generate_extract, estate_migrate
from monitoring.estate import estate_overview
from routing.estate_release import Released, go_live, roll_back

estate_app = typer.Typer(help="The estate: each prison's deployment state.", no_args_is_help=True)

Establishment = Annotated[str, typer.Argument(help="The prison's code, e.g. LEI.")]
estate_app.command("migrate")(estate_migrate)
estate_app.command("generate-extract")(estate_generate_extract)


@estate_app.command("status")
def estate_status(as_json: JsonOption = False) -> None:
    """Every prison with its state (or the operator that runs it), the legacy messages held
    for it, and the time of its last message."""
    with open_hub() as hub:
        rows = estate_overview(hub.engine, hub.registry)
    if as_json:
        echo_json([row.as_json() for row in rows])
        return
    for row in rows:
        last = row.last_message_at.isoformat(timespec="seconds") if row.last_message_at else "-"
        held = f"  {row.held} held" if row.held else ""
        typer.echo(f"{row.establishment:<4} {row.name:<28} {row.shown_state:<24} {last}{held}")


@estate_app.command("start-migration")
def estate_start_migration(establishment: Establishment) -> None:
    """Legacy -> migrating: from now on the prison's legacy messages are held, not applied."""
    with open_hub() as hub, hub.engine.begin() as connection:
        state = estate.change_state(
            connection, establishment.upper(), estate.MIGRATING, actor=actor(), at=_now()
        )
    typer.echo(f"{state.establishment} is {state.state}: its legacy feed is held")


@estate_app.command("go-live")
def estate_go_live(establishment: Establishment) -> None:
    """Migrating -> live: apply the held legacy messages in order, then refuse the legacy
    feed; the prison records movements through the case-management API."""
    with open_hub() as hub:
        released = go_live(
            hub.store,
            hub.registry,
            establishment.upper(),
            actor=actor(),
            max_body_bytes=hub.settings.max_body_bytes,
        )
    _said(released, "its legacy feed is refused from now on")


@estate_app.command("roll-back")
def estate_roll_back(
    establishment: Establishment,
    reason: Annotated[str, typer.Option(help="Why the migration is abandoned (audited).")],
) -> None:
    """Migrating -> legacy: apply the held legacy messages and take the feed as before."""
    with open_hub() as hub:
        released = roll_back(
            hub.store,
            hub.registry,
            establishment.upper(),
            actor=actor(),
            reason=reason,
            max_body_bytes=hub.settings.max_body_bytes,
        )
    _said(released, "its legacy feed is applied again")


def _said(released: Released, then: str) -> None:
    state = released.state
    assert state is not None
    applied = ", ".join(f"{n} {outcome}" for outcome, n in sorted(released.outcomes.items()))
    typer.echo(
        f"{state.establishment} is {state.state} (by {state.changed_by});"
        f" held messages: {applied or 'none'}; {then}"
    )


def _now() -> datetime:
    return datetime.now(UTC)
