"""The data share end to end for private-prison operators: a reception posted by an
operator, received into the record, is readable by that operator alone, cut down to its
policy's fields; another operator is told "not found", word for word as for someone not on
record; both reads are audited against the person. A running hub; both backends."""

from __future__ import annotations

from pathlib import Path

import httpx

from adapters.delius.simulator import DeliusReceiver
from core_records.bookkeeping.audit import audit_trail
from core_records.bookkeeping.credentials import DATA_SHARE, INBOUND
from gatehouse.bootstrap import Hub

RECEPTION = (
    Path(__file__).parents[2] / "adapters" / "private_prisons" / "samples" / "valid"
    / "reception-new-person.xml"
)  # fmt: skip


def read(api: str, token: str, identifier: str) -> httpx.Response:
    return httpx.get(
        f"{api}/api/v1/people/{identifier}",
        params={"purpose": "reception check"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def test_an_operator_sees_its_own_prisoners_and_no_one_else(
    hub: Hub, api: str, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    serco = hub.credentials.issue("serco", scopes=(INBOUND, DATA_SHARE))
    sodexo = hub.credentials.issue("sodexo", scopes=(DATA_SHARE,))
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
        trail = audit_trail(connection, f"person:{prison_number}")
    assert [(e.actor, e.action) for e in trail] == [
        ("serco", "data_share.read"),
        ("sodexo", "data_share.read"),
    ]
    assert ['"found":["' + prison_number + '"]' in (e.detail or "") for e in trail] == [
        True,
        False,
    ]


def test_a_partner_whose_policy_shares_no_person_fields_is_forbidden(hub: Hub, api: str) -> None:
    response = read(api, hub.credentials.issue("pnc", scopes=(DATA_SHARE,)), "A1234BC")
    assert response.status_code == 403
    assert response.json()["reason"] == "pnc's policy shares no person fields"


def test_a_malformed_identifier_is_a_bad_request(hub: Hub, api: str) -> None:
    response = read(api, hub.credentials.issue("serco", scopes=(DATA_SHARE,)), "A12")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_identifier"
