"""A public prison goes live through a running hub (both backends), its API under uvicorn
and a real Delius receiver: its legacy feed is held while it is migrated, applied at
go-live, and refused afterwards; its staff then record through the case-management API.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx

from adapters.delius.simulator import DeliusReceiver
from adapters.lids.extract import write_extract
from adapters.lids.simulator import LidsMessages, LidsPerson
from core_records import estate
from core_records.identifiers import PNC, Identifier
from gatehouse.bootstrap import Hub
from gatehouse.cli.lids import import_extract
from routing.estate_release import go_live
from tests.running_hub import eventually

DAY = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
PERSON = LidsPerson("AL9692", "HOLROYD", "KIERAN JAMES", date(1987, 11, 23), pnc_id="2003/0412876Y")
OPERATOR = "ops@example"


def post(api: str, token: str, path: str, body: bytes, kind: str = "xml") -> httpx.Response:
    headers = {"Content-Type": f"application/{kind}", "Authorization": f"Bearer {token}"}
    return httpx.post(f"{api}{path}", content=body, headers=headers, timeout=30)


def settled(api: str, token: str, response: httpx.Response, *done: str) -> dict[str, Any]:
    assert response.status_code == 202, response.text
    seen: dict[str, Any] = {}

    def decided() -> bool:
        answer = httpx.get(
            f"{api}{response.headers['location']}", headers={"Authorization": f"Bearer {token}"}
        )
        seen.update(answer.json() if answer.status_code == 200 else {})
        return seen.get("status") in done

    eventually(decided, f"{response.headers['location']} {' or '.join(done)}", timeout_s=60)
    return seen


def move(hub: Hub, code: str, to: str) -> None:
    with hub.engine.begin() as connection:
        estate.change_state(connection, code, to, actor=OPERATOR, at=datetime.now(UTC))


def test_a_migrating_prison_s_legacy_feed_is_held_applied_at_go_live_and_refused_after(
    hub: Hub, api: str
) -> None:
    lids = LidsMessages("LEI")
    token = hub.credentials.issue("lids-LEI")
    reception = post(api, token, "/api/v1/inbound/lids/reception", lids.reception(PERSON, DAY))
    assert settled(api, token, reception, "stored", "rejected")["status"] == "stored"
    move(hub, "LEI", estate.MIGRATING)

    review = lids.incentive_review(PERSON, "ENH", DAY.replace(hour=11))
    held = settled(api, token, post(api, token, "/api/v1/inbound/lids/incentive-review", review),
                   "held_until_live", "stored")  # fmt: skip
    assert held["status"] == "held_until_live"
    person = hub.store.person_view(Identifier(PNC, PERSON.pnc_id or ""))
    assert person is not None and person["incentiveLevel"] != "ENH"

    released = go_live(hub.store, hub.registry, "LEI", actor=OPERATOR, max_body_bytes=100_000)

    assert released.outcomes == {"applied": 1}
    person = hub.store.person_view(Identifier(PNC, PERSON.pnc_id or ""))
    assert person is not None and person["incentiveLevel"] == "ENH"
    late = lids.release(PERSON, "CR", DAY.replace(hour=15))
    refused = post(api, token, "/api/v1/inbound/lids/release", late)
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["title"] or refused.json()["type"]
    assert "LEI (Leeds) is live on the case-management system" in refused.json()["detail"]
    assert "its legacy (LIDS) feed is refused" in refused.json()["detail"]


def test_a_live_prison_s_nightly_extract_is_refused_message_by_message_with_the_reason(
    hub: Hub, tmp_path: Path
) -> None:
    move(hub, "LEI", estate.MIGRATING)
    go_live(hub.store, hub.registry, "LEI", actor=OPERATOR, max_body_bytes=100_000)
    lids = LidsMessages("LEI")
    day = [lids.reception(PERSON, DAY), lids.incentive_review(PERSON, "ENH", DAY)]
    path = tmp_path / "LEI-20240501.xml"
    path.write_bytes(write_extract("LEI", "2024-05-01", "2024-05-01T23:30:00+01:00", day))

    report = import_extract(hub, path, "LEI")

    def rejected() -> list[str]:
        hops = [hub.journal.trace(message_id) for message_id in report.accepted]
        return [h.detail or "" for trace in hops for h in trace if h.hop == "rejected"]

    assert len(report.accepted) == 2
    eventually(lambda: len(rejected()) == 2, "both messages of the extract rejected at ingest")
    assert all("LEI (Leeds) is live on the case-management system" in r for r in rejected())
    assert hub.store.person_view(Identifier(PNC, PERSON.pnc_id or "")) is None


def movement(reference: str, **fields: Any) -> dict[str, Any]:
    return {"version": 1, "reference": reference, "occurredAt": DAY.isoformat(), **fields}


RECEPTION = movement(
    "LEI-CM-1",
    movementType="ADM",
    reasonCode="N",
    person={
        "surname": "OKAFOR",
        "forenames": "DANIEL",
        "dateOfBirth": "1990-02-14",
        "sex": "M",
        "pncId": "2003/0412876Y",
    },
)


def cm_post(api: str, token: str, code: str, resource: str, document: Any) -> httpx.Response:
    body = (
        document
        if isinstance(document, bytes)
        else httpx.Request("POST", "/", json=document).content
    )
    return post(api, token, f"/api/v1/establishments/{code}/{resource}", body, "json")


def test_staff_at_a_live_prison_record_a_reception_that_reaches_delius(
    hub: Hub, api: str, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    move(hub, "LEI", estate.MIGRATING)
    go_live(hub.store, hub.registry, "LEI", actor=OPERATOR, max_body_bytes=100_000)
    token = hub.credentials.issue("case-management-lei")

    answer = cm_post(api, token, "LEI", "movements", RECEPTION)

    assert answer.json()["statusUrl"] == answer.headers["location"]
    assert settled(api, token, answer, "stored", "rejected")["status"] == "stored"
    assert receiver.wait_for(1, timeout_s=30)
    person = hub.store.person_view(Identifier(PNC, "2003/0412876Y"))
    assert person is not None and person["establishment"] == "LEI"
    assert person["prisonNumber"].encode() in receiver.received[0].body
    court = movement("LEI-CM-2", movementType="CRT", direction="OUT", reasonCode="CRT",
                     prisonNumber=person["prisonNumber"], toAgency="LEEDCC")  # fmt: skip
    assert settled(api, token, cm_post(api, token, "LEI", "movements", court), "stored",
                   "rejected")["status"] == "stored"  # fmt: skip


def test_the_case_management_api_refuses_bad_documents_other_prisons_and_prisons_not_live(
    hub: Hub, api: str
) -> None:
    move(hub, "LEI", estate.MIGRATING)
    go_live(hub.store, hub.registry, "LEI", actor=OPERATOR, max_body_bytes=100_000)
    leeds = hub.credentials.issue("case-management-lei")
    wakefield = hub.credentials.issue("case-management-wdi")
    bad = {**RECEPTION, "person": {**RECEPTION["person"], "dateOfBirth": "14/02/1990"}}

    invalid = cm_post(api, leeds, "LEI", "movements", bad)
    elsewhere = cm_post(api, wakefield, "LEI", "movements", RECEPTION)
    not_live = cm_post(api, wakefield, "WDI", "movements", RECEPTION)
    no_token = cm_post(api, "not-a-token", "LEI", "movements", RECEPTION)

    assert invalid.status_code == 422, invalid.text
    assert invalid.json()["element"] == "$.person.dateOfBirth"
    assert elsewhere.status_code == 403, elsewhere.text
    assert "may not record for establishment LEI" in elsewhere.json()["detail"]
    assert not_live.status_code == 409, not_live.text
    assert (not_live.json()["establishment"], not_live.json()["state"]) == ("WDI", "legacy")
    assert "WDI (Wakefield) is on its legacy system, not live" in not_live.json()["detail"]
    assert no_token.status_code == 401
    schema = httpx.get(f"{api}/schemas/case_management/movement-v1.schema.json")
    assert schema.json()["title"].startswith("A movement recorded by staff at a live prison")
    paths = httpx.get(f"{api}/openapi.json").json()["paths"]
    assert "/api/v1/establishments/{code}/incentive-reviews" in paths
