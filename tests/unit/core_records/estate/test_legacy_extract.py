"""The legacy extract read and checked without a store: bad input is a finding for its row,
never an exception; a row's message survives being held for review."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from core_records.commands import RecordReception
from core_records.custody.reference_data import ReferenceData
from core_records.estate.migration import extract as ex
from core_records.estate.migration.generator import Dirt, generate_extract
from core_records.estate.migration.loading import row_message
from core_records.identifiers import Identifier
from core_records.identity import held_messages
from core_records.partner_records.commands import SENTENCE_DATE_CODES

REFERENCE = ReferenceData.from_files()


def _check(row: ex.LegacyRow) -> list[ex.Finding]:
    return ex.check_row(
        row,
        "LEI",
        alert_codes=frozenset(REFERENCE.alert_codes),
        incentive_levels=frozenset(REFERENCE.incentive_levels),
        key_date_codes=SENTENCE_DATE_CODES,
    )


def _one_row(**changes: str) -> tuple[str, ...]:
    made = generate_extract("LEI", 1, Dirt(), seed=5)
    header, values = list(csv.reader(io.StringIO(made.text)))
    row = dict(zip(header, values, strict=True))
    row.update(changes)
    return tuple(row.values())


def test_a_clean_row_has_no_findings_and_the_same_values_the_same_key() -> None:
    line = ex.read_line(2, _one_row())
    assert line.row is not None and _check(line.row) == []
    assert ex.read_line(9, _one_row()).row_hash == line.row_hash
    assert ex.read_line(2, _one_row(surname="OTHER")).row_hash != line.row_hash


@pytest.mark.parametrize(
    ("changes", "kind"),
    [
        ({"pnc": "2004/0100000A"}, ex.CHECK_LETTER),
        ({"cro": "200000/03Z"}, ex.CHECK_LETTER),
        ({"incentive_band": "SIL"}, ex.UNKNOWN_CODE),
        ({"alert_flags": "HA;ZQ9"}, ex.UNKNOWN_CODE),
        ({"custody_status": "Inactive-Out"}, ex.UNKNOWN_CODE),
        (
            {"sentence_start": "2025-01-10", "sentence_end": "2024-12-01"},
            ex.SENTENCE_END_BEFORE_START,
        ),
        ({"establishment": "WWI"}, ex.OTHER_PRISON),
        ({"previous_prison_numbers": "WWI/A19692"}, ex.CHECK_LETTER),
    ],
)
def test_a_row_unfit_to_load_is_a_finding_with_its_reason(
    changes: dict[str, str], kind: str
) -> None:
    line = ex.read_line(2, _one_row(**changes))
    assert line.row is not None
    findings = _check(line.row)
    assert [f.kind for f in findings] == [kind]
    assert findings[0].reason


@pytest.mark.parametrize(
    "values",
    [
        ("LEI", "AL0001", "SMITH"),
        _one_row(date_of_birth="31/02/1980"),
        _one_row(lids_number="A12345"),
        _one_row(balance_pence="12.50"),
        _one_row(aliases="NOSLASH"),
        _one_row(gender="Q"),
    ],
)
def test_a_malformed_line_is_refused_with_its_reason_never_raised(values: tuple[str, ...]) -> None:
    line = ex.read_line(3, values)
    assert line.row is None
    assert line.malformed is not None and line.malformed.reason.startswith("malformed line")


def test_an_extract_without_its_header_is_refused_whole() -> None:
    with pytest.raises(ValueError, match="header"):
        list(ex.read_extract("LEI,AL0001\n"))


def test_a_rows_message_survives_being_held_for_review() -> None:
    line = ex.read_line(
        2, _one_row(key_dates="CRD=2026-01-01", alert_flags="HA;XEL", balance_pence="1250")
    )
    assert line.row is not None
    message = row_message(line.row, line.row_hash, "100001A", datetime(2026, 1, 1, tzinfo=UTC))
    kinds = [type(c).__name__ for c in message.commands]
    assert kinds[0] == "RecordReception" and "RecordSentence" in kinds
    assert kinds.count("RecordPrisonAlert") == 2 and "RecordCanteenTransaction" in kinds
    assert held_messages.decode(held_messages.encode(message)) == message


def test_a_rows_lids_numbers_are_recorded_only_with_the_prison_that_issued_them() -> None:
    line = ex.read_line(
        2, _one_row(lids_number="al9692", previous_prison_numbers="wwi/ab1234;ZC0042")
    )
    assert line.row is not None and _check(line.row) == []
    message = row_message(line.row, line.row_hash, "100001A", datetime(2026, 1, 1, tzinfo=UTC))
    reception = message.commands[0]
    assert isinstance(reception, RecordReception)
    lids = {i.value for i in reception.person.identifiers if i.type == "LIDS"}
    # Its own number is Leeds's; a previous one naming Wandsworth is Wandsworth's. One that
    # does not say whose it is could be any prison's: it is not recorded, so never matched.
    assert lids == {"LEI/AL9692", "WWI/AB1234"}
    assert Identifier("LIDS", "ZC0042") not in reception.person.identifiers
