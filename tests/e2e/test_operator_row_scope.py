"""Each private-prison operator receives custody notices for people in its own prisons, and
nothing about anyone else: the row scope of its sharing policy, decided centrally in
delivery. A real hub, real HTTP receivers for three operators and Delius; both backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree

from adapters.private_prisons.notice_receiver import NoticeReceiver
from adapters.transports.local_server import serving
from gatehouse.app import create_app
from gatehouse.bootstrap import Hub
from tests.hub_fixtures import HttpPartners, delius_and_operators
from tests.running_hub import hub_settings, running_hub

SAMPLES = Path(__file__).parents[2] / "adapters" / "private_prisons" / "samples" / "valid"


@pytest.fixture
def partners() -> Iterator[HttpPartners]:
    with delius_and_operators() as running:
        yield running


@pytest.fixture
def api(
    backend: dict[str, str | None],
    partners: HttpPartners,
    namespace: str,
    tmp_path: Any,
) -> Iterator[tuple[Hub, str]]:
    settings = hub_settings(
        database_url=backend["database_url"] or "",
        broker_url=backend["broker_url"],
        namespace=namespace,
        data_dir=tmp_path,
        delius_url=partners[2]["delius"],
        partner_urls=partners[2],
    )
    with running_hub(settings) as hub, serving(create_app(hub), name="api") as url:
        yield hub, url


def post(api: str, token: str, message_type: str, body: bytes) -> None:
    response = httpx.post(
        f"{api}/api/v1/inbound/private_prisons/{message_type}",
        content=body,
        headers={"Content-Type": "application/xml", "Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 202, response.text


def notices(receiver: NoticeReceiver) -> list[dict[str, str]]:
    return [
        {etree.QName(e).localname: e.text or "" for e in etree.fromstring(body) if len(e) == 0}
        for body in receiver.received
    ]


def test_each_operator_hears_of_its_own_prisons_only_and_learns_the_prison_number(
    api: tuple[Hub, str],
    partners: HttpPartners,
) -> None:
    hub, url = api
    delius, operators = partners[0], partners[1]
    serco, sodexo = hub.credentials.issue("serco"), hub.credentials.issue("sodexo")

    # Serco receives a new person at Doncaster: its notice carries the prison number given.
    post(url, serco, "reception", (SAMPLES / "reception-new-person.xml").read_bytes())
    assert operators["serco"].wait_for(1, timeout_s=30)
    [received] = notices(operators["serco"])
    prison_number = received["PrisonNumber"]
    assert (received["CustodyEvent"], received["EstablishmentCode"]) == ("RECEIVED", "DNI")

    # Serco transfers the person to Forest Bank, which Sodexo runs.
    transfer = (SAMPLES / "transfer-to-public-prison.xml").read_text()
    transfer = transfer.replace("<PrisonNumber>A7301EK</PrisonNumber>", "")
    post(url, serco, "transfer", transfer.replace("LEI", "FBI").encode())
    assert operators["sodexo"].wait_for(1, timeout_s=30)

    # Sodexo, knowing the person only by the number in its notice, releases them.
    release = (SAMPLES / "release-conditional.xml").read_text()
    for old, new in (("serco", "sodexo"), ("ASI", "FBI"), ("A1234BC", prison_number),
                     ("AS0077120", "FB0000123"), ("<PncId>2011/1187342F</PncId>", "")):  # fmt: skip
        release = release.replace(old, new)
    post(url, sodexo, "release", release.encode())
    assert operators["sodexo"].wait_for(2, timeout_s=30)
    assert delius.wait_for(3, timeout_s=30)

    # One person's events leave in order, so by now every earlier one was decided.
    assert [(n["CustodyEvent"], n["EstablishmentCode"], n.get("ToPrison")) for n in
            notices(operators["serco"])] == [("RECEIVED", "DNI", None),
                                              ("RELEASED", "DNI", "FBI")]  # fmt: skip
    assert [(n["CustodyEvent"], n["EstablishmentCode"], n.get("FromPrison")) for n in
            notices(operators["sodexo"])] == [("RECEIVED", "FBI", "DNI"),
                                               ("RELEASED", "FBI", None)]  # fmt: skip
    assert {n["PrisonNumber"] for n in notices(operators["sodexo"])} == {prison_number}
    assert operators["g4s"].received == []
    for notice in notices(operators["serco"]) + notices(operators["sodexo"]):
        assert set(notice) <= {
            "EventId", "OccurredAt", "PrisonNumber", "CustodyEvent", "EstablishmentCode",
            "MovementReasonCode", "Reason", "FromPrison", "ToPrison",
        }  # fmt: skip
    assert all(b"2003/0412876Y" not in body for r in operators.values() for body in r.received)
