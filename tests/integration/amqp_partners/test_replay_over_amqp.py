"""A replay to a partner over AMQP, on RabbitMQ: the security application receives a person's
movement again, marked as a replay in the message's headers, the live one unmarked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.transports import partner_headers
from core_records.bookkeeping.replays import ReplayRuns, ReplayWindow
from gatehouse.bootstrap import Hub
from gatehouse.replays import replay_runner
from routing.simulated_partner import SimulatedAmqpPartner, running_partner
from routing.transport import Transport
from tests.integration.amqp_partners.partners import receive_from_serco
from tests.running_hub import eventually

pytestmark = pytest.mark.parametrize("backend", ["rabbitmq"], indirect=True)


@pytest.fixture
def security(hub: Hub, partner_transport: Transport) -> Iterator[SimulatedAmqpPartner]:
    partner = SimulatedAmqpPartner(
        partner_transport, "security", hub.topology.namespace, lambda _type, _body: []
    )
    with running_partner(partner) as running:
        yield running


def test_a_replayed_movement_reaches_the_security_application_marked_in_its_headers(
    hub: Hub, security: SimulatedAmqpPartner
) -> None:
    receive_from_serco(hub)
    eventually(lambda: len(security.received) == 1, "the live movement")
    [live] = security.received
    runs = ReplayRuns(hub.engine)
    window = ReplayWindow("security", event_id=live.message_id)
    eventually(lambda: sum(runs.count(window).values()) == 1, "the delivery journalled")

    runner = replay_runner(hub)
    try:
        run = runner.runs.start(
            window, mode="rerender", reason="security asked", actor="tester",
            rate_per_s=100, owner=runner.owner,
        )  # fmt: skip
        done = runner.run_to_end(run.id)
    finally:
        runner.close()

    assert (done.status, done.sent) == ("done", 1)
    eventually(lambda: len(security.received) == 2, "the replayed movement")
    again = security.received[1]
    assert again.message_id == live.message_id and again.body == live.body
    assert again.headers[partner_headers.REPLAY_ID] == run.id
    assert again.headers[partner_headers.DELIVERY] == partner_headers.REPLAY
    assert partner_headers.REPLAY_ID not in live.headers
