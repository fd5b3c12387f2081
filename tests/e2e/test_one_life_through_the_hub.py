"""One person's life through a running hub, and what each partner was told and not told.

Serco receives a new person at Doncaster without a PNC id; the hub asks PNC, which knows
them; Delius matches its case by that PNC id; Serco calculates their sentence; OASys
assesses a high risk to the public; the person orders from the canteen at a Doncaster
kiosk; Serco transfers them to Forest Bank (Sodexo's); Sodexo releases them on licence.

Real HTTP receivers stand in for Delius, OASys and three operators; simulated PNC and
security applications take their documents from RabbitMQ (or the embedded transport) on a
connection of their own, as other processes would; both backends.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from lxml import etree

from adapters.delius.simulator import DeliusReceiver
from adapters.oasys.simulator import OasysReceiver, assessment_summary, running_oasys
from adapters.pnc.simulator import PncSimulator
from adapters.private_prisons.notice_receiver import NoticeReceiver
from core_records.canteen import account as canteen
from core_records.canteen.account import RecordCanteenTransaction
from core_records.identifiers import NOMS, Identifier
from core_records.tables import alert
from gatehouse.bootstrap import Hub
from routing.simulated_partner import SimulatedAmqpPartner
from tests.e2e.kiosk_support import order_outcome, read, send
from tests.hub_fixtures import (
    delius_and_operators,
    serving_hub_with_amqp_partners,
)
from tests.integration.core_records.examples import message
from tests.running_hub import eventually

ADAPTERS = Path(__file__).parents[2] / "adapters"
OPERATOR_SAMPLES = ADAPTERS / "private_prisons" / "samples" / "valid"
DELIUS_SAMPLES = ADAPTERS / "delius" / "samples" / "valid"
KIOSK_ORDER = ADAPTERS / "kiosks" / "samples" / "valid" / "order-two-items.json"

PNC_ID, CRO_NUMBER = "2003/0412876Y", "274511/03A"
"""What PNC holds for the person of the reception sample (HOLROYD, born 1987-11-23)."""


@dataclass
class Partners:
    delius: DeliusReceiver
    oasys: OasysReceiver
    operators: dict[str, NoticeReceiver]
    urls: dict[str, str]
    pnc: PncSimulator
    amqp: dict[str, SimulatedAmqpPartner] = field(default_factory=dict)
    """PNC and the security application, once the hub they listen to runs."""


@pytest.fixture
def partners() -> Iterator[Partners]:
    with ExitStack() as stack:
        delius, operators, urls = stack.enter_context(delius_and_operators())
        urls["oasys"], oasys = stack.enter_context(running_oasys())
        pnc = PncSimulator(known={("HOLROYD", "1987-11-23"): (PNC_ID, CRO_NUMBER)})
        yield Partners(delius, oasys, operators, urls, pnc)


@pytest.fixture
def running(
    backend: dict[str, str | None], partners: Partners, namespace: str, tmp_path: Any
) -> Iterator[tuple[Hub, str]]:
    with serving_hub_with_amqp_partners(
        backend, partners.urls, partners.pnc.respond, partners.amqp, namespace, tmp_path
    ) as hub_and_api:
        yield hub_and_api


def post(api: str, token: str, adapter: str, message_type: str, body: bytes) -> None:
    response = httpx.post(
        f"{api}/api/v1/inbound/{adapter}/{message_type}",
        content=body,
        headers={"Content-Type": "application/xml", "Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 202, response.text


def pnc_ids(hub: Hub, prison_number: str) -> list[str]:
    view = hub.store.person_view(Identifier(NOMS, prison_number))
    return [] if view is None else [i["value"] for i in view["identifiers"] if i["type"] == "PNC"]


def leaves(body: bytes) -> dict[str, str]:
    return {etree.QName(e).localname: e.text or "" for e in etree.fromstring(body).iter()
            if len(e) == 0 and isinstance(e.tag, str)}  # fmt: skip


def test_one_life_reaches_each_partner_as_far_as_its_policy_allows(
    running: tuple[Hub, str], partners: Partners
) -> None:
    hub, api = running
    tokens = {
        p: hub.credentials.issue(p) for p in ("serco", "sodexo", "delius", "oasys", "kiosks_dni")
    }

    # Received without a PNC id: the hub asks PNC, which answers with the person's record.
    reception = (OPERATOR_SAMPLES / "reception-new-person.xml").read_bytes()
    reception = reception.replace(f"<PncId>{PNC_ID}</PncId>".encode(), b"")
    post(api, tokens["serco"], "private_prisons", "reception", reception)
    assert partners.operators["serco"].wait_for(1, timeout_s=30)
    prison_number = leaves(partners.operators["serco"].received[0])["PrisonNumber"]
    eventually(lambda: pnc_ids(hub, prison_number) == [PNC_ID], "PNC's answer on the person")
    assert partners.delius.wait_for(1, timeout_s=30)

    # Delius finds its case by the PNC id that PNC supplied.
    post(api, tokens["delius"], "delius", "case",
         (DELIUS_SAMPLES / "case-matched-by-pnc-id.xml").read_bytes())  # fmt: skip
    assert partners.delius.wait_for(2, timeout_s=30)

    post(api, tokens["serco"], "private_prisons", "sentence",
         (OPERATOR_SAMPLES / "sentence-calculated-on-sentencing.xml").read_bytes())  # fmt: skip

    completed = datetime(2024, 5, 4, 13, 55, tzinfo=UTC)
    summary = assessment_summary("10082385", completed, {"PUBLIC": ("MEDIUM", "HIGH")},
                                 crn="E118064", scores={"OGRS3_1YR": 34})  # fmt: skip
    post(api, tokens["oasys"], "oasys", "assessment", summary)

    # Private cash handed in at reception (the prison's own finance records it, no partner
    # sends it), then an order at a kiosk on the wing.
    credit = RecordCanteenTransaction(
        person=(Identifier(NOMS, prison_number),), transaction_type=canteen.CREDIT,
        amount_pence=1000, client_reference="DNI-CASH-0001", occurred_at=datetime.now(UTC),
    )  # fmt: skip
    assert [o.status for o in hub.store.apply([message(credit)])] == ["applied"]
    order = json.loads(KIOSK_ORDER.read_bytes()) | {
        "kioskId": "DNI-A1-03", "establishment": "DNI", "prisonNumber": prison_number,
        "orderReference": "KSK-DNI-0000001", "placedAt": datetime.now(UTC).isoformat(),
    }  # fmt: skip
    assert send(api, tokens["kiosks_dni"], "order", order).status_code == 202
    outcome = order_outcome(api, tokens["kiosks_dni"], "KSK-DNI-0000001")
    assert outcome["status"] == "ACCEPTED"
    account = read(api, tokens["kiosks_dni"], f"accounts/{prison_number}").json()
    assert account["balancePence"] == 1000 - (2 * 85 + 199)

    transfer = (OPERATOR_SAMPLES / "transfer-to-public-prison.xml").read_text()
    transfer = transfer.replace("<PrisonNumber>A7301EK</PrisonNumber>", "")
    post(api, tokens["serco"], "private_prisons", "transfer",
         transfer.replace("LEI", "FBI").encode())  # fmt: skip
    assert partners.operators["sodexo"].wait_for(1, timeout_s=30)
    # Doncaster's kiosks no longer see someone who has left Doncaster.
    assert read(api, tokens["kiosks_dni"], f"accounts/{prison_number}").status_code == 404

    release = (OPERATOR_SAMPLES / "release-conditional.xml").read_text()
    for old, new in (("serco", "sodexo"), ("ASI", "FBI"), ("A1234BC", prison_number),
                     ("AS0077120", "FB0000123"), ("<PncId>2011/1187342F</PncId>", "")):  # fmt: skip
        release = release.replace(old, new)
    post(api, tokens["sodexo"], "private_prisons", "release", release.encode())

    # The release is the person's last event: once each partner has it, all earlier ones
    # were decided (one person's events leave in order).
    assert partners.operators["sodexo"].wait_for(2, timeout_s=60)
    assert partners.delius.wait_for(5, timeout_s=60)
    assert partners.oasys.wait_for(5, timeout_s=60)
    eventually(lambda: [c["Status"] for c in partners.pnc.custody][-1:] == ["RELEASED"],
               "PNC's release", timeout_s=60)  # fmt: skip
    security = partners.amqp["security"]
    eventually(lambda: b"<Direction>OUT</Direction>" in (security.received_bodies() or [b""])[-1]
               and b"FBI" in security.received_bodies()[-1], "security's release",
               timeout_s=60)  # fmt: skip

    delius = [leaves(d.body) for d in partners.delius.received]
    kinds = [etree.QName(etree.fromstring(d.body)).localname for d in partners.delius.received]
    assert kinds == ["CustodyStatus", "PrisonIdentifier", "SentenceKeyDates", "CustodyStatus",
                     "CustodyStatus"]  # fmt: skip
    assert [delius[i]["Action"] for i in (0, 3, 4)] == ["RECEPTION", "TRANSFER", "RELEASE"]
    assert delius[1]["Crn"] == "E118064" and delius[1]["NomsNumber"] == prison_number
    assert b'<KeyDate code="CRD">2025-09-14</KeyDate>' in partners.delius.received[2].body
    assert delius[4]["Crn"] == "E118064" and delius[4]["PncId"] == PNC_ID

    oasys = [leaves(body) for body in partners.oasys.received]
    assert [(u["Update"], u.get("EstablishmentCode")) for u in oasys] == [
        ("RECEPTION", "DNI"), ("SENTENCE", None), ("IMPRISONMENT_STATUS", None),
        ("TRANSFER", "FBI"), ("DISCHARGE", "FBI"),
    ]  # fmt: skip
    assert oasys[2]["ImprisonmentStatus"] == "SENTENCED"
    assert oasys[4]["Crn"] == "E118064"

    serco = [leaves(n) for n in partners.operators["serco"].received]
    sodexo = [leaves(n) for n in partners.operators["sodexo"].received]
    assert [(n["CustodyEvent"], n["EstablishmentCode"]) for n in serco] == [
        ("RECEIVED", "DNI"), ("RELEASED", "DNI"),
    ]  # fmt: skip
    assert [(n["CustodyEvent"], n["EstablishmentCode"]) for n in sodexo] == [
        ("RECEIVED", "FBI"), ("RELEASED", "FBI"),
    ]  # fmt: skip
    assert partners.operators["g4s"].received == []

    # PNC was asked once, by name and date of birth, at the reception (the request tells it
    # where the person is); it was told of the arrival at Forest Bank and of the release, with
    # the licence and the PNC id it had supplied.
    [lookup] = partners.pnc.lookups
    assert (lookup["PrisonNumber"], lookup["Surname"], lookup["DateOfBirth"]) == (
        prison_number, "HOLROYD", "1987-11-23",
    )  # fmt: skip
    assert lookup["EstablishmentCode"] == "DNI" and "PncId" not in lookup
    assert [(c["Status"], c["EstablishmentCode"], c["PncId"]) for c in partners.pnc.custody] == [
        ("TRANSFERRED", "FBI", PNC_ID), ("RELEASED", "FBI", PNC_ID),
    ]  # fmt: skip
    assert partners.pnc.custody[-1]["LicenceType"] == "CONDITIONAL_RELEASE"

    # The security application heard of every movement, the transfer's two halves included,
    # and of the risk alert the assessment set.
    heard = [leaves(b) for b in security.received_bodies()]
    what = [(h.get("Direction"), h.get("EstablishmentCode"), h.get("AlertCode")) for h in heard]
    assert what == [
        ("IN", "DNI", None), (None, None, "ROH"), ("OUT", "DNI", None), ("IN", "FBI", None),
        ("OUT", "FBI", None),
    ]  # fmt: skip
    assert (heard[2]["ToPrison"], heard[3]["FromPrison"]) == ("FBI", "DNI")
    assert all(h["PrisonNumber"] == prison_number for h in heard)

    # What no one was told: the operator's own id goes nowhere; OASys and the operators get
    # no PNC or CRO; only the security application hears of the alert the assessment set,
    # and no partner of the assessment itself or of the canteen.
    told = {
        "delius": [d.body for d in partners.delius.received],
        "oasys": partners.oasys.received,
        "serco": partners.operators["serco"].received,
        "sodexo": partners.operators["sodexo"].received,
        "pnc": partners.amqp["pnc"].received_bodies(),
        "security": security.received_bodies(),
    }
    everything = [body for bodies in told.values() for body in bodies]
    assert all(b"DN0458812" not in body and b"serco:" not in body for body in everything)
    for body in told["oasys"] + told["sodexo"] + told["serco"]:
        assert PNC_ID.encode() not in body and CRO_NUMBER.encode() not in body
    for partner in ("delius", "oasys", "serco", "sodexo", "pnc"):
        assert all(b"ROH" not in body for body in told[partner]), partner
    assert all(b"10082385" not in body for body in everything)
    assert all(b"KSK-DNI" not in body and b"CHOC-001" not in body for body in everything)
    for body in told["pnc"] + told["security"]:
        assert b"E118064" not in body  # neither is given the CRN

    # ...but the record holds the risk: the assessment set the high-RoSH alert.
    with hub.engine.connect() as connection:
        alerts = connection.execute(sa.select(alert.c.alert_code, alert.c.active)).all()
    assert [tuple(a) for a in alerts] == [("ROH", True)]
