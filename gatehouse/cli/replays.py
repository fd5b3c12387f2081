"""``gatehouse messages replay`` and ``resend``: an interface's delivered documents sent to
its partner again, for a time window, one person, or one document, marked as replays.

``--mode rerender`` renders the canonical events again under the partner's sharing policy
as it is today (what the policy now withholds is filtered, not sent); ``--mode stored``
sends the bytes the partner was sent at the time, where the message history keeps them.
The command runs the replay itself, at ``--rate`` documents a second at most; a replay
asked for on the dashboard or the API is run by the ``replays`` worker role instead.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from core_records.bookkeeping.message_history import MessageHistory
from core_records.bookkeeping.replays import (
    DONE,
    MODES,
    RERENDER,
    STORED,
    WAITING,
    ReplayRun,
    ReplayRuns,
    ReplayWindow,
)
from gatehouse.bootstrap import Hub
from gatehouse.cli.common import JsonOption, actor, echo_json, fail, fail_usage, one_of, open_hub
from gatehouse.replays import replay_runner

InterfaceOption = Annotated[str, typer.Option(help="The outbound interface, e.g. delius.outbound.")]
ReasonOption = Annotated[str, typer.Option(help="Why, for the audit trail (required).")]
RateOption = Annotated[
    float | None,
    typer.Option(min=0.001, help="Documents a second at most; GATEHOUSE_REPLAY_RATE_PER_S else."),
]


def messages_replay(
    interface: InterfaceOption,
    reason: Annotated[str, typer.Option(help="Why, for the audit trail (needed to send).")] = "",
    since: Annotated[
        str | None, typer.Option(help="Delivered at or after (ISO 8601, UTC).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Delivered before (ISO 8601, UTC).")] = None,
    person: Annotated[str | None, typer.Option(help="Only this person's (prison number).")] = None,
    mode: Annotated[str, typer.Option(help="rerender (today's policy) or stored (bytes sent)")] = (
        RERENDER
    ),
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count, send nothing.")] = False,
    rate: RateOption = None,
    as_json: JsonOption = False,
) -> None:
    """Send an interface's delivered documents to its partner again, marked as a replay
    (``X-Gatehouse-Replay``), in order per person: those delivered in [--since, --until),
    or a person's. ``--dry-run`` first: it counts them, by person."""
    one_of("--mode", mode, MODES)
    if (since is None) != (until is None):
        raise fail_usage("--since and --until go together")
    if since is None and person is None:
        raise fail_usage("give a window (--since and --until) or a --person")
    if not dry_run and not reason.strip():
        raise fail_usage("--reason is needed to replay (the audit trail records it)")
    adapter = _outbound(interface)
    try:
        window = ReplayWindow(
            adapter,
            since=_when(since, "--since"),
            until=_when(until, "--until"),
            person_key=person.strip().upper() if person else None,
        )
    except ValueError as error:
        raise fail_usage(str(error)) from error
    with open_hub() as hub:
        _known(hub, adapter)
        runs = ReplayRuns(hub.engine)
        by_person = runs.count(window)
        total = sum(by_person.values())
        if dry_run:
            _print_count(interface, mode, total, by_person, as_json)
            return
        if total == 0:
            raise fail(f"no documents delivered on {interface} match; nothing to replay")
        run = _run(hub, window, mode, reason, rate)
    _print_run(run, as_json)


def messages_resend(
    reason: ReasonOption,
    document: Annotated[
        int | None, typer.Option("--document", help="A stored outbound document's id.")
    ] = None,
    event: Annotated[
        str | None, typer.Option("--event", help="The event id of a delivered document.")
    ] = None,
    interface: Annotated[
        str | None, typer.Option(help="With --event: the outbound interface, e.g. delius.outbound.")
    ] = None,
    mode: Annotated[
        str | None, typer.Option(help="stored (with --document, the default) or rerender")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Send one delivered document to its partner again, marked as a replay: a stored
    document by its id (its bytes as sent), or an event's document on an interface
    (re-rendered under today's policy unless ``--mode stored``)."""
    if (document is None) == (event is None):
        raise fail_usage("give --document or --event, one of the two")
    if event is not None and interface is None:
        raise fail_usage("--event needs --interface")
    mode = one_of("--mode", mode or (STORED if document is not None else RERENDER), MODES)
    with open_hub() as hub:
        if document is not None:
            kept = MessageHistory(hub.engine).document(document)
            if kept is None or kept.direction != "outbound":
                raise fail(f"no stored outbound document {document}")
            event, interface = kept.message_id, kept.interface
        assert event is not None and interface is not None
        adapter = _outbound(interface)
        _known(hub, adapter)
        window = ReplayWindow(adapter, event_id=event)
        if not ReplayRuns(hub.engine).count(window):
            raise fail(f"event {event} was not delivered on {interface}")
        run = _run(hub, window, mode, reason, None)
    _print_run(run, as_json)


def _run(hub: Hub, window: ReplayWindow, mode: str, reason: str, rate: float | None) -> ReplayRun:
    runner = replay_runner(hub)
    try:
        run = runner.runs.start(
            window,
            mode=mode,
            reason=reason,
            actor=actor(),
            rate_per_s=rate or hub.settings.replay_rate_per_s,
            owner=runner.owner,
            lease_s=runner.lease_s,
        )
        return runner.run_to_end(run.id)
    finally:
        runner.close()


def _print_count(
    interface: str, mode: str, total: int, by_person: dict[str, int], as_json: bool
) -> None:
    if as_json:
        echo_json({"interface": interface, "mode": mode, "documents": total, "byPerson": by_person})
        return
    typer.echo(f"{total} documents delivered on {interface} would be sent again ({mode})")
    if mode == RERENDER:
        typer.echo("re-rendered under today's sharing policy: any it now withholds are not sent")
    for person, count in sorted(by_person.items()):
        typer.echo(f"  {person or '(no person)'}  {count}")


def _print_run(run: ReplayRun, as_json: bool) -> None:
    if as_json:
        echo_json(run.as_dict())
    else:
        typer.echo(
            f"replay {run.id} {run.status}: sent {run.sent} of {run.selected},"
            f" filtered {run.filtered}, missing {run.missing}, failed {run.failed}"
            + (f" ({run.detail})" if run.detail else "")
            + ("; the replays worker role takes it up again" if run.status == WAITING else "")
        )
    if run.status != DONE or run.failed or run.missing:
        raise typer.Exit(code=1)


def _outbound(interface: str) -> str:
    adapter, _, direction = interface.partition(".")
    if direction != "outbound" or not adapter:
        raise fail_usage(
            f"--interface must name an outbound interface (delius.outbound), not {interface!r}"
        )
    return adapter


def _known(hub: Hub, adapter: str) -> None:
    found = hub.registry.adapters.get(adapter)
    if found is None or not found.subscriptions:
        raise fail(f"no outbound interface {adapter}.outbound")


def _when(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError as error:
        raise fail_usage(f"{option} must be an ISO 8601 time, not {text!r}") from error
    return at if at.tzinfo else at.replace(tzinfo=UTC)
