"""``gatehouse subscribers``: partners that receive the canonical event envelope over signed
HTTP, added, listed, rotated and removed with no code and no restart (a running delivery
worker picks them up at its next poll of the store). A subscriber whose policy names person
fields reads the data share (an event's ``detailUrl``) with its own token
(``gatehouse subscribers token``)."""

from __future__ import annotations

import dataclasses
import json
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

import adapters.subscribers
from adapters.policy_file import POLICY_FILE
from adapters.subscribers import adapter_name, subscriber_policy
from core_records.subscribers.store import SubscriberStore, check_patterns, new_encryption_key
from gatehouse.cli.common import JsonOption, actor, echo_json, fail_usage, open_hub
from gatehouse.cli.tokens import PurposeOption, issue_data_share_token
from routing.subscriber_deliveries import subscriber_topology

subscribers_app = typer.Typer(
    help="Event subscribers: the canonical envelope over signed HTTP.", no_args_is_help=True
)


def _patterns(values: list[str]) -> tuple[str, ...]:
    words = [p for value in values for p in value.replace(",", " ").split()]
    try:
        return check_patterns(words)
    except ValueError as error:
        raise fail_usage(str(error)) from error


def _policy(
    path: Path | None, name: str, person_fields: str | None, purposes: list[str]
) -> dict[str, Any] | None:
    """The subscriber's policy: its own file's, or the default one's, with the person fields
    and purposes given on the command line; None for the default policy unchanged."""
    if path is None and person_fields is None and not purposes:
        return None
    source = path or Path(adapters.subscribers.__file__).with_name(POLICY_FILE)
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise fail_usage(f"cannot read the policy {source}: {error}") from error
    if person_fields is not None:
        data["person_fields"] = [f for f in person_fields.replace(",", " ").split() if f]
    if purposes:
        data["purposes"] = sorted({p.strip() for p in purposes if p.strip()})
    try:
        subscriber_policy(name, data)
    except ValueError as error:
        raise fail_usage(str(error)) from error
    return data


@subscribers_app.command("add")
def subscribers_add(
    name: Annotated[str, typer.Argument(help="Lower-case name, e.g. cjs-dashboard.")],
    url: Annotated[str, typer.Option(help="Where the signed envelopes are POSTed.")],
    events: Annotated[
        list[str], typer.Option(help="Event-type patterns: 'prisoner.*', 'probation-case.#'.")
    ],
    policy: Annotated[
        Path | None,
        typer.Option(help="A policy.toml of its own (default: adapters/subscribers/policy.toml)."),
    ] = None,
    person_fields: Annotated[
        str | None,
        typer.Option(help="What it may read through the data share: prisonNumber,names,..."),
    ] = None,
    purpose: Annotated[
        list[str] | None, typer.Option(help="Repeatable: why it reads the data share.")
    ] = None,
) -> None:
    """Add a subscriber. Its signing secret is printed once; the store keeps it encrypted."""
    patterns = _patterns(events)
    own = _policy(policy, name, person_fields, purpose or [])
    with open_hub() as hub:
        settings = hub.settings
        store = SubscriberStore(hub.engine, settings.subscriber_secret_key)
        secret = store.add(name, url, patterns, policy=own, actor=actor())
        # The queue is bound now, so that no event raised before a worker's next poll is lost.
        hub.transport.declare(
            subscriber_topology(
                name, patterns, namespace=settings.namespace, delay_tiers_ms=settings.delay_tiers_ms
            )
        )
    typer.echo(secret)
    typer.secho(
        f"subscriber {name} added for {', '.join(patterns)}; its signing secret (above) will"
        " not be shown again",
        err=True,
    )


@subscribers_app.command("list")
def subscribers_list(as_json: JsonOption = False) -> None:
    """Subscribers, without their secrets: one JSON object a line, or one array with --json."""
    with open_hub() as hub:
        store = SubscriberStore(hub.engine, hub.settings.subscriber_secret_key)
        found = [dataclasses.asdict(s) for s in store.list()]
    if as_json:
        echo_json(found)
        return
    for subscriber in found:
        typer.echo(json.dumps(subscriber, default=str))


@subscribers_app.command("remove")
def subscribers_remove(name: str) -> None:
    """Remove a subscriber; deliveries to it stop at the workers' next poll."""
    with open_hub() as hub:
        store = SubscriberStore(hub.engine, hub.settings.subscriber_secret_key)
        if not store.remove(name, actor=actor()):
            raise LookupError(f"there is no subscriber called {name!r}")
    typer.echo(f"removed subscriber {name}")


@subscribers_app.command("rotate")
def subscribers_rotate(
    name: str,
    grace_hours: Annotated[
        float, typer.Option(min=0, help="How long the old secret still signs, as a second one.")
    ] = 24.0,
) -> None:
    """A new signing secret, printed once; the old one still signs until the grace ends."""
    with open_hub() as hub:
        store = SubscriberStore(hub.engine, hub.settings.subscriber_secret_key)
        secret = store.rotate(name, timedelta(hours=grace_hours), actor=actor())
    typer.echo(secret)
    typer.secho(f"new secret for {name}; the old one signs too for {grace_hours:g} hours", err=True)


@subscribers_app.command("token")
def subscribers_token(
    name: str,
    purpose: PurposeOption = None,
    expires_in_days: Annotated[float | None, typer.Option(min=0)] = None,
) -> None:
    """A data-share token for the subscriber, printed once: with it the subscriber follows
    an event's detailUrl as given, reading what its policy's person fields allow."""
    with open_hub() as hub:
        token = issue_data_share_token(hub, adapter_name(name), purpose or [], expires_in_days)
    typer.echo(token)
    typer.secho(
        f"data-share token for subscriber {name} ({adapter_name(name)}); it will not be"
        " shown again",
        err=True,
    )


@subscribers_app.command("key")
def subscribers_key() -> None:
    """Print a new key for GATEHOUSE_SUBSCRIBER_SECRET_KEY (changing it makes the secrets
    already stored unreadable)."""
    typer.echo(new_encryption_key())
