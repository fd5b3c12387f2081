"""``gatehouse adapters``: the partner adapters installed, a new one scaffolded
(``adapters.scaffold``), and the RabbitMQ user an AMQP partner needs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from adapters.registry import AdapterRegistry, load_adapters
from adapters.scaffold import ScaffoldError, scaffold
from gatehouse.cli.common import JsonOption, echo_json, fail, fail_usage
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
def adapters_list(as_json: JsonOption = False) -> None:
    """Each adapter with its partner, transports, inbound types and subscriptions."""
    described = [a.describe() for a in AdapterRegistry.from_entry_points().adapters.values()]
    if as_json:
        echo_json(described)
        return
    for info in described:
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
    ca_cert: Annotated[
        str, typer.Option(help="The CA certificate the broker trusts (for the TLS steps).")
    ] = "ca.pem",
    ca_key: Annotated[str, typer.Option(help="That CA's private key.")] = "ca.key",
) -> None:
    """The rabbitmqctl commands that create an AMQP partner's own RabbitMQ user, able to read
    its outbound queue and write its inbound exchange, and nothing else; then the steps that
    give it a client certificate for amqps, and the broker's TLS configuration."""
    from gatehouse.bootstrap import amqp_partners
    from routing.rabbitmq.partner_access import as_shell, rabbitmqctl_commands

    partners = amqp_partners(AdapterRegistry.from_entry_points())
    if adapter not in partners:
        raise fail_usage(
            f"{adapter!r} is not an AMQP partner's adapter (AMQP partners: "
            f"{', '.join(partners) or 'none'})"
        )
    namespace = Settings().namespace
    user = user or f"{namespace}-{adapter}"
    typer.echo(f"# {adapter}'s own user in namespace {namespace}; add_user asks for a password")
    for command in rabbitmqctl_commands(adapter, namespace, user, vhost):
        typer.echo(as_shell(command))
    _echo_certificate_steps(user, ca_cert, ca_key)


def _echo_certificate_steps(user: str, ca_cert: str, ca_key: str) -> None:
    from routing.rabbitmq.partner_access import (
        EXTERNAL_AUTH_CONFIG,
        broker_tls_config,
        certificate_commands,
    )

    steps = certificate_commands(user, ca_cert=ca_cert, ca_key=ca_key)
    lines = [
        "",
        "# Over TLS (amqps): on the partner's machine, its key (which stays there) and a request",
        *steps.partner,
        f"# where the CA key is kept: sign the request as a client certificate for {user}",
        *steps.ca,
        f"# the partner connects to amqps://{user}:<password>@<broker>:5671/<vhost> with",
        f"# {steps.key_file}, {steps.cert_file} and {ca_cert}: its password still signs it in",
        "# the broker's rabbitmq.conf: clients without a certificate from the CA are refused",
        *(f"#   {line}" for line in broker_tls_config()),
        "# to sign in by the certificate instead of a password: rabbitmq-plugins enable",
        "# rabbitmq_auth_mechanism_ssl, add these lines, and the partner uses SASL EXTERNAL",
        *(f"#   {line}" for line in EXTERNAL_AUTH_CONFIG),
    ]
    typer.echo("\n".join(lines))
