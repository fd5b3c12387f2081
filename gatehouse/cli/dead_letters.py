"""``gatehouse dead-letters``: messages that could not be processed, listed, replayed to the
queue they came from (one, or all of an interface's), discarded or purged with a reason,
and each interface's schedule of automatic retries."""

from __future__ import annotations

from typing import Annotated

import typer

from core_records.bookkeeping.dead_letters import STATUSES, DeadLetter
from gatehouse.cli.common import JsonOption, actor, echo_json, fail_usage, one_of, open_hub
from gatehouse.interface_control import known_interface

dead_letters_app = typer.Typer(help="Messages that could not be processed.", no_args_is_help=True)


@dead_letters_app.command("list")
def dead_letters_list(
    status: Annotated[str, typer.Option(help="waiting, replayed or discarded")] = "waiting",
    limit: Annotated[int, typer.Option(min=1)] = 100,
    as_json: JsonOption = False,
) -> None:
    """Dead letters with their reason and attempts, oldest first."""
    one_of("--status", status, STATUSES)
    with open_hub() as hub:
        records = hub.dead_letters.list(status=status, limit=limit)
    if as_json:
        echo_json([_as_dict(record) for record in records])
        return
    if not records:
        typer.echo(f"no {status} dead letters")
    for record in records:
        typer.echo(
            f"{record.id:>6}  {record.dead_lettered_at:%Y-%m-%d %H:%M:%S}  {record.origin_queue}  "
            f"{record.message_id}  attempts={len(record.attempts)}  {record.reason}"
        )


def _as_dict(record: DeadLetter) -> dict[str, object]:
    """A dead letter without its body (``replay`` sends that back)."""
    return {
        "id": record.id,
        "status": record.status,
        "deadLetteredAt": record.dead_lettered_at.isoformat(),
        "originQueue": record.origin_queue,
        "routingKey": record.routing_key,
        "messageId": record.message_id,
        "reason": record.reason,
        "attempts": record.attempts,
        "actionedBy": record.actioned_by,
        "actionedAt": record.actioned_at.isoformat() if record.actioned_at else None,
    }


InterfaceOption = Annotated[
    str | None, typer.Option(help="Only this interface's, e.g. delius.outbound.")
]


@dead_letters_app.command("replay")
def dead_letters_replay(
    dead_letter_id: Annotated[int | None, typer.Argument(help="The dead letter to replay.")] = None,
    all_waiting: Annotated[
        bool, typer.Option("--all", help="Replay every waiting dead letter.")
    ] = False,
    interface: InterfaceOption = None,
) -> None:
    """Send dead letters back to the queue they came from."""
    from routing.dead_letter_schedule import retry_all
    from routing.dead_letters import replay

    if (dead_letter_id is None) == (not all_waiting):
        raise fail_usage("give one dead letter id, or --all")
    if interface and not all_waiting:
        raise fail_usage("--interface goes with --all")
    with open_hub() as hub:
        if dead_letter_id is None:
            if interface:
                known_interface(hub, interface)
            replayed = retry_all(hub.dead_letters, hub.transport, actor(), interface)
            typer.echo(f"replayed {len(replayed)} dead letters")
            return
        record = replay(hub.dead_letters, hub.transport, dead_letter_id, actor())
    typer.echo(f"replayed dead letter {record.id} to {record.origin_queue}")


@dead_letters_app.command("purge")
def dead_letters_purge(
    reason: Annotated[str, typer.Option(help="Why they must not be processed (audited).")],
    interface: InterfaceOption = None,
) -> None:
    """Discard every waiting dead letter (of one interface), saying why."""
    from routing.dead_letter_schedule import purge

    with open_hub() as hub:
        if interface:
            known_interface(hub, interface)
        purged = purge(hub.dead_letters, actor(), reason, interface)
    typer.echo(f"purged {len(purged)} dead letters")


@dead_letters_app.command("schedule")
def dead_letters_schedule(
    interface: Annotated[str, typer.Argument(help="The interface, e.g. delius.outbound.")],
    every: Annotated[int, typer.Option(min=1, help="Seconds a dead letter waits first.")],
    max_retries: Annotated[int, typer.Option(min=0, help="Retries of one message; 0: none.")],
) -> None:
    """Give an interface its own schedule of automatic dead-letter retries."""
    from core_records.bookkeeping.interface_control import InterfaceControl, RetrySchedule

    with open_hub() as hub:
        InterfaceControl(hub.engine).set_schedule(
            known_interface(hub, interface), RetrySchedule(every, max_retries), actor=actor()
        )
    typer.echo(f"{interface}: dead letters retried every {every} s, at most {max_retries} times")


@dead_letters_app.command("discard")
def dead_letters_discard(dead_letter_id: int) -> None:
    """Discard a dead letter that must not be processed."""
    with open_hub() as hub:
        hub.dead_letters.mark_discarded(dead_letter_id, actor())
    typer.echo(f"discarded dead letter {dead_letter_id}")
