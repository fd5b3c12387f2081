"""``gatehouse adapters``: the partner adapters installed, a new one scaffolded
(``adapters.scaffold``), and the RabbitMQ user an AMQP partner needs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from adapters.registry import AdapterRegistry, load_adapters
from adapters.scaffold import ScaffoldError, scaffold
from gatehouse.cli.common import fail
from gatehouse.settings import Settings

adapters_app = typer.Typer(help="Partner adapters.", no_args_is_help=True)


@adapters_app.command("new")
def adapters_new(
    name: Annotated[str, typer.Argument(help="The adapter's name, lower case: courts, nhs_spine.")],
    into: Annotated[
        Path, typer.Option(help="Directory to write the package (and a standalone project) in.")
    ] = Path("."),
    package: Annotated[
        str | None,
        typer.Option(help="Dotted package name, e.g. adapters.courts inside this repository."),
    ] = None,
) -> None:
    """Scaffold a working adapter: package, schemas, samples, translator, renderer, policy,
    README and tests that pass as generated."""
    try:
        result = scaffold(name, into, package=package, taken=load_adapters())
    except ScaffoldError as error:
        raise fail(str(error)) from error
    typer.echo(f"wrote the {name} adapter in {result.package_dir} ({len(result.files)} files)")
    if result.pyproject is not None:
        typer.echo(f"and {result.pyproject}; `pip install -e {into}` registers it with the hub")
    else:
        typer.echo(
            "register it in pyproject.toml:\n"
            '  [project.entry-points."gatehouse.adapters"]\n'
            f'  {name} = "{package or name}:adapter"'
        )
    typer.echo(f"then: python -m pytest {result.package_dir / 'tests'}")


@adapters_app.command("list")
def adapters_list() -> None:
    """Each adapter with its partner, transports, inbound types and subscriptions."""
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
    from gatehouse.bootstrap import amqp_partners
    from routing.rabbitmq.partner_access import as_shell, rabbitmqctl_commands

    partners = amqp_partners(AdapterRegistry.from_entry_points())
    if adapter not in partners:
        raise fail(
            f"{adapter!r} is not an AMQP partner's adapter (AMQP partners: "
            f"{', '.join(partners) or 'none'})"
        )
    namespace = Settings().namespace
    user = user or f"{namespace}-{adapter}"
    typer.echo(f"# {adapter}'s own user in namespace {namespace}; add_user asks for a password")
    for command in rabbitmqctl_commands(adapter, namespace, user, vhost):
        typer.echo(as_shell(command))
