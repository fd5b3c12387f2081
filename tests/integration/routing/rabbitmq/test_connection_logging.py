"""What the logs say when the broker goes away and comes back, on a real RabbitMQ behind a
TCP proxy: one warning per lost connection with its reason, one line when it is back with
the attempts and the downtime, no stack trace, and nothing from pika's own loggers."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest

from core_records.errors import TransportUnavailable
from gatehouse.logging_setup import LIBRARY_LOG_LEVELS, quiet_libraries
from routing.messages import Message
from routing.rabbitmq.transport import RabbitTransport
from routing.topology import Topology
from tests.integration.routing._harness import collect, contract_topology
from tests.integration.routing._tcp_proxy import TcpProxy
from tests.running_hub import eventually
from tests.support import remember_topology

pytestmark = pytest.mark.rabbitmq

LOST = re.compile(r"(?P<what>.+) lost RabbitMQ \((?P<reason>.+)\); reconnecting in [\d.]+ s")
BACK = re.compile(
    r"(?P<what>.+) regained RabbitMQ after (?P<attempts>\d+) attempts?, (?P<down>[\d.]+) s down"
)
FAILED_ATTEMPT = re.compile(
    r"(?P<what>.+): reconnection attempt \d+ failed \(.+\); next in [\d.]+ s"
)


@pytest.fixture
def library_levels() -> Iterator[None]:
    """The libraries' log levels as every ``gatehouse`` command sets them, put back after."""
    before = {name: logging.getLogger(name).level for name in LIBRARY_LOG_LEVELS}
    quiet_libraries()
    yield
    for name, level in before.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
def proxy(rabbitmq_url: str) -> Iterator[TcpProxy]:
    proxy = TcpProxy.in_front_of(rabbitmq_url)
    yield proxy
    proxy.close()


@pytest.fixture
def topology(rabbitmq_url: str, namespace: str) -> Topology:
    topology = contract_topology(namespace)
    remember_topology(topology)
    return topology


def matches(caplog: pytest.LogCaptureFixture, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    found = (pattern.fullmatch(record.getMessage()) for record in caplog.records)
    return [match for match in found if match]


def test_a_broker_outage_is_one_line_when_lost_and_one_when_back_for_each_connection(
    rabbitmq_url: str,
    proxy: TcpProxy,
    topology: Topology,
    caplog: pytest.LogCaptureFixture,
    library_levels: None,
) -> None:
    caplog.set_level(logging.INFO)  # then the handler at DEBUG, for the hub's attempts
    caplog.set_level(logging.DEBUG, logger="routing.rabbitmq")
    transport = RabbitTransport(proxy.url_for(rabbitmq_url), confirm_timeout_s=1)
    try:
        transport.declare(topology)
        queue = topology.outbound_queue("delius")
        consumer = transport.consumer(queue)
        transport.publish(topology.events_exchange, [Message("prisoner.released", b"before")])
        consumer.ack(collect(consumer, 1))
        caplog.clear()

        proxy.refuse()  # the broker restarts: every connection drops and none is let in
        with pytest.raises(TransportUnavailable):
            transport.publish(topology.events_exchange, [Message("prisoner.released", b"x")])
        connections = {"the publisher", f"the consumer of {queue}"}

        def each_failed_to_reconnect() -> bool:
            assert consumer.fetch(1, 0.2) == []  # the consumer tries again when fetching
            return {m["what"] for m in matches(caplog, FAILED_ATTEMPT)} == connections

        eventually(each_failed_to_reconnect, "failed reconnection attempts")
        proxy.restore()

        def published() -> bool:
            try:
                transport.publish(topology.events_exchange, [Message("prisoner.released", b"a")])
            except TransportUnavailable:
                return False
            return True

        eventually(published, "the publisher back", timeout_s=60)
        consumer.ack(collect(consumer, 1))
        consumer.close()
    finally:
        transport.close()

    lost = {m["what"]: m["reason"] for m in matches(caplog, LOST)}
    back = {m["what"]: (int(m["attempts"]), float(m["down"])) for m in matches(caplog, BACK)}
    assert set(lost) == connections and len(matches(caplog, LOST)) == 2, lost
    assert set(back) == connections and len(matches(caplog, BACK)) == 2, back
    assert all(re.fullmatch(r"\w+: .*\S", reason) for reason in lost.values()), lost
    failed = [m["what"] for m in matches(caplog, FAILED_ATTEMPT)]
    for what, (attempts, down_s) in back.items():
        assert attempts == failed.count(what) + 1, (what, attempts, failed)
        assert down_s > 0
    assert [r for r in caplog.records if r.exc_info] == []
    assert [
        r for r in caplog.records if r.name.startswith("pika") and r.levelno >= logging.ERROR
    ] == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
