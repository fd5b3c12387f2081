"""Kiosks over HTTP: a person in custody orders from the canteen and applies to staff at a
kiosk, and the kiosk reads the balance and the order's outcome back from the hub."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import adapters.kiosks as package
from core_records.bookkeeping.audit import audit_trail
from core_records.canteen import account as canteen
from core_records.canteen.account import RecordCanteenTransaction
from core_records.identifiers import NOMS, Identifier
from gatehouse.bootstrap import Hub
from tests.e2e.kiosk_support import order_outcome, read, send
from tests.integration.core_records.examples import MONDAY, message, particulars, reception
from tests.running_hub import eventually

SAMPLES = Path(package.__file__).parent / "samples"


def _sample(name: str, **changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((SAMPLES / name).read_bytes())
    document.update(changes)
    return document


@pytest.fixture
def leeds_kiosk(hub: Hub) -> str:
    """A1234BC held at Leeds with 1,000p; the token of Leeds's kiosk system."""
    outcomes = hub.store.apply(
        [
            message(reception(particulars(Identifier(NOMS, "A1234BC")), "LEI")),
            message(
                RecordCanteenTransaction(
                    person=(Identifier(NOMS, "A1234BC"),),
                    transaction_type=canteen.CREDIT,
                    amount_pence=1000,
                    client_reference="CASH-1",
                    occurred_at=MONDAY,
                )
            ),
        ]
    )
    assert [o.status for o in outcomes] == ["applied", "applied"]
    return hub.credentials.issue("kiosks_lei")


def test_an_order_is_accepted_and_the_kiosk_reads_the_new_balance(
    api: str, hub: Hub, leeds_kiosk: str
) -> None:
    response = send(api, leeds_kiosk, "order", _sample("valid/order-two-items.json"))
    assert response.status_code == 202, response.text

    outcome = order_outcome(api, leeds_kiosk, "KSK-LEI-0000001")
    account = read(api, leeds_kiosk, "accounts/A1234BC")

    assert outcome == {
        "orderReference": "KSK-LEI-0000001",
        "status": "ACCEPTED",
        "prisonNumber": "A1234BC",
        "amountPence": 369,
        "balancePence": 631,
    }
    assert account.status_code == 200
    assert account.json() == {
        "prisonNumber": "A1234BC",
        "prisonId": "LEI",
        "balancePence": 631,
        "weeklySpendLimitPence": 1550,
        "availableSpendsPence": 631,
    }
    with hub.engine.connect() as connection:
        [audited] = audit_trail(connection, "person:A1234BC")
    assert (audited.actor, audited.action) == ("kiosks_lei", "canteen_account.read")


def test_an_order_over_the_balance_is_refused_with_its_reason(api: str, leeds_kiosk: str) -> None:
    big = [{"productCode": "RADIO-1", "quantity": 1, "unitPricePence": 1499}]
    document = _sample("valid/order-two-items.json", orderReference="KSK-2", items=big)

    assert send(api, leeds_kiosk, "order", document).status_code == 202
    outcome = order_outcome(api, leeds_kiosk, "KSK-2")

    assert (outcome["status"], outcome["reason"]) == ("REFUSED", canteen.INSUFFICIENT_FUNDS)
    assert "1000p" in outcome["detail"]


def test_an_order_sent_twice_is_spent_once(api: str, leeds_kiosk: str) -> None:
    document = _sample("valid/order-two-items.json")
    assert send(api, leeds_kiosk, "order", document).status_code == 202
    order_outcome(api, leeds_kiosk, "KSK-LEI-0000001")
    assert send(api, leeds_kiosk, "order", document).status_code == 202

    def refused_once() -> bool:
        # The second, with the same reference, is refused; the balance stays.
        return read(api, leeds_kiosk, "accounts/A1234BC").json()["balancePence"] == 631

    eventually(refused_once, "the balance after one spend")
    assert order_outcome(api, leeds_kiosk, "KSK-LEI-0000001")["status"] == "ACCEPTED"


def test_an_application_is_recorded_once_and_its_status_read(
    api: str, hub: Hub, leeds_kiosk: str
) -> None:
    document = _sample("valid/application-healthcare.json")
    for _ in range(2):
        assert send(api, leeds_kiosk, "application", document).status_code == 202

    def recorded() -> bool:
        return read(api, leeds_kiosk, "applications/KSK-LEI-APP-0000001").status_code == 200

    eventually(recorded, "the application to be recorded")
    status = read(api, leeds_kiosk, "applications/KSK-LEI-APP-0000001").json()
    assert (status["status"], status["applicationType"]) == ("RECORDED", "HEALTHCARE")
    with hub.engine.connect() as connection:
        count = connection.execute(sa.text("select count(*) from prisoner_application")).scalar()
    assert count == 1


@pytest.mark.parametrize(
    ("body", "status", "error", "detail"),
    [
        (b'{"version": 1, "items": [}', 400, "invalid_json", {"rule": "json-syntax", "line": 1}),
        (b"[" * 100_000 + b"]" * 100_000, 400, "invalid_json", {"rule": "depth"}),
        (
            _sample("invalid/order-quantity-zero.json"),
            422,
            "invalid_message",
            {"rule": "minimum", "element": "$.items[0].quantity"},
        ),
        (_sample("invalid/order-for-another-prison.json"), 403, "forbidden", {}),
    ],
)
def test_a_bad_order_is_answered_at_once_with_what_is_wrong(
    api: str, leeds_kiosk: str, body: Any, status: int, error: str, detail: dict[str, Any]
) -> None:
    response = send(api, leeds_kiosk, "order", body)

    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    assert detail.items() <= response.json().items()


def test_a_kiosk_cannot_read_people_held_elsewhere_or_use_another_partners_token(
    api: str, hub: Hub, leeds_kiosk: str
) -> None:
    moorland = hub.credentials.issue("kiosks_mdi")
    serco = hub.credentials.issue("serco")

    assert read(api, moorland, "accounts/A1234BC").status_code == 404
    assert read(api, leeds_kiosk, "accounts/Z9999ZZ").status_code == 404
    assert read(api, serco, "accounts/A1234BC").status_code == 403
    assert read(api, "not-a-token", "accounts/A1234BC").status_code == 401
