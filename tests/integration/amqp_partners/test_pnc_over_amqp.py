"""PNC over AMQP through a whole running hub: on the embedded default and on PostgreSQL with
RabbitMQ. A simulated PNC, on a transport of its own (as another process would have), takes
Gatehouse's documents from its queue and answers on the reply_to queue.

A private-prison reception goes in at the inbound exchange, as the HTTP edge puts it there.
"""

from __future__ import annotations

import sqlalchemy as sa

from adapters.delius.simulator import DeliusReceiver
from adapters.pnc.simulator import PncSimulator
from core_records.bookkeeping import journal
from core_records.identifiers import PNC
from core_records.partner_records.intelligence_tables import police_lookup
from gatehouse.bootstrap import Hub
from routing.messages import AMQP_CORRELATION_ID, AMQP_REPLY_TO, AMQP_TYPE
from routing.simulated_partner import running_partner
from routing.topology import partner_inbound_queue_name
from routing.transport import Transport
from tests.integration.amqp_partners.partners import (
    PERSON,
    RECEPTION,
    SAMPLES,
    receive_from_serco,
    simulated_pnc,
)
from tests.running_hub import eventually

KNOWN_PNC = "1998/0077321K"


def _pnc_ids(hub: Hub) -> list[str]:
    view = hub.store.person_view(PERSON)
    return [] if view is None else [i["value"] for i in view["identifiers"] if i["type"] == PNC]


def _lookups(hub: Hub) -> list[tuple[str, str | None]]:
    with hub.engine.connect() as connection:
        rows = connection.execute(sa.select(police_lookup.c.outcome, police_lookup.c.pnc_id))
        return [tuple(row) for row in rows]  # type: ignore[misc]


def _without_pnc_id(body: bytes) -> bytes:
    return body.replace(b"<PncId>2003/0412876Y</PncId>", b"")


def test_a_reception_without_a_pnc_id_is_looked_up_by_request_and_reply(
    hub: Hub, partner_transport: Transport
) -> None:
    simulator = PncSimulator(known={("HOLROYD", "1987-11-23"): (KNOWN_PNC, "274511/03A")})
    with running_partner(simulated_pnc(hub, partner_transport, simulator)) as pnc:
        message_id = receive_from_serco(hub, _without_pnc_id(RECEPTION))
        eventually(lambda: _pnc_ids(hub) == [KNOWN_PNC], "PNC's answer on the person")

    [request] = pnc.received
    headers = request.headers
    assert headers[AMQP_TYPE] == "prisoner.received"
    assert headers[AMQP_REPLY_TO] == partner_inbound_queue_name("pnc", hub.topology.namespace)
    assert headers[AMQP_CORRELATION_ID] == message_id  # the reception's correlation id
    [lookup] = simulator.lookups
    view = hub.store.person_view(PERSON)
    assert view is not None
    assert (lookup["PrisonNumber"], lookup["Surname"]) == (view["prisonNumber"], "HOLROYD")
    assert lookup["CroNumber"] == "274511/03A"
    assert _lookups(hub) == [("FOUND", KNOWN_PNC)]
    # The reply joined the journal chain of the reception that caused the request.
    replies = [h for h in _hops_correlated(hub, message_id) if h.message_type == "reply"]
    assert {h.hop for h in replies} >= {journal.RECEIVED, journal.STORED}


def _hops_correlated(hub: Hub, correlation_id: str) -> list[journal.Hop]:
    with hub.engine.connect() as connection:
        rows = connection.execute(
            sa.select(journal.journal_table).where(
                journal.journal_table.c.correlation_id == correlation_id
            )
        ).mappings()
        return [journal.Hop(**{k: row[k] for k in journal._HOP_FIELDS}) for row in rows]


def test_a_pnc_that_does_not_answer_does_not_hold_up_the_reception_and_answers_late(
    hub: Hub, partner_transport: Transport, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    receive_from_serco(hub, _without_pnc_id(RECEPTION))

    # PNC is not listening: the reception is stored and Delius hears of it all the same.
    assert receiver.wait_for(1, timeout_s=30)
    view = hub.store.person_view(PERSON)
    assert view is not None and view["custodyStatus"] == "IN_PRISON"
    assert _pnc_ids(hub) == [] and _lookups(hub) == []

    simulator = PncSimulator(assign_unknown=True)
    with running_partner(simulated_pnc(hub, partner_transport, simulator)):
        eventually(lambda: len(_pnc_ids(hub)) == 1, "PNC's late answer on the person")
    [(outcome, pnc_id)] = _lookups(hub)
    assert (outcome, pnc_id) == ("FOUND", _pnc_ids(hub)[0])


def test_a_release_on_licence_tells_pnc_the_custody_status_with_a_licence_notice(
    hub: Hub, partner_transport: Transport
) -> None:
    release = (SAMPLES / "private_prisons/samples/valid/release-conditional.xml").read_bytes()
    simulator = PncSimulator()
    with running_partner(simulated_pnc(hub, partner_transport, simulator)):
        receive_from_serco(hub)
        eventually(lambda: len(simulator.custody) == 1, "the reception's custody status")
        prison_number = hub.store.person_view(PERSON)["prisonNumber"]  # type: ignore[index]
        receive_from_serco(hub, _release_of(release, prison_number), "release")
        eventually(lambda: len(simulator.custody) == 2, "the release's custody status")

    received, released = simulator.custody
    assert (received["Status"], received["PncId"]) == ("RECEIVED", "2003/0412876Y")
    assert "LicenceType" not in received
    assert (released["Status"], released["EstablishmentCode"]) == ("RELEASED", "DNI")
    assert released["LicenceType"] == "CONDITIONAL_RELEASE"
    assert simulator.lookups == []


def _release_of(sample: bytes, prison_number: str) -> bytes:
    """The conditional-release sample, made the release of the person received at Doncaster."""
    for old, new in (
        (b"A1234BC", prison_number.encode()),
        (b"ASI", b"DNI"),
        (b"AS0077120", b"DN0458812"),
        (b"2011/1187342F", b"2003/0412876Y"),
    ):
        sample = sample.replace(old, new)
    return sample


def test_pnc_record_updates_change_the_person_and_a_bad_one_is_dead_lettered_with_its_reason(
    hub: Hub, partner_transport: Transport
) -> None:
    simulator = PncSimulator()
    pnc = simulated_pnc(hub, partner_transport, simulator)
    with running_partner(pnc):
        receive_from_serco(hub)
        eventually(lambda: hub.store.person_view(PERSON) is not None, "the reception")
        bad = simulator.merge("2003/0412876Y", "2011/1187342G")  # G: the check letter is F
        bad_id = pnc.send("merge", bad)
        untyped_id = pnc.send("", simulator.merge(KNOWN_PNC, "2003/0412876Y"))
        pnc.send("merge", simulator.merge(KNOWN_PNC, "2003/0412876Y"))
        eventually(lambda: _pnc_ids(hub) == [KNOWN_PNC], "the merge on the person")
        eventually(lambda: hub.dead_letters.count() == 2, "the bad merges dead-lettered")

    dead = {d.message_id: d for d in hub.dead_letters.list()}
    assert set(dead) == {bad_id, untyped_id}
    assert "the check letter should be F, not G" in dead[bad_id].reason
    assert dead[bad_id].headers["gatehouse-partner"] == "pnc"
    assert "pnc does not accept 'untyped' messages" in dead[untyped_id].reason
    assert "amendment, identifiers, merge, reply" in dead[untyped_id].reason
    hops = {h.hop for h in hub.journal.trace(bad_id)}
    assert {journal.RECEIVED, journal.REJECTED} <= hops
