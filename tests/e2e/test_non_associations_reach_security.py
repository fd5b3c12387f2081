"""An operator's non-association, posted over HTTP to a running hub, reaches the security
application over AMQP as one NonAssociation document per person, each naming the other,
and then its close; no other partner (Delius, the operators' own systems) hears of it, and
the operator's comment reaches no one. Both backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from lxml import etree

from adapters.private_prisons.messages import OperatorPerson
from adapters.private_prisons.simulator import OperatorSimulator
from adapters.transports.local_server import serving
from core_records.bookkeeping import journal
from gatehouse.app import create_app
from gatehouse.bootstrap import Hub
from routing.simulated_partner import SimulatedAmqpPartner, running_partner
from tests.hub_fixtures import HttpPartners, delius_and_operators, partners_connection
from tests.running_hub import eventually, hub_settings, running_hub

SAMPLES = Path(__file__).parents[2] / "adapters" / "private_prisons" / "samples" / "valid"
NON_ASSOCIATION_EVENTS = {"prisoner.non-association.created", "prisoner.non-association.closed"}
COMMENT = b"Assaulted on B wing"


@pytest.fixture
def partners() -> Iterator[HttpPartners]:
    with delius_and_operators() as running:
        yield running


@pytest.fixture
def hub(
    backend: dict[str, str | None], partners: HttpPartners, namespace: str, tmp_path: Any
) -> Iterator[Hub]:
    settings = hub_settings(
        database_url=backend["database_url"] or "",
        broker_url=backend["broker_url"],
        namespace=namespace,
        data_dir=tmp_path,
        delius_url=partners[2]["delius"],
        partner_urls=partners[2],
    )
    with running_hub(settings) as running:
        yield running


@pytest.fixture
def security(hub: Hub) -> Iterator[SimulatedAmqpPartner]:
    """The security application, on a broker connection of its own."""
    with partners_connection(hub) as transport:
        partner = SimulatedAmqpPartner(transport, "security", hub.topology.namespace, _no_answer)
        with running_partner(partner) as running:
            yield running


def _no_answer(message_type: str, body: bytes) -> list[tuple[str, bytes]]:
    return []


def post(api: str, token: str, message_type: str, body: bytes) -> None:
    response = httpx.post(
        f"{api}/api/v1/inbound/private_prisons/{message_type}",
        content=body,
        headers={"Content-Type": "application/xml", "Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 202, response.text


def leaves(body: bytes) -> dict[str, str]:
    root = etree.fromstring(body)
    found = {etree.QName(e).localname: e.text or "" for e in root.iter() if len(e) == 0}
    return {"root": etree.QName(root).localname, **found}


def non_association(name: str, first: OperatorPerson, second: OperatorPerson) -> bytes:
    text = (SAMPLES / name).read_text()
    for old, new in (("A1234BC", first.prison_number), ("G4521KL", second.prison_number),
                     ("DN0458812", first.local_id)):  # fmt: skip
        text = text.replace(old, new or "")
    return text.encode()


def test_a_non_association_reaches_the_security_application_for_each_person_and_no_one_else(
    hub: Hub, partners: HttpPartners, security: SimulatedAmqpPartner
) -> None:
    delius, operators, _ = partners
    token = hub.credentials.issue("serco")
    operator = OperatorSimulator("serco", ["DNI"], seed=11)
    victim, assailant = (operator.person(sex="M", known_to_prisons=True) for _ in range(2))
    assert victim.prison_number and assailant.prison_number

    with serving(create_app(hub), name="gatehouse-api") as api:
        for person in (victim, assailant):
            post(api, token, "reception", operator.reception(person, "DNI", "N"))
        eventually(lambda: len(security.received) == 2, "the security application's movements")

        post(api, token, "non-association",
             non_association("non-association-victim-recorded.xml", victim, assailant))  # fmt: skip
        eventually(lambda: len(security.received) == 4, "both NonAssociation documents")
        post(api, token, "non-association",
             non_association("non-association-closed.xml", victim, assailant))  # fmt: skip
        eventually(lambda: len(security.received) == 6, "both documents of the close")

        # A release of each, after: each person's events leave in order, so once every
        # partner has the releases, it was offered everything about them before.
        for person in (victim, assailant):
            post(api, token, "release", operator.release(person, "CR"))
        eventually(lambda: len(security.received) == 8, "the security application's releases")
        assert delius.wait_for(4, timeout_s=30)
        assert operators["serco"].wait_for(4, timeout_s=30)

    documents = [leaves(m.body) for m in security.received]
    kept_apart = [d for d in documents if d["root"] == "NonAssociation"]
    assert [(d["Status"], d["ReasonCode"]) for d in kept_apart] == [("OPEN", "VIC")] * 2 + [
        ("CLOSED", "VIC")
    ] * 2
    for status in ("OPEN", "CLOSED"):
        others = {d["PrisonNumber"]: d["OtherPrisonNumber"] for d in kept_apart
                  if d["Status"] == status}  # fmt: skip
        assert others == {
            victim.prison_number: assailant.prison_number,
            assailant.prison_number: victim.prison_number,
        }
    assert all(COMMENT not in m.body for m in security.received)

    # Nobody else heard of it: only custody updates and notices, and only Serco's.
    assert [leaves(d.body)["CustodyEvent"] for d in delius.received] == ["RECEIVED"] * 2 + [
        "RELEASED"
    ] * 2
    assert [leaves(b)["CustodyEvent"] for b in operators["serco"].received] == [
        "RECEIVED", "RECEIVED", "RELEASED", "RELEASED",
    ]  # fmt: skip
    assert operators["sodexo"].received == [] and operators["g4s"].received == []
    everything = [d.body for d in delius.received]
    everything += [b for r in operators.values() for b in r.received]
    assert all(b"NonAssociation" not in b and COMMENT not in b for b in everything)
    assert not any(
        victim.prison_number.encode() in b and assailant.prison_number.encode() in b
        for b in everything
    )
    bound = {
        q.name for q in hub.topology.work_queues for b in q.bindings
        if b.routing_key in NON_ASSOCIATION_EVENTS
    }  # fmt: skip
    assert bound and all("security" in name for name in bound), bound
    with hub.engine.connect() as connection:
        delivered_to = set(
            connection.execute(
                sa.select(journal.journal_table.c.partner).where(
                    journal.journal_table.c.hop == journal.DELIVERED,
                    journal.journal_table.c.message_type.in_(NON_ASSOCIATION_EVENTS),
                )
            ).scalars()
        )
    assert delivered_to == {"security"}
