"""Delius both ways through a running hub: an operator's reception reaches Delius; Delius
names its case by the PNC id, and hears the prison number back; its allocation,
registration and licence conditions are recorded against the person. Both backends."""

from __future__ import annotations

from pathlib import Path

import httpx
import sqlalchemy as sa
from lxml import etree

from adapters.delius.simulator import DeliusReceiver
from core_records.identifiers import Identifier
from core_records.partner_records.tables import (
    licence_condition,
    offender_manager_allocation,
    probation_registration,
)
from gatehouse.bootstrap import Hub
from tests.running_hub import eventually

ROOT = Path(__file__).parents[2] / "adapters"
OPERATOR_SAMPLES = ROOT / "private_prisons" / "samples" / "valid"
DELIUS_SAMPLES = ROOT / "delius" / "samples" / "valid"


def post(api: str, token: str, adapter: str, message_type: str, body: bytes) -> str:
    response = httpx.post(
        f"{api}/api/v1/inbound/{adapter}/{message_type}",
        content=body,
        headers={"Content-Type": "application/xml", "Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 202, response.text
    return str(response.headers["location"])


def status_of(api: str, token: str, location: str) -> str:
    response = httpx.get(f"{api}{location}", headers={"Authorization": f"Bearer {token}"})
    return str(response.json()["status"])


def leaves(body: bytes) -> dict[str, str]:
    return {etree.QName(e).localname: e.text or "" for e in etree.fromstring(body).iter()
            if len(e) == 0}  # fmt: skip


def test_delius_names_its_case_hears_the_prison_number_and_its_records_are_kept(
    hub: Hub, api: str, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    serco, probation = hub.credentials.issue("serco"), hub.credentials.issue("delius")
    post(api, serco, "private_prisons", "reception",
         (OPERATOR_SAMPLES / "reception-new-person.xml").read_bytes())  # fmt: skip
    assert receiver.wait_for(1, timeout_s=30)
    prison_number = leaves(receiver.received[0].body)["NomsNumber"]

    # Delius matched its case E118064 by the PNC id, written short.
    post(api, probation, "delius", "case",
         (DELIUS_SAMPLES / "case-matched-by-pnc-id.xml").read_bytes())  # fmt: skip
    assert receiver.wait_for(2, timeout_s=30)
    identifier = leaves(receiver.received[1].body)
    assert (identifier["Crn"], identifier["NomsNumber"], identifier["EstablishmentCode"]) == (
        "E118064", prison_number, "DNI",
    )  # fmt: skip
    person = hub.store.person_view(Identifier("CRN", "E118064"))
    assert person is not None and person["prisonNumber"] == prison_number

    # What Delius says of case E118064 from now on is recorded against that person.
    locations = [
        post(
            api,
            probation,
            "delius",
            message_type,
            (DELIUS_SAMPLES / name)
            .read_bytes()
            .replace(b"X757129", b"E118064")
            .replace(b"A7301EK", prison_number.encode()),
        )
        for message_type, name in (
            ("allocation", "allocation-offender-manager.xml"),
            ("registration", "registration-mappa-level-2.xml"),
            ("licence", "licence-standard-and-additional-conditions.xml"),
        )
    ]
    eventually(
        lambda: all(status_of(api, probation, loc) == "stored" for loc in locations),
        "Delius's three messages to be stored",
    )
    with hub.engine.connect() as connection:
        manager = connection.execute(sa.select(offender_manager_allocation)).mappings().one()
        registration = connection.execute(sa.select(probation_registration)).mappings().one()
        conditions = connection.execute(
            sa.select(licence_condition.c.condition_code).order_by(licence_condition.c.id)
        ).scalars().all()  # fmt: skip
    assert (manager["crn"], manager["staff_name"], manager["team_code"]) == (
        "E118064", "Priya Sandhu", "N02SHF",
    )  # fmt: skip
    assert (registration["registration_type"], registration["level"]) == ("MAPP", "M2")
    assert conditions == ["STANDARD", "RESIDENCE", "NO_CONTACT"]
    # Delius subscribes to none of those events, so it was sent nothing more.
    assert len(receiver.received) == 2


def test_a_case_for_no_one_on_record_is_refused_and_sends_nothing(
    hub: Hub, api: str, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    probation = hub.credentials.issue("delius")
    body = (DELIUS_SAMPLES / "case-matched-by-prison-number.xml").read_bytes()
    location = post(api, probation, "delius", "case", body)

    eventually(
        lambda: status_of(api, probation, location) == "dead_lettered",
        "the case to be refused and dead-lettered",
    )
    trace = httpx.get(f"{api}{location}", headers={"Authorization": f"Bearer {probation}"}).json()
    assert "no person on record has NOMS A7301EK" in str(trace["hops"])
    assert receiver.received == []
