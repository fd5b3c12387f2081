"""Case-management documents become the canonical commands the legacy and private-prison
feeds use for the same facts, for the staff application's own prison only."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.case_management import adapter, partner_for
from core_records.canteen.account import CREDIT, RecordCanteenTransaction
from core_records.commands import RecordReception, RecordRelease, RecordTransfer
from core_records.custody.prison_records import (
    RecordIncentiveReview,
    RecordPrisonAlert,
    RecordTransferIn,
)
from core_records.custody.temporary_movements import (
    RecordTemporaryMovementIn,
    RecordTemporaryMovementOut,
)
from core_records.errors import InvalidMessage, NotPermitted
from core_records.identifiers import NOMS, PNC, Identifier

SAMPLES = Path(__file__).parents[4] / "adapters" / "case_management" / "samples"
LEEDS = adapter.partners[partner_for("LEI")]
AT = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
WHO = (Identifier(NOMS, "A1234BC"),)


def translated(message_type: str, document: dict[str, Any]) -> tuple[Any, ...]:
    inbound = adapter.inbound[message_type]
    body = json.dumps(document).encode()
    return tuple(inbound.translate(inbound.read(body), LEEDS))


def moved(**fields: Any) -> dict[str, Any]:
    return {"version": 1, "reference": "r-1", "occurredAt": AT.isoformat(),
            "prisonNumber": "A1234BC", **fields}  # fmt: skip


def test_each_public_prison_has_one_staff_application_scoped_to_it() -> None:
    assert len(adapter.partners) == 110
    assert LEEDS.establishments == frozenset({"LEI"})
    assert partner_for("DNI") not in adapter.partners  # run by its operator


def test_a_reception_carries_the_person_s_particulars_to_the_prison() -> None:
    sample = json.loads((SAMPLES / "valid" / "movement-reception.json").read_text())

    [reception] = translated("movement", sample)

    assert isinstance(reception, RecordReception)
    assert (reception.establishment, reception.reason_code) == ("LEI", "N")
    assert reception.person.identifiers == (Identifier(PNC, "2003/0412876Y"),)
    assert (reception.person.name.surname, reception.person.name.forenames) == (
        "OKAFOR",
        "DANIEL",
    )


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"movementType": "TRN", "reasonCode": "NOTR", "toAgency": "WDI"},
         RecordTransfer(WHO, "LEI", "WDI", "NOTR", AT)),
        ({"movementType": "TRN", "direction": "IN", "reasonCode": "NOTR", "fromAgency": "WDI"},
         RecordTransferIn(WHO, "WDI", "LEI", "NOTR", AT)),
        ({"movementType": "REL", "reasonCode": "CR"}, RecordRelease(WHO, "LEI", "CR", AT)),
        ({"movementType": "CRT", "direction": "OUT", "reasonCode": "CRT", "toAgency": "LEEDCC"},
         RecordTemporaryMovementOut(WHO, "LEI", "CRT", "CRT", AT, "LEEDCC")),
        ({"movementType": "TAP", "direction": "IN", "reasonCode": "C3"},
         RecordTemporaryMovementIn(WHO, "LEI", "TAP", "C3", AT)),
    ],
)  # fmt: skip
def test_each_movement_becomes_its_canonical_command(
    fields: dict[str, Any], expected: object
) -> None:
    assert translated("movement", moved(**fields)) == (expected,)


def test_reviews_credits_and_alerts_become_the_prison_s_own_commands() -> None:
    review = {"version": 1, "reference": "r-2", "prisonNumber": "A1234BC", "level": "ENH",
              "occurredAt": AT.isoformat()}  # fmt: skip
    credit = {**review, "reference": "r-3", "source": "PAY", "amountPence": 350}
    del credit["level"]
    alert = {**review, "reference": "r-4", "alertCode": "HA", "status": "CLOSED"}
    del alert["level"]

    assert translated("incentive-review", review) == (RecordIncentiveReview(WHO, "LEI", "ENH", AT),)
    assert translated("credit", credit) == (
        RecordCanteenTransaction(WHO, CREDIT, 350, "LEI:r-3", AT, "LEI"),
    )
    assert translated("alert", alert) == (RecordPrisonAlert(WHO, "LEI", "HA", False, AT),)


def test_a_court_movement_without_its_direction_is_refused_at_its_path() -> None:
    with pytest.raises(InvalidMessage, match="'direction' is a required property"):
        translated("movement", moved(movementType="CRT", reasonCode="CRT"))


def test_a_staff_application_of_no_single_prison_may_not_record() -> None:
    inbound = adapter.inbound["credit"]
    wide = type(LEEDS)("x", "case_management", frozenset({"LEI", "WDI"}))
    document = {"version": 1, "reference": "r", "prisonNumber": "A1234BC", "source": "PAY",
                "amountPence": 1, "occurredAt": AT.isoformat()}  # fmt: skip

    with pytest.raises(NotPermitted):
        inbound.translate(document, wide)
