"""Receipts and rolls: written as the formats say, and read back as written."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from adapters.prison_shops import (
    LineError,
    OrderFileHeader,
    OrderFileRejected,
    OrderLine,
    ReceiptIncomplete,
    read_receipt,
    read_roll,
    receipt_entries,
    write_receipt,
    write_rejection,
    write_roll,
)
from core_records.canteen.account import INSUFFICIENT_FUNDS, MALFORMED_LINE
from core_records.canteen.ledger import LineOutcome, RollEntry
from core_records.errors import InvalidMessage

NOW = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)
HEADER = OrderFileHeader("LEI-1", "LEI", NOW)


def _line(n: int, reference: str) -> OrderLine:
    return OrderLine(n, reference, "A1234BC", "CANT", 100, NOW)


FILE_LINES = [
    _line(2, "R-1"),
    LineError(3, MALFORMED_LINE, "amount 'x' is not pence"),
    _line(4, "R-2"),
]
OUTCOMES = [
    LineOutcome(4, "R-2", "A1234BC", "CANT", 100, False, INSUFFICIENT_FUNDS, "short, by 50p"),
    LineOutcome(2, "R-1", "A1234BC", "CANT", 100, True, balance_after_pence=50),
]


def test_a_receipt_answers_every_line_in_file_order() -> None:
    out = io.BytesIO()

    counts = write_receipt(HEADER, "f1", receipt_entries(FILE_LINES, OUTCOMES), out, written_at=NOW)

    assert counts == (3, 1, 2)
    assert out.getvalue().decode().splitlines() == [
        "HDR,GHCANTRCT,1,LEI-1,LEI,f1,2026-11-23T21:00:00+00:00",
        "ACC,2,R-1,A1234BC,CANT,100,50",
        "REF,3,,,MALFORMED_LINE,amount 'x' is not pence",
        'REF,4,R-2,A1234BC,INSUFFICIENT_FUNDS,"short, by 50p"',
        "TRL,3,1,2",
    ]
    receipt = read_receipt(io.BytesIO(out.getvalue()))
    assert [(e.line_number, e.accepted, e.reason) for e in receipt.entries] == [
        (2, True, None),
        (3, False, MALFORMED_LINE),
        (4, False, INSUFFICIENT_FUNDS),
    ]
    assert receipt.entries[2].detail == "short, by 50p"
    assert receipt.counts == (3, 1, 2)


def test_no_receipt_is_written_while_a_line_waits_for_the_store() -> None:
    with pytest.raises(ReceiptIncomplete) as waiting:
        list(receipt_entries(FILE_LINES, OUTCOMES[:1]))
    assert (waiting.value.waiting, waiting.value.first_line) == (1, 2)


def test_a_rejection_receipt_says_why_and_counts_nothing() -> None:
    out = io.BytesIO()
    error = OrderFileRejected("the trailer counts 2 transaction lines but the file has 1", line=3)

    write_rejection("f2", error, out, written_at=NOW, header=HEADER)

    receipt = read_receipt(io.BytesIO(out.getvalue()))
    assert receipt.rejection == error.reason
    assert (receipt.file_id, receipt.entries, receipt.counts) == ("f2", [], (0, 0, 0))


def test_a_value_with_a_line_break_cannot_break_a_record() -> None:
    out = io.BytesIO()
    people = [RollEntry("A1234BC", "O'BRIEN", "SEAN\nPAT", "LEI", "STD", 1550)]

    write_roll("LEI", people, out, as_at=NOW)

    assert len(out.getvalue().splitlines()) == 3
    _, [person] = read_roll(io.BytesIO(out.getvalue()))
    assert person.forenames == "SEAN PAT"


def test_a_roll_lists_each_person_and_counts_them() -> None:
    out = io.BytesIO()
    people = [
        RollEntry("A1234BC", "SMITH", "JOHN PAUL", "LEI", "ENH", 2550),
        RollEntry("B2345CD", "JONES, JR", "ANN", "LEI", "BAS", 0),
    ]

    assert write_roll("LEI", iter(people), out, as_at=NOW) == 2

    assert out.getvalue().decode().splitlines() == [
        "HDR,GHCANTROLL,1,LEI,2026-11-23T21:00:00+00:00",
        "PER,A1234BC,SMITH,JOHN PAUL,LEI,ENH,2550",
        'PER,B2345CD,"JONES, JR",ANN,LEI,BAS,0',
        "TRL,2",
    ]
    assert read_roll(io.BytesIO(out.getvalue())) == ("LEI", people)


def test_a_roll_cut_short_is_refused() -> None:
    out = io.BytesIO()
    write_roll("LEI", [RollEntry("A1234BC", "SMITH", "JOHN", "LEI", "STD", 1)], out, as_at=NOW)
    cut = b"\n".join(out.getvalue().splitlines()[:2])

    with pytest.raises(InvalidMessage, match="no trailer"):
        read_roll(io.BytesIO(cut))
