"""``gatehouse messages``: a message's status and every hop it made, from the journal."""

from __future__ import annotations

import json

import typer

from gatehouse.cli.common import JsonOption, fail, open_hub

messages_app = typer.Typer(help="Message status and hops.", no_args_is_help=True)


@messages_app.command("show")
def messages_show(message_id: str, as_json: JsonOption = False) -> None:
    """A message's status and every hop, with times (for service managers), as JSON
    with or without ``--json``."""
    from monitoring.trace import trace_of

    with open_hub() as hub:
        trace = trace_of(message_id, hub.journal.trace(message_id))
    if trace is None:
        raise fail(f"no message {message_id} in the journal")
    typer.echo(json.dumps(trace.as_dict(), indent=2))
