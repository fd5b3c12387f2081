"""``gatehouse interfaces``: every interface's pause and dead-letter retry schedule; pause
and resume an outbound interface's deliveries."""

from __future__ import annotations

from typing import Annotated

import typer

from core_records.bookkeeping.interface_control import InterfaceControl
from gatehouse.cli.common import JsonOption, actor, echo_json, open_hub
from gatehouse.interface_control import default_retry_schedule, interface_names, known_interface

interfaces_app = typer.Typer(
    help="Pause and resume interfaces; their dead-letter retry schedules.", no_args_is_help=True
)

InterfaceArgument = Annotated[str, typer.Argument(help="The interface, e.g. delius.outbound.")]


@interfaces_app.command("list")
def interfaces_list(as_json: JsonOption = False) -> None:
    """Every interface: paused or running, and how its dead letters are retried."""
    with open_hub() as hub:
        control = InterfaceControl(hub.engine)
        pauses, schedules = control.pauses(), control.schedules()
        default = default_retry_schedule(hub)
        rows = [
            {
                "interface": name,
                "pause": pauses[name].as_dict() if name in pauses else None,
                "deadLetterRetry": schedules.get(name, default).as_dict(),
            }
            for name in interface_names(hub)
        ]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        pause = row["pause"]
        retry = row["deadLetterRetry"]
        state = (
            f"PAUSED by {pause['pausedBy']} since {pause['since']}: {pause['reason']}"
            if pause
            else "running"
        )
        typer.echo(
            f"{row['interface']:<32} {state}  (dead letters retried every"
            f" {retry['intervalSeconds']} s, at most {retry['maxRetries']} times)"
        )


@interfaces_app.command("pause")
def interfaces_pause(
    interface: InterfaceArgument,
    reason: Annotated[str, typer.Option(help="Why, for the dashboard and the audit trail.")],
) -> None:
    """Stop delivering on an outbound interface: deliveries wait in its queue, in order."""
    with open_hub() as hub:
        pause = InterfaceControl(hub.engine).pause(
            known_interface(hub, interface, to_pause=True), actor=actor(), reason=reason
        )
    typer.echo(f"{interface} paused by {pause.paused_by} since {pause.since:%Y-%m-%d %H:%M:%S}")


@interfaces_app.command("resume")
def interfaces_resume(interface: InterfaceArgument) -> None:
    """Deliver again on a paused interface, starting with what waited, in order."""
    with open_hub() as hub:
        InterfaceControl(hub.engine).resume(
            known_interface(hub, interface, to_pause=True), actor=actor()
        )
    typer.echo(f"{interface} resumed")
