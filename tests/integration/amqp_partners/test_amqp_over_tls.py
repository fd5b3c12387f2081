"""AMQP over TLS on a RabbitMQ node of this module's own, whose only listener is TLS and asks
every client for a certificate signed by a CA made here: the hub's transport and a simulated
PNC exchange a lookup through it; a client without a certificate, or with one from another
CA, and a hub that does not trust the broker's CA, are refused.

The node is started once for the module (it takes several seconds) and removed afterwards;
the machine's own RabbitMQ is not touched.
"""

from __future__ import annotations

import shlex
import ssl
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pika
import pytest
from typer.testing import CliRunner

from adapters.pnc.simulator import PncSimulator
from core_records.errors import TransportUnavailable
from gatehouse.bootstrap import build_transport
from gatehouse.cli import app
from gatehouse.settings import Settings
from routing.messages import AMQP_CORRELATION_ID
from routing.partner_amqp import AmqpPartnerDelivery
from routing.rabbitmq.tls import BrokerTls
from routing.rabbitmq.transport import RabbitTransport
from routing.simulated_partner import SimulatedAmqpPartner, running_partner
from routing.topology import (
    partner_inbound_queue_name,
    partner_outbound_queue_name,
    partner_topology,
)
from tests.certificates import KeyPair, TestCa
from tests.rabbitmq_tls_node import TlsNode, rabbitmq_installed
from tests.support import service_unavailable

LOOKUP = (
    Path(__file__).parents[3] / "adapters/pnc/samples/rendered/received-without-pnc-id-asks-pnc.xml"
).read_bytes()


@dataclass
class Broker:
    node: TlsNode
    ca: TestCa
    hub: KeyPair
    pnc: KeyPair


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    if not rabbitmq_installed():
        service_unavailable("rabbitmq-server (to start a TLS node of the test's own)")
    directory = tmp_path_factory.mktemp("tls-broker")
    ca = TestCa(directory / "pki")
    node = TlsNode(directory / "node", ca.ca_file, ca.server())
    node.start()
    try:
        yield Broker(node, ca, ca.client("gatehouse-hub"), ca.client("pnc"))
    finally:
        node.stop()


def _transport(broker: Broker, client: KeyPair | None, **tls: Path) -> RabbitTransport:
    files = BrokerTls(
        ca_file=tls.get("ca_file", broker.ca.ca_file),
        cert_file=client.cert_file if client else None,
        key_file=client.key_file if client else None,
    )
    return RabbitTransport(broker.node.url(), connection_name="tls test", tls=files)


def test_the_hub_and_pnc_exchange_a_lookup_over_tls(broker: Broker) -> None:
    namespace = f"tls{uuid.uuid4().hex[:8]}"
    # The hub's transport as a deployment builds it from its settings.
    hub = build_transport(
        Settings(
            broker_url=broker.node.url(),
            broker_ca_file=broker.ca.ca_file,
            broker_cert_file=broker.hub.cert_file,
            broker_key_file=broker.hub.key_file,
            namespace=namespace,
        )
    )
    pnc_transport = _transport(broker, broker.pnc)
    simulator = PncSimulator(assign_unknown=True)
    try:
        hub.declare(partner_topology(["pnc"], namespace=namespace))
        partner = SimulatedAmqpPartner(pnc_transport, "pnc", namespace, simulator.respond)
        with running_partner(partner):
            AmqpPartnerDelivery(hub, "pnc", namespace, expects_replies=True).deliver(
                LOOKUP,
                content_type="application/xml",
                headers={
                    "X-Gatehouse-Event-Type": "prisoner.received",
                    "X-Gatehouse-Correlation-Id": "chain-over-tls",
                },
            )
            replies = hub.consumer(partner_inbound_queue_name("pnc", namespace))
            try:
                [answer] = replies.fetch(10, 20.0)
                replies.ack([answer])
            finally:
                replies.close()
    finally:
        pnc_transport.close()
        hub.close()

    assert [lookup["PrisonNumber"] for lookup in simulator.lookups] == ["A1234BC"]
    assert answer.message.headers[AMQP_CORRELATION_ID] == "chain-over-tls"
    assert b"<Outcome>FOUND</Outcome>" in answer.message.body
    assert b"<PrisonNumber>A1234BC</PrisonNumber>" in answer.message.body


def test_the_partner_user_and_certificate_the_cli_describes_connect_over_tls(
    broker: Broker, tmp_path: Path
) -> None:
    """PNC's own user and its certificate, made by exactly the steps ``gatehouse adapters
    amqp-access`` prints (rabbitmqctl, then openssl with the test's CA), sign in over TLS
    with its password and read its own queue."""
    namespace = f"tls{uuid.uuid4().hex[:8]}"
    user, password = f"{namespace}-pnc", uuid.uuid4().hex
    ca = ("--ca-cert", str(broker.ca.ca_file), "--ca-key", str(broker.ca.ca_key_file))
    printed = CliRunner().invoke(
        app,
        ["adapters", "amqp-access", "pnc", "--user", user, *ca],
        env={"GATEHOUSE_NAMESPACE": namespace},
    )
    assert printed.exit_code == 0, printed.output
    commands = [line for line in printed.output.splitlines() if line and line[0] != "#"]
    assert [c.split()[0] for c in commands] == [
        *("rabbitmqctl", "rabbitmqctl"),
        *("openssl", "chmod", "printf", "openssl"),
    ]
    hub = _transport(broker, broker.hub)
    try:
        hub.declare(partner_topology(["pnc"], namespace=namespace))
        add_user, set_permissions = (shlex.split(c)[1:] for c in commands[:2])
        broker.node.ctl(*add_user, stdin=password)
        broker.node.ctl(*set_permissions)
        for command in commands[2:]:
            subprocess.run(command, shell=True, cwd=tmp_path, check=True, capture_output=True)
        context = ssl.create_default_context(cafile=str(broker.ca.ca_file))
        context.load_cert_chain(tmp_path / f"{user}.crt", tmp_path / f"{user}.key")
        parameters = pika.URLParameters(broker.node.url(user, password))
        parameters.ssl_options = pika.SSLOptions(context, "localhost")
        connection = pika.BlockingConnection(parameters)
        try:
            queue = connection.channel().queue_declare(
                partner_outbound_queue_name("pnc", namespace), passive=True
            )
            assert queue.method.message_count == 0
        finally:
            connection.close()
    finally:
        hub.close()


@pytest.mark.parametrize("client", ["none", "another CA's"])
def test_a_client_without_a_certificate_the_broker_trusts_is_refused(
    broker: Broker, tmp_path: Path, client: str
) -> None:
    stranger = (
        TestCa(tmp_path / "stranger", "Stranger CA").client("pnc") if client != "none" else None
    )
    transport = _transport(broker, stranger)
    try:
        with pytest.raises(TransportUnavailable) as refused:
            transport.ping()
    finally:
        transport.close()
    # The broker ends the handshake with an alert (certificate required, unknown CA); over
    # TLS 1.3 the client may see only the connection closing in the handshake's wake.
    reason = str(refused.value)
    assert "SSL" in reason and ("alert" in reason or "EOF" in reason), reason


def test_the_hub_refuses_a_broker_whose_certificate_it_cannot_verify(
    broker: Broker, tmp_path: Path
) -> None:
    other_ca = TestCa(tmp_path / "other", "Other CA")
    transport = _transport(broker, broker.hub, ca_file=other_ca.ca_file)
    try:
        with pytest.raises(TransportUnavailable) as refused:
            transport.ping()
    finally:
        transport.close()
    assert "CERTIFICATE_VERIFY_FAILED" in str(refused.value)
