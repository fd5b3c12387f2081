"""Identity changes through a running hub, and what each partner was told and not told.

Two records of one person are merged: Delius, PNC, OASys and the security application each
receive the merge in their own format (checked against its schema), and the next document
each receives about the person uses the surviving prison number; the merge is undone, and
each receives the unmerge. PNC then amends names: ``prisoner.updated`` reaches the partners
that hold the person (Delius only for someone it has a case for), and no one else.

Real HTTP receivers stand in for Delius, OASys and the operators; simulated PNC and security
applications take their documents from the broker on a connection of their own; both
backends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from adapters.delius.simulator import DeliusReceiver
from adapters.oasys.simulator import OasysReceiver, running_oasys
from adapters.pnc.simulator import PncSimulator
from adapters.private_prisons.notice_receiver import NoticeReceiver
from core_records.identity.merges import Merges
from gatehouse.bootstrap import Hub
from routing.simulated_partner import SimulatedAmqpPartner, running_partner
from schemas.loader import validate
from schemas.xml import parse_xml
from tests.hub_fixtures import delius_and_operators, partners_connection
from tests.integration.core_records.examples import (
    crn,
    cro,
    message,
    particulars,
    pnc,
    reception,
    release,
)
from tests.running_hub import eventually, hub_settings, running_hub

MERGE_SCHEMAS = {
    "delius": "delius/prison-merge-v1.xsd",
    "pnc": "pnc/prison-merge-v1.xsd",
    "oasys": "oasys/prison-merge-v1.xsd",
    "security": "security/identity-v1.xsd",
}


@dataclass
class Partners:
    delius: DeliusReceiver
    oasys: OasysReceiver
    operators: dict[str, NoticeReceiver]
    urls: dict[str, str]
    amqp: dict[str, SimulatedAmqpPartner] = field(default_factory=dict)

    def bodies(self, partner: str) -> list[bytes]:
        if partner == "delius":
            return [d.body for d in self.delius.received]
        if partner == "oasys":
            return self.oasys.received
        return self.amqp[partner].received_bodies()


@pytest.fixture
def partners() -> Iterator[Partners]:
    with ExitStack() as stack:
        delius, operators, urls = stack.enter_context(delius_and_operators())
        urls["oasys"], oasys = stack.enter_context(running_oasys())
        yield Partners(delius, oasys, operators, urls)


@pytest.fixture
def hub(
    backend: dict[str, str | None], partners: Partners, namespace: str, tmp_path: Path
) -> Iterator[Hub]:
    settings = hub_settings(
        database_url=backend["database_url"] or "",
        broker_url=backend["broker_url"],
        namespace=namespace,
        data_dir=tmp_path,
        delius_url=partners.urls["delius"],
        partner_urls=partners.urls,
    )
    with ExitStack() as stack:
        hub = stack.enter_context(running_hub(settings))
        amqp = stack.enter_context(partners_connection(hub))
        for name, respond in (("pnc", PncSimulator().respond), ("security", _nothing)):
            simulated = SimulatedAmqpPartner(amqp, name, namespace, respond)
            partners.amqp[name] = stack.enter_context(running_partner(simulated))
        yield hub


def _nothing(message_type: str, body: bytes) -> list[tuple[str, bytes]]:
    return []


def _root(body: bytes) -> str:
    return etree.QName(etree.fromstring(body)).localname


def _leaves(body: bytes) -> dict[str, str]:
    return {etree.QName(e).localname: e.text or "" for e in etree.fromstring(body).iter()
            if len(e) == 0 and isinstance(e.tag, str)}  # fmt: skip


def _documents(partners: Partners, partner: str, root: str) -> list[dict[str, str]]:
    return [_leaves(b) for b in partners.bodies(partner) if _root(b) == root]


def _wait_for(partners: Partners, partner: str, root: str, count: int, **having: str) -> None:
    def arrived() -> bool:
        found = _documents(partners, partner, root)
        return len([d for d in found if having.items() <= d.items()]) >= count

    eventually(arrived, f"{partner}'s {root} {having}", timeout_s=60)


def _apply(hub: Hub, *commands: Any) -> str:
    [outcome] = hub.store.apply([message(*commands)])
    assert outcome.status == "applied", outcome.error
    assert outcome.person_key is not None
    return outcome.person_key


def _released(partners: Partners, prison_number: str, count: int = 1) -> None:
    """Wait until every partner has ``count`` releases of ``prison_number``: what came
    before the last about the person was decided by then (one person's events leave in
    order)."""
    number, out = {"NomsNumber": prison_number}, {"PrisonNumber": prison_number}
    _wait_for(partners, "delius", "CustodyStatus", count, **number, Action="RELEASE")
    _wait_for(partners, "oasys", "OffenderUpdate", count, **number, Update="DISCHARGE")
    _wait_for(partners, "security", "Movement", count, **out, Direction="OUT")


def test_a_merge_and_its_undoing_reach_each_partner_in_its_format(
    hub: Hub, partners: Partners
) -> None:
    # The survivor: known to the police and to probation, received and released at Leeds.
    survivor = _apply(hub, reception(particulars(pnc(1), crn(1)), "LEI"))
    _apply(hub, release(pnc(1)))
    _released(partners, survivor)
    # The same person received again at Moorland under a new prison number.
    absorbed = _apply(hub, reception(particulars(cro(2)), "MDI"))
    _wait_for(partners, "security", "Movement", 1, PrisonNumber=absorbed, Direction="IN")
    _wait_for(partners, "delius", "CustodyStatus", 1, NomsNumber=absorbed)
    _wait_for(partners, "oasys", "OffenderUpdate", 1, NomsNumber=absorbed)
    _wait_for(partners, "pnc", "LookupRequest", 1, PrisonNumber=absorbed)

    merge = Merges(hub.engine).merge(survivor, absorbed, actor="data.steward", reason="same")

    for partner, schema in MERGE_SCHEMAS.items():
        _wait_for(partners, partner, "PrisonMerge", 1, Change="MERGED")
        [body] = [b for b in partners.bodies(partner) if _root(b) == "PrisonMerge"]
        validate(parse_xml(body), schema)
    [delius] = _documents(partners, "delius", "PrisonMerge")
    assert (delius["Crn"], delius["NomsNumber"]) == (crn(1).value, survivor)
    assert delius["RetiredNomsNumber"] == absorbed
    [police] = _documents(partners, "pnc", "PrisonMerge")
    assert (police["PncId"], police["PrisonNumber"]) == (pnc(1).value, survivor)
    assert police["RetiredPrisonNumber"] == absorbed and "Crn" not in police
    [risk] = _documents(partners, "oasys", "PrisonMerge")
    assert (risk["NomsNumber"], risk["RetiredNomsNumber"]) == (survivor, absorbed)
    [security] = _documents(partners, "security", "PrisonMerge")
    assert (security["PrisonNumber"], security["RetiredPrisonNumber"]) == (survivor, absorbed)

    # The next document each receives about the person, on a message naming the absorbed
    # record's identifier, uses the surviving number, never the retired one.
    seen = {p: len(partners.bodies(p)) for p in MERGE_SCHEMAS}
    _apply(hub, release(cro(2), establishment="MDI"))
    _released(partners, survivor, count=2)
    _wait_for(partners, "pnc", "CustodyStatus", 2, PrisonNumber=survivor, Status="RELEASED")
    for partner in MERGE_SCHEMAS:
        [after_merge, *_] = partners.bodies(partner)[seen[partner] :]
        assert survivor.encode() in after_merge, partner
        assert absorbed.encode() not in after_merge, partner

    Merges(hub.engine).unmerge(merge.id, actor="data.steward")

    for partner, schema in MERGE_SCHEMAS.items():
        _wait_for(partners, partner, "PrisonMerge", 1, Change="UNMERGED")
        unmerge = [b for b in partners.bodies(partner) if b"UNMERGED" in b]
        assert len(unmerge) == 1, partner
        validate(parse_xml(unmerge[0]), schema)
        assert absorbed.encode() in unmerge[0] and b"Restored" in unmerge[0], partner
    # The operators run neither prison: they heard of none of it.
    for operator in partners.operators.values():
        assert operator.received == []


def test_a_pnc_amendment_of_names_reaches_those_holding_the_person_and_no_one_else(
    hub: Hub, partners: Partners
) -> None:
    # One person probation holds a case for, one it does not, both at Leeds; and one held at
    # Altcourse, which G4S runs.
    with_case = _apply(hub, reception(particulars(pnc(3), crn(3)), "LEI"))
    without = _apply(hub, reception(particulars(pnc(4)), "LEI"))
    at_altcourse = _apply(hub, reception(particulars(pnc(5)), "ACI"))

    police = PncSimulator()
    for pnc_id in (pnc(3), pnc(4), pnc(5)):
        amendment = police.amendment(pnc_id.value, names=(("SMYTHE", "JON"),))
        partners.amqp["pnc"].send("amendment", amendment)
    _wait_for(partners, "delius", "PersonUpdated", 1, NomsNumber=with_case, Surname="SMYTHE")
    for prison_number in (with_case, without):
        _wait_for(partners, "security", "PersonUpdated", 1, PrisonNumber=prison_number)
    # Release both: once each partner has a release, it has decided the update before it.
    _apply(hub, release(pnc(3)))
    _apply(hub, release(pnc(4)))
    _released(partners, with_case)
    _released(partners, without)

    [update] = _documents(partners, "delius", "PersonUpdated")
    assert (update["Crn"], update["Forenames"]) == (crn(3).value, "JON")
    [body] = [b for b in partners.bodies("delius") if _root(b) == "PersonUpdated"]
    validate(parse_xml(body), "delius/person-update-v1.xsd")
    for body in [b for b in partners.bodies("security") if _root(b) == "PersonUpdated"]:
        validate(parse_xml(body), "security/identity-v1.xsd")
    # G4S holds the person at Altcourse: its update, after its custody notice.
    g4s = partners.operators["g4s"]
    eventually(lambda: len(g4s.received) == 2, "G4S's reception notice and person update")
    [notice, body] = g4s.received
    assert (_root(notice), _root(body)) == ("CustodyNotice", "PersonUpdated")
    validate(parse_xml(body), "private_prisons/person-update-v1.xsd")
    assert _leaves(body)["PrisonNumber"] == at_altcourse
    assert _leaves(body)["Surname"] == "SMYTHE" and _leaves(body)["EstablishmentCode"] == "ACI"
    _wait_for(partners, "security", "PersonUpdated", 1, PrisonNumber=at_altcourse)
    # Not PNC (its own news), not OASys, not Delius for someone without a case, not an
    # operator for someone in another's prison or a public one.
    assert all(at_altcourse.encode() not in b for b in partners.bodies("delius")
               if _root(b) == "PersonUpdated")  # fmt: skip
    for partner in ("pnc", "oasys"):
        assert all(b"SMYTHE" not in b for b in partners.bodies(partner)), partner
    for operator in ("serco", "sodexo"):
        assert partners.operators[operator].received == [], operator
