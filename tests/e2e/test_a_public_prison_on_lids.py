"""A person's time at a public prison still on its legacy LIDS, through a running hub, and
what each partner was told and not told.

Leeds's LIDS receives Kieran Holroyd on remand; he goes to Leeds Crown Court and back, out to
a funeral and back; a review makes him enhanced; private cash and pay reach his canteen
account and he orders at a wing kiosk (the canteen roll of Leeds lists him); the prison
raises a self-harm (ACCT) alert and an escape-list alert. Leeds transfers him to Doncaster,
run by Serco, whose system releases him on licence.

Real HTTP receivers stand in for Delius, OASys and three operators; simulated PNC and
security applications take their documents from RabbitMQ (or the embedded transport) on a
connection of their own; both backends.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree

from adapters.delius.simulator import DeliusReceiver
from adapters.lids.simulator import LidsMessages, LidsPerson
from adapters.oasys.simulator import OasysReceiver, running_oasys
from adapters.pnc.simulator import PncSimulator
from adapters.private_prisons.notice_receiver import NoticeReceiver
from core_records.canteen import ledger
from core_records.identifiers import PNC, Identifier
from gatehouse.bootstrap import Hub
from routing.simulated_partner import SimulatedAmqpPartner
from tests.e2e.kiosk_support import order_outcome, read, send
from tests.hub_fixtures import (
    delius_and_operators,
    serving_hub_with_amqp_partners,
)
from tests.running_hub import eventually

ADAPTERS = Path(__file__).parents[2] / "adapters"
KIOSK_ORDER = ADAPTERS / "kiosks" / "samples" / "valid" / "order-two-items.json"
OPERATOR_RELEASE = ADAPTERS / "private_prisons" / "samples" / "valid" / "release-conditional.xml"

PNC_ID, CRO_NUMBER = "2003/0412876Y", "274511/03A"
HOLROYD = LidsPerson("AL9692", "HOLROYD", "KIERAN JAMES", date(1987, 11, 23),
                     pnc_id=PNC_ID, cro_number=CRO_NUMBER)  # fmt: skip
DAY = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


@dataclass
class Partners:
    delius: DeliusReceiver
    oasys: OasysReceiver
    operators: dict[str, NoticeReceiver]
    urls: dict[str, str]
    pnc: PncSimulator
    amqp: dict[str, SimulatedAmqpPartner] = field(default_factory=dict)


@pytest.fixture
def partners() -> Iterator[Partners]:
    with ExitStack() as stack:
        delius, operators, urls = stack.enter_context(delius_and_operators())
        urls["oasys"], oasys = stack.enter_context(running_oasys())
        yield Partners(delius, oasys, operators, urls, PncSimulator(known={}))


@pytest.fixture
def running(
    backend: dict[str, str | None], partners: Partners, namespace: str, tmp_path: Any
) -> Iterator[tuple[Hub, str]]:
    with serving_hub_with_amqp_partners(
        backend, partners.urls, partners.pnc.respond, partners.amqp, namespace, tmp_path
    ) as hub_and_api:
        yield hub_and_api


def post(api: str, token: str, adapter: str, message_type: str, body: bytes) -> httpx.Response:
    return httpx.post(
        f"{api}/api/v1/inbound/{adapter}/{message_type}",
        content=body,
        headers={"Content-Type": "application/xml", "Authorization": f"Bearer {token}"},
        timeout=30,
    )


def stored(api: str, token: str, adapter: str, message_type: str, body: bytes) -> None:
    """Post the document and wait until the hub has stored what it says."""
    response = post(api, token, adapter, message_type, body)
    assert response.status_code == 202, response.text
    location = response.headers["location"]
    seen: dict[str, Any] = {}

    def decided() -> bool:
        answer = httpx.get(f"{api}{location}", headers={"Authorization": f"Bearer {token}"})
        seen.update(answer.json() if answer.status_code == 200 else {})
        return seen.get("status") in ("stored", "rejected", "dead_lettered")

    eventually(decided, f"the {message_type} {location} decided", timeout_s=60)
    assert seen["status"] == "stored", seen


def leaves(body: bytes) -> dict[str, str]:
    return {etree.QName(e).localname: e.text or "" for e in etree.fromstring(body).iter()
            if len(e) == 0 and isinstance(e.tag, str)}  # fmt: skip


def view(hub: Hub) -> dict[str, Any]:
    found = hub.store.person_view(Identifier(PNC, PNC_ID))
    assert found is not None
    return found


def test_a_person_through_a_public_prison_on_lids_reaches_each_partner_as_its_policy_allows(
    running: tuple[Hub, str], partners: Partners
) -> None:
    hub, api = running
    tokens = {p: hub.credentials.issue(p) for p in ("lids-LEI", "lids-WWI", "kiosks_lei", "serco")}
    leeds = LidsMessages("LEI")

    def lids(message_type: str, body: bytes) -> None:
        stored(api, tokens["lids-LEI"], "lids", message_type, body)

    # Wandsworth's LIDS may not send a row for Leeds: refused at the edge, nothing applied.
    refused = post(api, tokens["lids-WWI"], "lids", "reception", leeds.reception(HOLROYD, DAY))
    assert refused.status_code == 403, refused.text
    assert "may not send rows for LEI" in refused.text

    lids("reception", leeds.reception(HOLROYD, DAY))
    received = view(hub)
    prison_number = received["prisonNumber"]
    assert received["establishment"] == "LEI"
    # Recorded as Leeds's AL9692: another prison's LIDS may have issued the same number.
    assert {"type": "LIDS", "value": "LEI/AL9692"} in received["identifiers"]

    # To court and back, to a funeral and back: in Leeds's care and count throughout.
    trips = [("CRT", "OUT", "CRT", "LEEDCC"), ("CRT", "IN", "TRIAL", "LEEDCC"),
             ("TAP", "OUT", "C3", None), ("TAP", "IN", "C3", None)]  # fmt: skip
    for hours, (kind, direction, reason, agency) in enumerate(trips, start=1):
        at = DAY + timedelta(days=1, hours=hours * 2)
        lids("movement", leeds.movement(HOLROYD, kind, direction, reason, at, agency))
        assert view(hub)["careStatus"] == "UNDER_PRISON_CARE"
    assert (view(hub)["custodyStatus"], view(hub)["establishment"]) == ("IN_PRISON", "LEI")

    lids("incentive-review", leeds.incentive_review(HOLROYD, "ENH", DAY + timedelta(days=2)))
    lids("credit", leeds.credit(HOLROYD, "PRIVATE_CASH", 2500, DAY + timedelta(days=2)))
    lids("credit", leeds.credit(HOLROYD, "PAY", 1150, DAY + timedelta(days=2, hours=8)))
    lids("alert", leeds.alert(HOLROYD, "HA", True, DAY + timedelta(days=3)))
    lids("alert", leeds.alert(HOLROYD, "XEL", True, DAY + timedelta(days=3, hours=1)))

    # The canteen roll of Leeds lists him, enhanced, with what he may spend.
    [entry] = [e for e in ledger.roll(hub.engine, "LEI", DAY + timedelta(days=3))
               if e.prison_number == prison_number]  # fmt: skip
    assert (entry.surname, entry.incentive_level, entry.location) == ("HOLROYD", "ENH", "LEI")
    assert entry.available_spends_pence > 0

    order = json.loads(KIOSK_ORDER.read_bytes()) | {
        "prisonNumber": prison_number, "orderReference": "KSK-LEI-0000042",
        "placedAt": (DAY + timedelta(days=3, hours=5)).isoformat(),
    }  # fmt: skip
    assert send(api, tokens["kiosks_lei"], "order", order).status_code == 202
    assert order_outcome(api, tokens["kiosks_lei"], "KSK-LEI-0000042")["status"] == "ACCEPTED"
    account = read(api, tokens["kiosks_lei"], f"accounts/{prison_number}").json()
    assert account["balancePence"] == 2500 + 1150 - (2 * 85 + 199)

    lids("transfer-out", leeds.transfer_out(HOLROYD, "DNI", DAY + timedelta(days=10)))
    assert view(hub)["establishment"] == "DNI"
    assert partners.operators["serco"].wait_for(1, timeout_s=30)

    release = OPERATOR_RELEASE.read_text()
    for old, new in (("ASI", "DNI"), ("A1234BC", prison_number), ("AS0077120", "DN0458812"),
                     ("<PncId>2011/1187342F</PncId>", f"<PncId>{PNC_ID}</PncId>"),
                     ("PRITCHARD", "HOLROYD"), ("GARETH", "KIERAN JAMES"),
                     ("1990-06-30", "1987-11-23"), ("2024-05-07", "2024-05-20")):  # fmt: skip
        release = release.replace(old, new)
    stored(api, tokens["serco"], "private_prisons", "release", release.encode())
    assert view(hub)["custodyStatus"] == "OUTSIDE_PRISON"

    # The release is the person's last event: once each partner has it, all earlier ones
    # were decided (one person's events leave in order).
    serco = partners.operators["serco"]
    assert serco.wait_for(2, timeout_s=60)
    assert partners.delius.wait_for(3, timeout_s=60)
    assert partners.oasys.wait_for(3, timeout_s=60)
    eventually(lambda: [c["Status"] for c in partners.pnc.custody][-1:] == ["RELEASED"],
               "PNC's release", timeout_s=60)  # fmt: skip
    security = partners.amqp["security"]
    eventually(lambda: b"DNI" in (security.received_bodies() or [b""])[-1]
               and b"<Direction>OUT</Direction>" in security.received_bodies()[-1],
               "security's release", timeout_s=60)  # fmt: skip

    # Probation, police and risk: the reception at Leeds, the move to Doncaster and the
    # release; nothing for the trips out and back, the review, the money or the alerts.
    delius = [leaves(d.body) for d in partners.delius.received]
    assert [(d["Action"], d["Reason"]) for d in delius] == [
        ("RECEPTION", "NEW_ADMISSION"), ("TRANSFER", "TRANSFERRED"), ("RELEASE", "RELEASED"),
    ]  # fmt: skip
    oasys = [leaves(body) for body in partners.oasys.received]
    assert [(u["Update"], u.get("EstablishmentCode")) for u in oasys] == [
        ("RECEPTION", "LEI"), ("TRANSFER", "DNI"), ("DISCHARGE", "DNI"),
    ]  # fmt: skip
    assert [(c["Status"], c["EstablishmentCode"]) for c in partners.pnc.custody] == [
        ("RECEIVED", "LEI"), ("TRANSFERRED", "DNI"), ("RELEASED", "DNI"),
    ]  # fmt: skip

    # Serco hears of him only once he is at Doncaster; the other operators not at all.
    notices = [leaves(n) for n in serco.received]
    assert [(n["CustodyEvent"], n["EstablishmentCode"]) for n in notices] == [
        ("RECEIVED", "DNI"), ("RELEASED", "DNI"),
    ]  # fmt: skip
    assert partners.operators["sodexo"].received == []
    assert partners.operators["g4s"].received == []

    # The security application hears of every movement and both alerts, the escape list's
    # included.
    heard = [leaves(b) for b in security.received_bodies()]
    what = [(h.get("Direction"), h.get("Reason"), h.get("AlertCode")) for h in heard]
    assert what == [
        ("IN", "NEW_ADMISSION", None),
        ("OUT", "SENT_TO_COURT", None), ("IN", "RETURN_FROM_COURT", None),
        ("OUT", "TEMPORARY_ABSENCE_RELEASE", None), ("IN", "TEMPORARY_ABSENCE_RETURN", None),
        (None, None, "HA"), (None, None, "XEL"),
        ("OUT", "TRANSFERRED", None), ("IN", "TRANSFERRED", None), ("OUT", "RELEASED", None),
    ]  # fmt: skip

    # What no one was told: the LIDS number goes nowhere; the security (X) alert and the
    # ACCT reach no one but the security application; no partner hears of the money.
    told = {
        "delius": [d.body for d in partners.delius.received],
        "oasys": partners.oasys.received,
        "serco": serco.received,
        "pnc": partners.amqp["pnc"].received_bodies(),
        "security": security.received_bodies(),
    }
    everything = [body for bodies in told.values() for body in bodies]
    assert all(b"AL9692" not in body for body in everything)
    assert all(b"KSK-LEI" not in body and b"LIDS-LEI" not in body for body in everything)
    for partner in ("delius", "oasys", "serco", "pnc"):
        assert all(b"XEL" not in body and b"<AlertCode>" not in body for body in told[partner])
    for body in told["oasys"] + told["serco"]:
        assert PNC_ID.encode() not in body and CRO_NUMBER.encode() not in body
