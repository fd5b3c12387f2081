"""One person's life through a running hub, and what each partner was told and not told.

Serco receives a new person at Doncaster; Delius matches its case by the PNC id; Serco
calculates their sentence; OASys assesses a high risk to the public; Serco transfers the
person to Forest Bank (Sodexo's); Sodexo releases them on licence. Real HTTP receivers
stand in for Delius, OASys and three operators; both backends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from lxml import etree

from adapters.delius.simulator import DeliusReceiver, running_receiver
from adapters.oasys.simulator import OasysReceiver, assessment_summary, running_oasys
from adapters.private_prisons.notice_receiver import NoticeReceiver, running_notice_receiver
from adapters.transports.local_server import serving
from core_records.tables import alert
from gatehouse.app import create_app
from gatehouse.bootstrap import Hub
from tests.running_hub import hub_settings, running_hub

ADAPTERS = Path(__file__).parents[2] / "adapters"
OPERATOR_SAMPLES = ADAPTERS / "private_prisons" / "samples" / "valid"
DELIUS_SAMPLES = ADAPTERS / "delius" / "samples" / "valid"


@dataclass
class Partners:
    delius: DeliusReceiver
    oasys: OasysReceiver
    operators: dict[str, NoticeReceiver]
    urls: dict[str, str]


@pytest.fixture
def partners() -> Iterator[Partners]:
    with ExitStack() as stack:
        delius_url, delius = stack.enter_context(running_receiver())
        oasys_url, oasys = stack.enter_context(running_oasys())
        urls = {"delius": delius_url, "oasys": oasys_url}
        operators = {}
        for operator in ("serco", "sodexo", "g4s"):
            urls[operator], operators[operator] = stack.enter_context(
                running_notice_receiver(operator)
            )
        yield Partners(delius, oasys, operators, urls)


@pytest.fixture
def running(
    backend: dict[str, str | None], partners: Partners, namespace: str, tmp_path: Any
) -> Iterator[tuple[Hub, str]]:
    settings = hub_settings(
        database_url=backend["database_url"] or "",
        broker_url=backend["broker_url"],
        namespace=namespace,
        data_dir=tmp_path,
        delius_url=partners.urls["delius"],
        partner_urls=partners.urls,
    )
    with running_hub(settings) as hub, serving(create_app(hub), name="api") as url:
        yield hub, url


def post(api: str, token: str, adapter: str, message_type: str, body: bytes) -> None:
    response = httpx.post(
        f"{api}/api/v1/inbound/{adapter}/{message_type}",
        content=body,
        headers={"Content-Type": "application/xml", "Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 202, response.text


def leaves(body: bytes) -> dict[str, str]:
    return {etree.QName(e).localname: e.text or "" for e in etree.fromstring(body).iter()
            if len(e) == 0 and isinstance(e.tag, str)}  # fmt: skip


def test_one_life_reaches_each_partner_as_far_as_its_policy_allows(
    running: tuple[Hub, str], partners: Partners
) -> None:
    hub, api = running
    tokens = {p: hub.credentials.issue(p) for p in ("serco", "sodexo", "delius", "oasys")}

    post(api, tokens["serco"], "private_prisons", "reception",
         (OPERATOR_SAMPLES / "reception-new-person.xml").read_bytes())  # fmt: skip
    assert partners.operators["serco"].wait_for(1, timeout_s=30)
    prison_number = leaves(partners.operators["serco"].received[0])["PrisonNumber"]
    assert partners.delius.wait_for(1, timeout_s=30)

    post(api, tokens["delius"], "delius", "case",
         (DELIUS_SAMPLES / "case-matched-by-pnc-id.xml").read_bytes())  # fmt: skip
    assert partners.delius.wait_for(2, timeout_s=30)

    post(api, tokens["serco"], "private_prisons", "sentence",
         (OPERATOR_SAMPLES / "sentence-calculated-on-sentencing.xml").read_bytes())  # fmt: skip

    completed = datetime(2024, 5, 4, 13, 55, tzinfo=UTC)
    summary = assessment_summary("10082385", completed, {"PUBLIC": ("MEDIUM", "HIGH")},
                                 crn="E118064", scores={"OGRS3_1YR": 34})  # fmt: skip
    post(api, tokens["oasys"], "oasys", "assessment", summary)

    transfer = (OPERATOR_SAMPLES / "transfer-to-public-prison.xml").read_text()
    transfer = transfer.replace("<PrisonNumber>A7301EK</PrisonNumber>", "")
    post(api, tokens["serco"], "private_prisons", "transfer",
         transfer.replace("LEI", "FBI").encode())  # fmt: skip
    assert partners.operators["sodexo"].wait_for(1, timeout_s=30)

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

    delius = [leaves(d.body) for d in partners.delius.received]
    kinds = [etree.QName(etree.fromstring(d.body)).localname for d in partners.delius.received]
    assert kinds == ["CustodyStatus", "PrisonIdentifier", "SentenceKeyDates", "CustodyStatus",
                     "CustodyStatus"]  # fmt: skip
    assert [delius[i]["Action"] for i in (0, 3, 4)] == ["RECEPTION", "TRANSFER", "RELEASE"]
    assert delius[1]["Crn"] == "E118064" and delius[1]["NomsNumber"] == prison_number
    assert b'<KeyDate code="CRD">2025-09-14</KeyDate>' in partners.delius.received[2].body
    assert delius[4]["Crn"] == "E118064" and delius[4]["PncId"] == "2003/0412876Y"

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

    # What no one was told: the operator's own id goes nowhere; OASys and the operators get
    # no PNC or CRO; no partner is sent the assessment or the alert it set.
    everything = [d.body for d in partners.delius.received] + partners.oasys.received
    everything += partners.operators["serco"].received + partners.operators["sodexo"].received
    assert all(b"DN0458812" not in body and b"serco:" not in body for body in everything)
    for body in partners.oasys.received + partners.operators["sodexo"].received:
        assert b"2003/0412876Y" not in body and b"274511/03A" not in body
    assert all(b"ROH" not in body and b"10082385" not in body for body in everything)

    # ...but the record holds the risk: the assessment set the high-RoSH alert.
    with hub.engine.connect() as connection:
        alerts = connection.execute(sa.select(alert.c.alert_code, alert.c.active)).all()
    assert [tuple(a) for a in alerts] == [("ROH", True)]
