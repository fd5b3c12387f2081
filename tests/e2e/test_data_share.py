"""The data share: an operator reads the record of a person in its own prisons, cut down to
its policy's fields; anyone else is "not found", word for word as someone not on record;
every read is audited. A running hub and its API; both backends."""

from __future__ import annotations

from pathlib import Path

import httpx

from adapters.delius.simulator import DeliusReceiver
from core_records.audit import audit_trail
from gatehouse.bootstrap import Hub

RECEPTION = (
    Path(__file__).parents[2] / "adapters" / "private_prisons" / "samples" / "valid"
    / "reception-new-person.xml"
)  # fmt: skip


def read(api: str, token: str, prison_number: str) -> httpx.Response:
    return httpx.get(
        f"{api}/api/v1/share/people/{prison_number}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def test_an_operator_sees_its_own_prisoners_and_no_one_else(
    hub: Hub, api: str, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    serco, sodexo = hub.credentials.issue("serco"), hub.credentials.issue("sodexo")
    posted = httpx.post(
        f"{api}/api/v1/inbound/private_prisons/reception",
        content=RECEPTION.read_bytes(),
        headers={"Content-Type": "application/xml", "Authorization": f"Bearer {serco}"},
    )
    assert posted.status_code == 202
    assert receiver.wait_for(1, timeout_s=30)
    prison_number = receiver.received[0].body.split(b"<NomsNumber>")[1].split(b"<")[0].decode()

    own = read(api, serco, prison_number)
    assert own.status_code == 200, own.text
    assert own.json() == {
        "prisonNumber": prison_number,
        "names": [{"nameType": "CN", "surname": "HOLROYD", "forenames": "KIERAN JAMES"}],
        "dateOfBirth": "1987-11-23",
        "sex": "M",
        "custodyStatus": "IN_PRISON",
        "establishment": "DNI",
    }

    elsewhere = read(api, sodexo, prison_number)
    nobody = read(api, sodexo, "Z9999ZZ")
    assert elsewhere.status_code == nobody.status_code == 404
    assert elsewhere.json()["reason"].replace(prison_number, "Z9999ZZ") == nobody.json()["reason"]

    with hub.engine.connect() as connection:
        trail = audit_trail(connection, f"person:NOMS:{prison_number}")
    assert [(e.actor, e.action) for e in trail] == [
        ("partner:serco", "person.shared"),
        ("partner:sodexo", "person.not_shared"),
    ]


def test_a_partner_without_data_share_access_is_forbidden(hub: Hub, api: str) -> None:
    response = read(api, hub.credentials.issue("delius"), "A1234BC")
    assert response.status_code == 403
    assert response.json()["reason"] == "delius has no access to the data share"


def test_a_malformed_prison_number_is_a_bad_request(hub: Hub, api: str) -> None:
    response = read(api, hub.credentials.issue("serco"), "A12")
    assert response.status_code == 400
