"""A person's court appearances through a running hub, and what each partner was told.

Sheffield magistrates list Kieran Holroyd and remand him in custody to Doncaster at his first
appearance (the hub does not hold him: identity matching receives him as a new person); Leeds
Crown Court lists him, is told he is held at Doncaster, commits him (out to court and back),
sentences him (out, back, with the sentence's key dates) and at a later hearing discharges
him there (a release at court).

Real HTTP receivers stand in for the court, Delius, OASys and the three operators; simulated
PNC and security applications take their documents from RabbitMQ (or the embedded
transport) on a connection of their own; both backends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from lxml import etree

from adapters.courts.simulator import CourtReceiver, Defendant, hearing_list, hearing_result
from adapters.courts.simulator import running_court as running_court_receiver
from adapters.delius.simulator import DeliusReceiver
from adapters.oasys.simulator import OasysReceiver, running_oasys
from adapters.pnc.simulator import PncSimulator
from adapters.private_prisons.notice_receiver import NoticeReceiver
from core_records.identifiers import PNC, Identifier
from gatehouse.bootstrap import Hub
from routing.simulated_partner import SimulatedAmqpPartner
from tests.hub_fixtures import (
    delius_and_operators,
    serving_hub_with_amqp_partners,
)
from tests.running_hub import eventually

PNC_ID, CRO_NUMBER = "2003/0412876Y", "274511/03A"
HOLROYD = Defendant("HOLROYD", "KIERAN JAMES", date(1987, 11, 23), pnc_id=PNC_ID,
                    cro_number=CRO_NUMBER)  # fmt: skip
ATKINS = Defendant("ATKINS", "ROSE", date(1990, 2, 1), sex="F", pnc_id="2011/1187342F")
"""Listed at the same court, on bail: the hub does not hold her, the court hears nothing."""
DAY = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


@dataclass
class Partners:
    court: CourtReceiver
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
        urls["courts"], court = stack.enter_context(running_court_receiver())
        yield Partners(court, delius, oasys, operators, urls, PncSimulator(known={}))


@pytest.fixture
def running(
    backend: dict[str, str | None], partners: Partners, namespace: str, tmp_path: Any
) -> Iterator[tuple[Hub, str]]:
    with serving_hub_with_amqp_partners(
        backend, partners.urls, partners.pnc.respond, partners.amqp, namespace, tmp_path
    ) as hub_and_api:
        yield hub_and_api


def post(api: str, token: str, message_type: str, body: bytes) -> str:
    response = httpx.post(
        f"{api}/api/v1/inbound/courts/{message_type}",
        content=body,
        headers={"Content-Type": "application/xml", "Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 202, response.text
    return str(response.headers["location"])


def applied(api: str, token: str, location: str) -> None:
    """Wait until the court's message is decided; it must have been stored."""
    seen: dict[str, Any] = {}

    def decided() -> bool:
        response = httpx.get(f"{api}{location}", headers={"Authorization": f"Bearer {token}"})
        seen.update(response.json() if response.status_code == 200 else {})
        return seen.get("status") in ("stored", "rejected", "dead_lettered")

    eventually(decided, f"the court's message {location} decided", timeout_s=60)
    assert seen["status"] == "stored", seen


def leaves(body: bytes) -> dict[str, str]:
    return {etree.QName(e).localname: e.text or "" for e in etree.fromstring(body).iter()
            if len(e) == 0 and isinstance(e.tag, str)}  # fmt: skip


def movements(hub: Hub) -> list[tuple[str, str, str]]:
    view = hub.store.person_view(Identifier(PNC, PNC_ID))
    assert view is not None
    return [(m["movementType"], m["direction"], m["reasonCode"]) for m in view["movements"]]


def test_a_person_from_a_hearing_list_through_remand_appearances_sentence_and_release_at_court(
    running: tuple[Hub, str], partners: Partners
) -> None:
    hub, api = running
    token = hub.credentials.issue("courts")

    # Listed at Sheffield before the hub holds him: stored, and no one is told anything.
    first_list = hearing_list("SHEFMC", DAY.date(), [("S20240501", HOLROYD)],
                              sent_at=DAY - timedelta(days=1), reference="SHEFMC-L-1")  # fmt: skip
    applied(api, token, post(api, token, "hearing-list", first_list))

    # Remanded in custody to Doncaster: matched as no one known, received as a new person.
    remand = hearing_result("SHEFMC", "S20240501", HOLROYD, "REMANDED_IN_CUSTODY",
                            DAY + timedelta(hours=6), reference="SHEFMC-R-1",
                            committed_to="DNI")  # fmt: skip
    applied(api, token, post(api, token, "hearing-result", remand))
    view = hub.store.person_view(Identifier(PNC, PNC_ID))
    assert view is not None and view["establishment"] == "DNI"
    prison_number = view["prisonNumber"]
    assert partners.court.received == []

    # Listed at Leeds Crown Court tomorrow: the court is told he is held at Doncaster; of
    # Rose Atkins, on bail, it is told nothing.
    hearing_day = DAY + timedelta(days=7)
    second_list = hearing_list("LEEDCC", hearing_day.date(),
                               [("T20247001", HOLROYD), ("T20247002", ATKINS)],
                               sent_at=hearing_day - timedelta(days=1),
                               reference="LEEDCC-L-1")  # fmt: skip
    post(api, token, "hearing-list", second_list)
    assert partners.court.wait_for(1, timeout_s=30)
    [notice] = [leaves(body) for body in partners.court.received]
    assert (notice["CourtCode"], notice["CaseReference"], notice["HearingDate"]) == (
        "LEEDCC", "T20247001", hearing_day.date().isoformat(),
    )  # fmt: skip
    assert (notice["PrisonNumber"], notice["PncId"], notice["HeldAt"]) == (
        prison_number, PNC_ID, "DNI",
    )  # fmt: skip
    assert notice["CurrentLocation"] == "IN_PRISON"

    # Produced at Leeds and committed: out to court and back to Doncaster.
    committed = hearing_result("LEEDCC", "T20247001", HOLROYD, "COMMITTED",
                               hearing_day + timedelta(hours=5), reference="LEEDCC-R-1",
                               left_prison_at=hearing_day - timedelta(hours=1))  # fmt: skip
    applied(api, token, post(api, token, "hearing-result", committed))
    view = hub.store.person_view(Identifier(PNC, PNC_ID))
    assert view is not None
    assert (view["custodyStatus"], view["establishment"]) == ("IN_PRISON", "DNI")

    # Sentenced at a later hearing: out, back, and the sentence's key dates.
    sentence_day = hearing_day + timedelta(days=28)
    sentenced = hearing_result("LEEDCC", "T20247001", HOLROYD, "SENTENCED",
                               sentence_day + timedelta(hours=5), reference="LEEDCC-R-2",
                               left_prison_at=sentence_day - timedelta(hours=1),
                               key_dates={"CRD": date(2025, 9, 14),
                                          "SED": date(2026, 3, 14)})  # fmt: skip
    applied(api, token, post(api, token, "hearing-result", sentenced))

    # On appeal the sentence is quashed and he is discharged at court: released there.
    appeal_day = sentence_day + timedelta(days=60)
    discharged = hearing_result("LEEDCC", "T20247001", HOLROYD, "DISCHARGED",
                                appeal_day + timedelta(hours=4), reference="LEEDCC-R-3",
                                left_prison_at=appeal_day - timedelta(hours=1))  # fmt: skip
    applied(api, token, post(api, token, "hearing-result", discharged))
    view = hub.store.person_view(Identifier(PNC, PNC_ID))
    assert view is not None
    assert (view["custodyStatus"], view["careStatus"]) == (
        "OUTSIDE_PRISON",
        "NOT_UNDER_PRISON_CARE",
    )
    assert movements(hub) == [
        ("ADM", "IN", "N"), ("CRT", "OUT", "CRT"), ("CRT", "IN", "COM"), ("CRT", "OUT", "CRT"),
        ("CRT", "IN", "SENT"), ("CRT", "OUT", "CRT"), ("REL", "OUT", "DS"),
    ]  # fmt: skip

    # The release is the person's last event: once each partner has it, all earlier ones were
    # decided (one person's events leave in order).
    serco = partners.operators["serco"]
    assert serco.wait_for(7, timeout_s=60)
    assert partners.delius.wait_for(3, timeout_s=60)
    assert partners.oasys.wait_for(4, timeout_s=60)
    eventually(lambda: [c["Status"] for c in partners.pnc.custody][-1:] == ["RELEASED"],
               "PNC's release", timeout_s=60)  # fmt: skip
    security = partners.amqp["security"]
    eventually(lambda: len(security.received_bodies()) >= 7, "security's movements", timeout_s=60)

    # Doncaster's operator hears of every movement of its prisoner, court ones included.
    notices = [leaves(body) for body in serco.received]
    assert [(n["CustodyEvent"], n["Reason"], n["MovementReasonCode"]) for n in notices] == [
        ("RECEIVED", "NEW_ADMISSION", "N"),
        ("RELEASED", "SENT_TO_COURT", "CRT"), ("RECEIVED", "RETURN_FROM_COURT", "COM"),
        ("RELEASED", "SENT_TO_COURT", "CRT"), ("RECEIVED", "RETURN_FROM_COURT", "SENT"),
        ("RELEASED", "SENT_TO_COURT", "CRT"), ("RELEASED", "RELEASED", "DS"),
    ]  # fmt: skip
    assert all(n["EstablishmentCode"] == "DNI" for n in notices)
    assert partners.operators["sodexo"].received == []
    assert partners.operators["g4s"].received == []

    # Probation, police and risk keep a custody record: the reception, the sentence and the
    # release at court; nothing for the trips to court and back, which change nothing.
    delius = [leaves(d.body) for d in partners.delius.received]
    kinds = [etree.QName(etree.fromstring(d.body)).localname for d in partners.delius.received]
    assert kinds == ["CustodyStatus", "SentenceKeyDates", "CustodyStatus"]
    assert [(delius[i]["Action"], delius[i]["Reason"]) for i in (0, 2)] == [
        ("RECEPTION", "NEW_ADMISSION"), ("RELEASE", "RELEASED"),
    ]  # fmt: skip
    assert b'<KeyDate code="CRD">2025-09-14</KeyDate>' in partners.delius.received[1].body
    oasys = [leaves(body) for body in partners.oasys.received]
    assert [u["Update"] for u in oasys] == [
        "RECEPTION", "SENTENCE", "IMPRISONMENT_STATUS", "DISCHARGE",
    ]  # fmt: skip
    assert oasys[2]["ImprisonmentStatus"] == "SENTENCED"
    assert [(c["Status"], c["EstablishmentCode"], c["PncId"]) for c in partners.pnc.custody] == [
        ("RECEIVED", "DNI", PNC_ID), ("RELEASED", "DNI", PNC_ID),
    ]  # fmt: skip
    assert partners.pnc.lookups == []  # the court gave his PNC id: nothing to look up

    # The security application hears of every movement, out and in.
    heard = [leaves(body) for body in security.received_bodies()]
    assert [(h["Direction"], h["Reason"]) for h in heard] == [
        ("IN", "NEW_ADMISSION"), ("OUT", "SENT_TO_COURT"), ("IN", "RETURN_FROM_COURT"),
        ("OUT", "SENT_TO_COURT"), ("IN", "RETURN_FROM_COURT"), ("OUT", "SENT_TO_COURT"),
        ("OUT", "RELEASED"),
    ]  # fmt: skip

    # What no one was told: the court heard only of the listed hearing it asked about; the
    # case references and the person on bail reach no other partner; the court gets no CRO.
    assert len(partners.court.received) == 1
    assert CRO_NUMBER.encode() not in partners.court.received[0]
    others = [
        *(d.body for d in partners.delius.received), *partners.oasys.received, *serco.received,
        *partners.amqp["pnc"].received_bodies(), *security.received_bodies(),
    ]  # fmt: skip
    for body in others:
        assert b"T20247001" not in body and b"S20240501" not in body
        assert b"ATKINS" not in body and b"2011/1187342F" not in body
