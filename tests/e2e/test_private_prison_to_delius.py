"""One partner in, another out: an operator's documents reach Delius through the whole hub.

Every test runs a real hub (worker loops in threads), its API under uvicorn, and a real HTTP
receiver for Delius; on the embedded default and on PostgreSQL with RabbitMQ.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from lxml import etree

from adapters.delius.simulator import DeliusReceiver
from adapters.private_prisons.simulator import OperatorSimulator
from core_records.identifiers import Identifier
from gatehouse.bootstrap import Hub
from tests.running_hub import eventually

SAMPLES = Path(__file__).parents[2] / "adapters" / "private_prisons" / "samples"
DELIUS = "{urn:gatehouse:delius:custody-status:v1}"


def post(
    api: str, token: str | None, message_type: str, body: bytes, adapter: str = "private_prisons"
) -> httpx.Response:
    headers = {"Content-Type": "application/xml"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.post(
        f"{api}/api/v1/inbound/{adapter}/{message_type}", content=body, headers=headers, timeout=30
    )


def status(api: str, token: str, location: str) -> dict:  # type: ignore[type-arg]
    response = httpx.get(f"{api}{location}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def custody_updates(receiver: DeliusReceiver) -> list[dict[str, str]]:
    """What Delius received, one dict of the document's leaf elements each."""
    updates = []
    for document in receiver.received:
        root = etree.fromstring(document.body)
        updates.append({etree.QName(e).localname: e.text or "" for e in root.iter() if len(e) == 0})
    return updates


def test_a_reception_posted_by_an_operator_reaches_delius_as_a_custody_update(
    hub: Hub, api: str, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    token = hub.credentials.issue("serco")

    response = post(
        api, token, "reception", (SAMPLES / "valid" / "reception-new-person.xml").read_bytes()
    )

    assert response.status_code == 202, response.text
    message_id = response.json()["messageId"]
    assert response.headers["location"] == f"/api/v1/messages/{message_id}"
    assert receiver.wait_for(1, timeout_s=30)
    person = hub.store.person_view(Identifier("LOCAL", "serco:DN0458812"))
    assert person is not None
    assert person["custodyStatus"] == "IN_PRISON"
    assert person["establishment"] == "DNI"
    [update] = custody_updates(receiver)
    assert update["NomsNumber"] == person["prisonNumber"]
    assert (update["CustodyEvent"], update["Reason"], update["Action"]) == (
        "RECEIVED",
        "NEW_ADMISSION",
        "RECEPTION",
    )
    assert update["PncId"] == "2003/0412876Y"

    def delivered() -> bool:
        trace = status(api, token, response.headers["location"])
        return any(
            e["partners"].get("delius", {}).get("status") == "delivered" for e in trace["events"]
        )

    eventually(delivered, "the message's status to show the delivery to Delius")
    trace = status(api, token, response.headers["location"])
    assert trace["status"] == "stored"
    # Other partners (PNC, the security application) get the event too; follow Delius's copy.
    hops = [h for h in trace["hops"] if h["hop"] != "delivered" or h["partner"] == "delius"]
    assert [h["hop"] for h in hops] == [
        "received",
        "stored",
        "event_published",
        "delivered",
    ]
    times = [h["at"] for h in hops]
    assert times == sorted(times)


def test_each_persons_reception_transfer_and_release_reach_delius_in_order(
    hub: Hub, api: str, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    token = hub.credentials.issue("serco")
    operator = OperatorSimulator("serco", ["DNI", "TSI", "LGI"], seed=7)
    people = [operator.person(sex="M", known_to_prisons=False) for _ in range(6)]
    documents = (
        [("reception", operator.reception(p, "DNI", "N")) for p in people]
        + [("transfer", operator.transfer(p, "TSI")) for p in people]
        + [("release", operator.release(p, "CR")) for p in people]
    )
    for message_type, body in documents:
        response = post(api, token, message_type, body)
        assert response.status_code == 202, response.text

    # A transfer's release half means nothing to probation; its reception half is a TRANSFER.
    assert receiver.wait_for(3 * len(people), timeout_s=60)
    by_person: dict[str, list[str]] = {}
    for update in custody_updates(receiver):
        by_person.setdefault(update["NomsNumber"], []).append(update["Action"])
    assert len(by_person) == len(people)
    assert all(actions == ["RECEPTION", "TRANSFER", "RELEASE"] for actions in by_person.values())


def test_an_operator_is_refused_a_reception_at_a_prison_it_does_not_run(hub: Hub, api: str) -> None:
    token = hub.credentials.issue("serco")
    body = (SAMPLES / "invalid" / "reception-at-prison-operator-does-not-run.xml").read_bytes()

    response = post(api, token, "reception", body)

    assert response.status_code == 403
    assert "OWI" in response.json()["reason"]
    assert hub.store.person_view(Identifier("LOCAL", "serco:DN0458812")) is None


def test_a_partner_may_post_only_its_own_adapters_message_types(hub: Hub, api: str) -> None:
    delius_token = hub.credentials.issue("delius")
    body = (SAMPLES / "valid" / "reception-new-person.xml").read_bytes()

    response = post(api, delius_token, "reception", body)

    assert response.status_code == 403
    assert response.json()["reason"] == "partner delius may not send private_prisons messages"


def test_a_missing_unknown_or_revoked_token_is_refused(hub: Hub, api: str) -> None:
    body = (SAMPLES / "valid" / "reception-new-person.xml").read_bytes()
    token = hub.credentials.issue("sodexo")
    hub.credentials.revoke("sodexo")

    for bad_token in (None, "gh_not-a-token-gatehouse-issued", token):
        response = post(api, bad_token, "reception", body)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"


def test_an_unknown_message_type_is_not_found_and_names_the_types_there_are(
    hub: Hub, api: str
) -> None:
    token = hub.credentials.issue("serco")
    response = post(api, token, "visit-booking", b"<x/>")
    assert response.status_code == 404
    assert (
        "non-association, reception, release, sentence, transfer, visit"
        in response.json()["reason"]
    )


def test_a_schema_fault_is_answered_422_naming_the_element_line_and_rule(
    hub: Hub, api: str
) -> None:
    token = hub.credentials.issue("serco")
    body = (SAMPLES / "invalid" / "reception-bad-date-of-birth.xml").read_bytes()

    response = post(api, token, "reception", body)

    assert response.status_code == 422
    fault = response.json()
    assert fault["element"] == "/Reception/Person/DateOfBirth"
    expected_line = next(
        number
        for number, line in enumerate(body.decode().splitlines(), start=1)
        if "<DateOfBirth>" in line
    )
    assert fault["line"] == expected_line
    assert fault["rule"].startswith("SCHEMAV_")
    assert "'1987-02-30' is not a valid value" in fault["reason"]


def test_a_partner_cannot_see_another_partners_message(hub: Hub, api: str) -> None:
    serco, sodexo = hub.credentials.issue("serco"), hub.credentials.issue("sodexo")
    response = post(
        api, serco, "reception", (SAMPLES / "valid" / "reception-new-person.xml").read_bytes()
    )
    location = response.headers["location"]

    answer = httpx.get(f"{api}{location}", headers={"Authorization": f"Bearer {sodexo}"})

    assert answer.status_code == 404
    assert status(api, serco, location)["messageId"] == response.json()["messageId"]


def test_a_running_hub_is_live_and_ready(api: str) -> None:
    assert httpx.get(f"{api}/health/live").json() == {"status": "live"}
    ready = httpx.get(f"{api}/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"store": "ok", "broker": "ok"}}
