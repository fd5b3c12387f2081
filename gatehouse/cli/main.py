"""The ``gatehouse`` command."""

from __future__ import annotations

import dataclasses
import getpass
import json
import logging
import socket
import threading
from typing import Annotated

import typer

from core_records.errors import GatehouseError
from gatehouse.bootstrap import ROLES, ConfigurationError, build_hub, build_loops
from gatehouse.cli.adapters import adapters_new
from gatehouse.cli.identity import credentials_app, identity_app
from gatehouse.cli.private_prisons import private_prisons_app
from gatehouse.cli.users import users_app
from gatehouse.settings import Settings

app = typer.Typer(
    help="Gatehouse: the integration hub of a prison case management system.",
    no_args_is_help=True,
)
db_app = typer.Typer(help="The record store's schema.", no_args_is_help=True)
tokens_app = typer.Typer(help="Partner credentials.", no_args_is_help=True)
dead_letters_app = typer.Typer(help="Messages that could not be processed.", no_args_is_help=True)
adapters_app = typer.Typer(help="Partner adapters.", no_args_is_help=True)
messages_app = typer.Typer(help="Message status and hops.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(tokens_app, name="tokens")
app.add_typer(dead_letters_app, name="dead-letters")
app.add_typer(adapters_app, name="adapters")
app.add_typer(messages_app, name="messages")
adapters_app.command("new")(adapters_new)
app.add_typer(private_prisons_app, name="private-prisons")
app.add_typer(users_app, name="users")
app.add_typer(identity_app, name="identity")
app.add_typer(credentials_app, name="credentials")


def _configure_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("pika").setLevel(logging.WARNING)


def _fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(code=2)


def _hub(migrate_embedded: bool = True):  # type: ignore[no-untyped-def]
    settings = Settings()
    try:
        # The embedded default has no separate deployment step, so it migrates itself.
        return build_hub(settings, migrate=migrate_embedded and settings.database_url is None)
    except (ConfigurationError, GatehouseError) as error:
        raise _fail(str(error)) from error


def _actor() -> str:
    return f"{getpass.getuser()}@{socket.gethostname()}"


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Serve the HTTP API: the inbound edge, message status and health."""
    import uvicorn

    from gatehouse.app import create_app

    _configure_logging()
    hub = _hub()
    settings = hub.settings
    try:
        uvicorn.run(
            create_app(hub),
            host=host or settings.http_host,
            port=port or settings.http_port,
            log_level="info",
        )
    finally:
        hub.close()


@app.command()
def worker(
    role: Annotated[
        list[str] | None,
        typer.Option("--role", help=f"Run only these roles ({', '.join(ROLES)}); all by default."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Consume and process messages until SIGTERM, which finishes the work in hand."""
    from routing.worker import WorkerRunner, stop_on_signals

    _configure_logging(verbose)
    hub = _hub()
    try:
        loops = build_loops(hub, role or ROLES)
    except ConfigurationError as error:
        hub.close()
        raise _fail(str(error)) from error
    stop = threading.Event()
    stop_on_signals(stop)
    logging.getLogger("gatehouse").info(
        "worker running %s on %s", ", ".join(loop.name for loop in loops), hub.settings.describe()
    )
    try:
        WorkerRunner(loops).run(stop)
    finally:
        hub.close()


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port of the API.")] = 8000,
    rate: Annotated[float, typer.Option(help="Simulated partner messages per second.")] = 2.0,
) -> None:
    """The hub on its embedded default, serving, with simulated partner traffic."""
    from gatehouse.demo.run import run_demo

    _configure_logging()
    run_demo(port=port, rate=rate)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the store's schema to the latest migration and load the reference data."""
    from core_records.store.migrate import current_revision, upgrade

    settings = Settings()
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.store_url)
    typer.echo(f"store at revision {current_revision(settings.store_url)}")


@tokens_app.command("create")
def tokens_create(
    partner: Annotated[str, typer.Option(help="The partner the token is for.")],
) -> None:
    """Issue a token for a partner. It is printed once; only its hash is stored."""
    hub = _hub()
    try:
        try:
            scope = hub.registry.scope_for_partner(partner)
        except LookupError as error:
            raise _fail(str(error)) from error
        token = hub.credentials.issue(scope.partner, actor=_actor())
    finally:
        hub.close()
    typer.echo(token)
    typer.secho(
        f"token for {scope.partner} ({scope.adapter}); it will not be shown again", err=True
    )


@tokens_app.command("list")
def tokens_list(partner: Annotated[str | None, typer.Option()] = None) -> None:
    """Tokens issued, without their secrets."""
    hub = _hub()
    try:
        for token in hub.credentials.list(partner):
            typer.echo(json.dumps(dataclasses.asdict(token), default=str))
    finally:
        hub.close()


@tokens_app.command("revoke")
def tokens_revoke(
    partner: Annotated[str, typer.Option(help="Revoke every token of this partner.")],
) -> None:
    """Revoke a partner's tokens; it takes effect at once."""
    hub = _hub()
    try:
        revoked = hub.credentials.revoke(partner, actor=_actor())
    finally:
        hub.close()
    typer.echo(f"revoked {revoked} token(s) of {partner}")


@dead_letters_app.command("list")
def dead_letters_list(
    status: Annotated[str, typer.Option(help="waiting, replayed or discarded")] = "waiting",
    limit: Annotated[int, typer.Option()] = 100,
) -> None:
    """Dead letters with their reason and attempts, oldest first."""
    hub = _hub()
    try:
        records = hub.dead_letters.list(status=status, limit=limit)
    finally:
        hub.close()
    if not records:
        typer.echo(f"no {status} dead letters")
    for record in records:
        typer.echo(
            f"{record.id:>6}  {record.dead_lettered_at:%Y-%m-%d %H:%M:%S}  {record.origin_queue}  "
            f"{record.message_id}  attempts={len(record.attempts)}  {record.reason}"
        )


@dead_letters_app.command("replay")
def dead_letters_replay(
    dead_letter_id: Annotated[int | None, typer.Argument(help="The dead letter to replay.")] = None,
    all_waiting: Annotated[
        bool, typer.Option("--all", help="Replay every waiting dead letter.")
    ] = False,
) -> None:
    """Send dead letters back to the queue they came from."""
    from routing.dead_letters import replay, replay_all

    if (dead_letter_id is None) == (not all_waiting):
        raise _fail("give one dead letter id, or --all")
    hub = _hub()
    try:
        if all_waiting:
            replayed = replay_all(hub.dead_letters, hub.transport, _actor())
            typer.echo(f"replayed {len(replayed)} dead letters")
        else:
            assert dead_letter_id is not None
            try:
                record = replay(hub.dead_letters, hub.transport, dead_letter_id, _actor())
            except (LookupError, ValueError) as error:
                raise _fail(str(error)) from error
            typer.echo(f"replayed dead letter {record.id} to {record.origin_queue}")
    finally:
        hub.close()


@dead_letters_app.command("discard")
def dead_letters_discard(dead_letter_id: int) -> None:
    """Discard a dead letter that must not be processed."""
    hub = _hub()
    try:
        try:
            hub.dead_letters.mark_discarded(dead_letter_id, _actor())
        except (LookupError, ValueError) as error:
            raise _fail(str(error)) from error
    finally:
        hub.close()
    typer.echo(f"discarded dead letter {dead_letter_id}")


@adapters_app.command("list")
def adapters_list() -> None:
    """Each adapter with its partner, transports, inbound types and subscriptions."""
    from adapters.registry import AdapterRegistry

    for adapter in AdapterRegistry.from_entry_points().adapters.values():
        info = adapter.describe()
        typer.echo(
            f"{info['name']:<16} {info['partner']}\n"
            f"{'':<16} transports: {', '.join(info['transports']) or '-'}\n"
            f"{'':<16} inbound: {', '.join(info['inbound']) or '-'}\n"
            f"{'':<16} subscriptions: {', '.join(info['subscriptions']) or '-'}"
        )


@adapters_app.command("amqp-access")
def adapters_amqp_access(
    adapter: Annotated[str, typer.Argument(help="An AMQP partner's adapter, e.g. pnc.")],
    user: Annotated[str | None, typer.Option(help="The partner's RabbitMQ user name.")] = None,
    vhost: Annotated[str, typer.Option(help="The hub's RabbitMQ virtual host.")] = "/",
) -> None:
    """The rabbitmqctl commands that create an AMQP partner's own RabbitMQ user, able to read
    its outbound queue and write its inbound exchange, and nothing else."""
    from adapters.registry import AdapterRegistry
    from gatehouse.bootstrap import amqp_partners
    from routing.rabbitmq.partner_access import as_shell, rabbitmqctl_commands

    partners = amqp_partners(AdapterRegistry.from_entry_points())
    if adapter not in partners:
        raise _fail(
            f"{adapter!r} is not an AMQP partner's adapter (AMQP partners: "
            f"{', '.join(partners) or 'none'})"
        )
    namespace = Settings().namespace
    user = user or f"{namespace}-{adapter}"
    typer.echo(f"# {adapter}'s own user in namespace {namespace}; add_user asks for a password")
    for command in rabbitmqctl_commands(adapter, namespace, user, vhost):
        typer.echo(as_shell(command))


@messages_app.command("show")
def messages_show(message_id: str) -> None:
    """A message's status and every hop, with times (for service managers)."""
    from monitoring.trace import trace_of

    hub = _hub()
    try:
        trace = trace_of(message_id, hub.journal.trace(message_id))
    finally:
        hub.close()
    if trace is None:
        raise _fail(f"no message {message_id} in the journal")
    typer.echo(json.dumps(trace.as_dict(), indent=2))


if __name__ == "__main__":
    app()

from gatehouse.cli.pnc import pnc_app  # noqa: E402

app.add_typer(pnc_app, name="pnc")

# Prison shops (canteen).
from gatehouse.cli.canteen import canteen_app  # noqa: E402

app.add_typer(canteen_app, name="canteen")

# SFTP file interfaces.
from gatehouse.cli.files import files_app  # noqa: E402

app.add_typer(files_app, name="files")
