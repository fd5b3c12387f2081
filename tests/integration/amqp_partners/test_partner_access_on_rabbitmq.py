"""An AMQP partner's own RabbitMQ user, made by the commands ``gatehouse adapters amqp-access``
prints, on the real broker: it can take its documents and send its own, and nothing else.

Creating users needs ``rabbitmqctl`` on the broker's machine, as CI has.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from urllib.parse import quote, urlsplit

import pika
import pika.exceptions
import pytest
from typer.testing import CliRunner

from gatehouse.cli import app
from routing.rabbitmq.partner_access import rabbitmqctl_commands
from routing.topology import inbound_exchange_name, partner_topology
from tests.support import DECLARED_EXCHANGES, remember_topology, service_unavailable

PASSWORD = "partner-" + uuid.uuid4().hex


def _rabbitmqctl(arguments: list[str], stdin: str | None = None) -> None:
    subprocess.run(arguments, input=stdin, text=True, check=True, capture_output=True, timeout=60)


@pytest.fixture
def guest(
    rabbitmq_url: str, namespace: str
) -> Iterator[pika.adapters.blocking_connection.BlockingChannel]:
    """The hub's side: PNC's and the security application's exchanges and queues, and the
    hub's inbound exchange, declared as the hub declares them."""
    connection = pika.BlockingConnection(pika.URLParameters(rabbitmq_url))
    channel = connection.channel()
    topology = partner_topology(["pnc", "security"], namespace=namespace)
    remember_topology(topology)
    for exchange in topology.exchanges:
        channel.exchange_declare(exchange.name, "topic", durable=True)
    for queue in topology.work_queues:
        channel.queue_declare(queue.name, durable=True, arguments={"x-queue-type": "quorum"})
        for binding in queue.bindings:
            channel.queue_bind(queue.name, binding.exchange, binding.routing_key)
    channel.exchange_declare(inbound_exchange_name(namespace), "topic", durable=True)
    DECLARED_EXCHANGES.setdefault(namespace, set()).add(inbound_exchange_name(namespace))
    channel.confirm_delivery()
    yield channel
    connection.close()


@pytest.fixture
def pnc_user(rabbitmq_url: str, namespace: str) -> Iterator[str]:
    """PNC's own user, made by exactly the commands the CLI prints; its AMQP URL."""
    if shutil.which("rabbitmqctl") is None:
        service_unavailable("rabbitmqctl (to create a partner's RabbitMQ user)")
    user = f"{namespace}-pnc"
    add_user, set_permissions = rabbitmqctl_commands("pnc", namespace, user, "/")
    _rabbitmqctl(add_user, stdin=PASSWORD)
    try:
        _rabbitmqctl(set_permissions)
        parts = urlsplit(rabbitmq_url)
        yield parts._replace(
            netloc=f"{quote(user)}:{PASSWORD}@{parts.hostname}:{parts.port or 5672}"
        ).geturl()
    finally:
        _rabbitmqctl(["rabbitmqctl", "delete_user", user])


def _refused(
    url: str, action: Callable[[pika.adapters.blocking_connection.BlockingChannel], object]
) -> str:
    """Run ``action`` on a fresh channel of ``url``; the broker's refusal, which it must give."""
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        with pytest.raises(pika.exceptions.ChannelClosedByBroker) as refused:
            action(channel)
        assert refused.value.reply_code == 403
        return str(refused.value.reply_text)
    finally:
        if connection.is_open:
            connection.close()


def test_pnc_takes_its_documents_and_sends_its_own_and_touches_nothing_else(
    guest: pika.adapters.blocking_connection.BlockingChannel, pnc_user: str, namespace: str
) -> None:
    out, into = f"{namespace}.partner.pnc.out", f"{namespace}.partner.pnc.in"
    guest.basic_publish(out, "prisoner.received", b"<CustodyStatus/>")

    connection = pika.BlockingConnection(pika.URLParameters(pnc_user))
    channel = connection.channel()
    channel.confirm_delivery()
    method, _, body = channel.basic_get(out, auto_ack=True)
    assert method is not None and body == b"<CustodyStatus/>"
    channel.basic_publish(into, "reply", b"<LookupReply/>")
    connection.close()
    method, _, body = guest.basic_get(into, auto_ack=True)
    assert method is not None and body == b"<LookupReply/>"

    security_out = f"{namespace}.partner.security.out"
    guest.basic_publish(security_out, "person.alert.created", b"<Alert/>")
    refusals = {
        "read the security application's queue": _refused(
            pnc_user, lambda c: c.basic_get(security_out, auto_ack=True)
        ),
        "write to the hub's inbound exchange": _refused(
            pnc_user, lambda c: c.basic_publish(inbound_exchange_name(namespace), "pnc.merge", b"x")
        ),
        "write to a queue through the default exchange": _refused(
            pnc_user, lambda c: c.basic_publish("", f"{namespace}.partner.security.in", b"x")
        ),
        "read its own inbound queue": _refused(pnc_user, lambda c: c.basic_get(into)),
        "declare a queue": _refused(pnc_user, lambda c: c.queue_declare(f"{namespace}.pnc-own")),
    }
    assert all("ACCESS_REFUSED" in reason for reason in refusals.values()), refusals
    # The security application's document is still there, unread.
    method, _, body = guest.basic_get(security_out, auto_ack=True)
    assert method is not None and body == b"<Alert/>"


def test_the_cli_prints_the_commands_and_refuses_a_partner_that_is_not_on_amqp() -> None:
    runner = CliRunner()
    printed = runner.invoke(app, ["adapters", "amqp-access", "security", "--user", "intel"])
    assert printed.exit_code == 0, printed.output
    assert "rabbitmqctl add_user intel\n" in printed.output
    assert (
        "rabbitmqctl set_permissions -p / intel '^$' '^gatehouse\\.partner\\.security\\.in$'"
        " '^gatehouse\\.partner\\.security\\.out$'" in printed.output
    )
    refused = runner.invoke(app, ["adapters", "amqp-access", "delius"])
    assert refused.exit_code == 2
    assert "'delius' is not an AMQP partner's adapter (AMQP partners: pnc, security)" in (
        refused.output
    )
