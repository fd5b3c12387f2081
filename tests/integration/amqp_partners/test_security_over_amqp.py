"""The security application over AMQP through a whole running hub, on both backends: it
hears of movements, and what it sends (security alerts, intelligence flags) is stored and
reaches no other partner."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from lxml import etree

from adapters.delius.simulator import DeliusReceiver
from adapters.pnc.simulator import PncSimulator
from core_records.bookkeeping import journal
from core_records.partner_records.intelligence_tables import intelligence_flag, security_alert
from core_records.tables import outbox
from gatehouse.bootstrap import Hub
from routing.simulated_partner import SimulatedAmqpPartner, running_partner
from routing.transport import Transport
from tests.integration.amqp_partners.partners import SAMPLES, receive_from_serco, simulated_pnc
from tests.running_hub import eventually

SECURITY_SAMPLES = SAMPLES / "security/samples/valid"


def _answer_nothing(message_type: str, body: bytes) -> list[tuple[str, bytes]]:
    return []


@pytest.fixture
def security(hub: Hub, partner_transport: Transport) -> Iterator[SimulatedAmqpPartner]:
    partner = SimulatedAmqpPartner(
        partner_transport, "security", hub.topology.namespace, _answer_nothing
    )
    with running_partner(partner) as running:
        yield running


def _leaves(body: bytes) -> dict[str, str]:
    root = etree.fromstring(body)
    return {etree.QName(e).localname: e.text or "" for e in root.iter() if len(e) == 0}


def _count(hub: Hub, table: sa.Table) -> int:
    with hub.engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_security_intelligence_is_stored_and_reaches_no_other_partner(
    hub: Hub,
    security: SimulatedAmqpPartner,
    partner_transport: Transport,
    delius: tuple[str, DeliusReceiver],
) -> None:
    _, receiver = delius
    pnc_simulator = PncSimulator()
    with running_partner(simulated_pnc(hub, partner_transport, pnc_simulator)) as pnc:
        receive_from_serco(hub)
        eventually(lambda: len(security.received) == 1, "the security application's movement")
        movement = _leaves(security.received[0].body)
        prison_number = movement["PrisonNumber"]
        assert (movement["Direction"], movement["EstablishmentCode"]) == ("IN", "DNI")

        for sample in ("alert-escape-list-raised.xml", "flag-drug-supply.xml"):
            body = (
                (SECURITY_SAMPLES / sample).read_bytes().replace(b"A1234BC", prison_number.encode())
            )
            security.send(sample.split("-")[0], body)
        eventually(lambda: _count(hub, security_alert) == 1, "the security alert stored")
        eventually(lambda: _count(hub, intelligence_flag) == 1, "the intelligence flag stored")

        def classified_events_published() -> bool:
            with hub.engine.connect() as connection:
                return (
                    connection.execute(
                        sa.select(sa.func.count())
                        .select_from(outbox)
                        .where(
                            outbox.c.event_type.in_(
                                ["alert.security.raised", "intelligence.flag.raised"]
                            ),
                            outbox.c.published_at.is_not(None),
                        )
                    ).scalar_one()
                    == 2
                )

        eventually(classified_events_published, "the classified events published")
        eventually(lambda: len(pnc.received) == 1, "PNC's custody status of the reception")

    # No partner's queue but none is bound to a classified event, so none could receive one.
    classified = {"alert.security.raised", "intelligence.flag.raised"}
    bound = {b.routing_key for q in hub.topology.work_queues for b in q.bindings}
    assert not classified & bound
    bodies = [m.body for m in pnc.received] + [d.body for d in receiver.received]
    bodies += [m.body for m in security.received]
    assert not any(b"XEL" in body or b"DRUG_SUPPLY" in body for body in bodies)
    assert len(receiver.received) == 1 and len(security.received) == 1
    with hub.engine.connect() as connection:
        delivered = connection.execute(
            sa.select(journal.journal_table.c.message_type).where(
                journal.journal_table.c.hop == journal.DELIVERED
            )
        ).scalars()
        assert not {"alert.security.raised", "intelligence.flag.raised"} & set(delivered)
