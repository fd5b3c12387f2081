"""A public prison's LIDS messages become the record's commands, for its own prison only."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters import lids
from adapters.lids.extract import check_extract, read_messages, write_extract
from adapters.lids.simulator import day_of_traffic
from adapters.testing import accept
from adapters.transports.file_formats import FileRecord, LineError, UnreadableFile
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
from core_records.errors import NotPermitted
from core_records.identifiers import NOMS, PNC, Identifier

SAMPLES = Path(lids.__file__).parent / "samples" / "valid"
LEEDS = lids.adapter.partners["lids-LEI"]
WANDSWORTH = lids.adapter.partners["lids-WWI"]


def _accept(name: str, scope=LEEDS):
    message_type = name.split("-")[0]
    for known in sorted(lids.adapter.inbound, key=len, reverse=True):
        if name.startswith(known):
            message_type = known
            break
    return accept(lids.adapter, message_type, (SAMPLES / name).read_bytes(), scope)


def test_every_public_prison_has_a_lids_of_its_own_and_no_private_prison_has_one() -> None:
    assert lids.adapter.partners["lids-LEI"].establishments == frozenset({"LEI"})
    assert "lids-DNI" not in lids.adapter.partners  # Doncaster is run by Serco
    assert len(lids.adapter.partners) == 110


def test_a_reception_records_the_lids_number_qualified_by_the_prison_that_issued_it() -> None:
    [command] = _accept("reception-new.xml")
    assert isinstance(command, RecordReception)
    assert command.establishment == "LEI" and command.reason_code == "N"
    # Leeds's AL9692 only: Wandsworth's AL9692 is someone else.
    assert Identifier("LIDS", "LEI/AL9692") in command.person.identifiers
    assert Identifier("LIDS", "AL9692") not in command.person.identifiers
    assert Identifier(PNC, "2003/0412876Y") in command.person.identifiers


def test_a_row_for_another_prison_is_refused_naming_both_prisons() -> None:
    with pytest.raises(
        NotPermitted, match="lids-WWI is the LIDS of WWI and may not send rows for LEI"
    ):
        _accept("reception-new.xml", WANDSWORTH)


def test_each_message_becomes_its_command() -> None:
    [out] = _accept("transfer-out.xml")
    assert isinstance(out, RecordTransfer) and (out.from_establishment, out.to_establishment) == (
        "LEI", "DNI",
    )  # fmt: skip
    [arrived] = _accept("transfer-in.xml", WANDSWORTH)
    assert isinstance(arrived, RecordTransferIn) and arrived.to_establishment == "WWI"
    [died] = _accept("release-died-in-custody.xml")
    assert isinstance(died, RecordRelease) and died.reason_code == "DEC"
    [court] = _accept("movement-court-out.xml")
    assert isinstance(court, RecordTemporaryMovementOut)
    assert (court.movement_type, court.reason_code, court.to_agency) == ("CRT", "CRT", "LEEDCC")
    [back] = _accept("movement-temporary-absence-back.xml")
    assert isinstance(back, RecordTemporaryMovementIn) and back.movement_type == "TAP"
    [review] = _accept("incentive-review.xml")
    assert isinstance(review, RecordIncentiveReview) and review.level == "ENH"
    [alert] = _accept("alert-closed.xml")
    assert isinstance(alert, RecordPrisonAlert) and not alert.active
    assert Identifier(NOMS, "A1234BC") in alert.person


def test_a_credit_goes_to_the_canteen_account_under_a_reference_unique_across_the_estate() -> None:
    [credit] = _accept("credit-pay.xml")
    assert isinstance(credit, RecordCanteenTransaction)
    assert (credit.transaction_type, credit.amount_pence) == (CREDIT, 1150)
    assert credit.client_reference == "LIDS-LEI-LEI-000113"


def test_an_extract_holds_the_days_messages_each_on_its_line() -> None:
    bodies = [(SAMPLES / n).read_bytes() for n in ("reception-new.xml", "credit-pay.xml")]
    extract = write_extract("LEI", "2024-05-01", "2024-05-01T23:30:00+01:00", bodies)
    assert check_extract(io.BytesIO(extract)) == ("LEI", 2)
    items = list(read_messages(io.BytesIO(extract.replace(b"<Credit ", b"<Debit ")
                                           .replace(b"</Credit>", b"</Debit>"))))  # fmt: skip
    assert isinstance(items[0], FileRecord) and items[0].message_type == "reception"
    assert isinstance(items[1], LineError) and "not a LIDS message" in items[1].reason
    assert items[0].line < items[1].line


def test_an_extract_that_is_not_well_formed_is_refused_whole() -> None:
    with pytest.raises(UnreadableFile, match="not well-formed"):
        check_extract(io.BytesIO(b'<LidsExtract xmlns="urn:gatehouse:lids:v1"><ExtractHeader>'))


def test_the_simulated_days_are_accepted_and_each_round_has_new_people_and_references() -> None:
    seen_references: set[str] = set()
    received: set[str] = set()
    day = datetime(2024, 5, 1, tzinfo=UTC)
    for round_number in range(3):
        for prison, message_type, body in day_of_traffic(
            ["WWI", "BMI", "MRI"], day, round_number=round_number
        ):
            scope = lids.adapter.partners[lids.partner_name(prison)]
            inbound = lids.adapter.inbound_type(message_type)
            document = inbound.read(body)
            reference = inbound.reference(document)
            assert reference not in seen_references
            seen_references.add(str(reference))
            for command in inbound.translate(document, scope):
                if isinstance(command, RecordReception):
                    [number] = [i.value for i in command.person.identifiers if i.type == "LIDS"]
                    assert number not in received
                    received.add(number)
    assert len(received) == 3 * 3 * 3
