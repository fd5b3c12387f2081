"""Reading order files: line by line, each line a transaction or a reason it is refused, and
the file refused whole when its header or trailer is wrong."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

import adapters.prison_shops as package
from adapters.prison_shops import (
    LineError,
    OrderFileRejected,
    OrderLine,
    check_order_file,
    read_order_file,
)
from adapters.prison_shops.order_file import MAX_LINE_BYTES
from core_records.canteen.account import DUPLICATE_REFERENCE, MALFORMED_LINE

FILES = Path(package.__file__).parent / "samples" / "files"
HEADER = b"HDR,GHCANTORD,1,LEI-1,LEI,2026-11-23T20:00:00+00:00\n"


def _file(*lines: bytes, trailer: int | None = None) -> io.BytesIO:
    count = len(lines) if trailer is None else trailer
    return io.BytesIO(HEADER + b"".join(line + b"\n" for line in lines) + b"TRL,%d\n" % count)


def _line(reference: str = "R-1", prison: str = "A1234BC", kind: str = "CANT", pence: str = "100",
          at: str = "2026-11-23T18:00:00+00:00") -> bytes:  # fmt: skip
    return f"TXN,{reference},{prison},{kind},{pence},{at}".encode()


def test_the_sample_file_reads_as_its_transactions_and_refused_lines() -> None:
    with (FILES / "valid/orders-leeds.csv").open("rb") as stream:
        reader = read_order_file(stream)
        items = list(reader)

    assert (reader.header.file_reference, reader.header.establishment) == ("LEI-20261123-01", "LEI")
    assert [type(i).__name__ for i in items] == ["OrderLine"] * 3 + ["LineError"] + [
        "OrderLine"
    ] * 2 + ["LineError"]
    first = items[0]
    assert isinstance(first, OrderLine)
    assert (first.line_number, first.client_reference, first.prison_number) == (
        2,
        "DHL-LEI-000101",
        "A1234BC",
    )
    assert (first.transaction_type, first.amount_pence) == ("CANT", 1250)
    repeated, negative = items[3], items[6]
    assert isinstance(repeated, LineError) and repeated.reason == DUPLICATE_REFERENCE
    assert repeated.line_number == 5 and "earlier in this file" in repeated.detail
    assert isinstance(negative, LineError) and negative.reason == MALFORMED_LINE
    assert "whole number of pence" in negative.detail


def test_crlf_line_endings_and_quoted_fields_are_read() -> None:
    with (FILES / "valid/orders-with-crlf-and-quotes.csv").open("rb") as stream:
        [line] = list(read_order_file(stream))
    assert isinstance(line, OrderLine) and line.client_reference == "KIOSK/MDI/1"


@pytest.mark.parametrize(
    ("line", "why"),
    [
        (_line(prison="A123BC"), "prison number"),
        (_line(kind="CRED"), "transaction type 'CRED'"),
        (_line(pence="0"), "whole number of pence"),
        (_line(pence="12.50"), "whole number of pence"),
        (_line(pence="100001"), "whole number of pence"),
        (_line(at="2026-11-23T18:00:00"), "UTC offset"),
        (_line(at="2026-11-23"), "UTC offset"),
        (_line(reference=""), "client reference"),
        (_line(reference="R" * 65), "client reference"),
        (b"TXN,R-1,A1234BC,CANT,100", "6 fields"),
        (b"PER,R-1,A1234BC,CANT,100,2026-11-23T18:00:00Z", "record type 'PER'"),
        (b"", "empty"),
        (b'TXN,"R-1,A1234BC,CANT,100,2026-11-23T18:00:00Z', "CSV"),
        (b"TXN,R-\xff,A1234BC,CANT,100,2026-11-23T18:00:00Z", "not UTF-8"),
    ],
)
def test_a_malformed_line_is_refused_alone_with_a_reason(line: bytes, why: str) -> None:
    good, bad = list(read_order_file(_file(_line(reference="GOOD"), line)))

    assert isinstance(good, OrderLine)
    assert isinstance(bad, LineError) and bad.reason == MALFORMED_LINE
    assert bad.line_number == 3
    assert why in bad.detail


def test_an_overlong_line_is_refused_and_skipped_without_being_held() -> None:
    long_line = b"TXN," + b"x" * (MAX_LINE_BYTES * 5)
    bad, good = list(read_order_file(_file(long_line, _line())))

    assert isinstance(bad, LineError) and f"over {MAX_LINE_BYTES} bytes" in bad.detail
    assert isinstance(good, OrderLine) and good.line_number == 3


@pytest.mark.parametrize(
    ("sample", "rule", "why"),
    [
        ("orders-without-trailer.csv", "trailer", "without a TRL record"),
        (
            "orders-trailer-miscounts.csv",
            "trailer",
            "counts 2 transaction lines but the file has 1",
        ),
        ("orders-version-2.csv", "version", "version '2' is not supported"),
        ("orders-without-header.csv", "header", "line 1 must be the header"),
        ("orders-after-trailer.csv", "trailer", "nothing may follow the trailer"),
        ("orders-bad-prison-code.csv", "header", "'Leeds' is not a prison code"),
        ("orders-empty.csv", "header", "empty"),
    ],
)
def test_a_file_with_a_bad_header_or_trailer_is_refused_whole(
    sample: str, rule: str, why: str
) -> None:
    with (FILES / "invalid" / sample).open("rb") as stream, pytest.raises(OrderFileRejected) as e:
        check_order_file(stream)
    assert e.value.rule == rule
    assert why in e.value.reason


def test_the_same_bytes_have_the_same_file_id_and_other_bytes_another() -> None:
    one = check_order_file(_file(_line()))
    same = check_order_file(_file(_line()))
    other = check_order_file(_file(_line(pence="101")))

    assert one.sha256 == same.sha256 != other.sha256
    assert (one.transactions, one.refused_lines) == (1, 0)


class _GeneratedFile(io.RawIOBase):
    """An order file of ``lines`` transactions made as it is read, never held whole; counts
    the bytes handed out so far."""

    def __init__(self, lines: int) -> None:
        self._chunks = self._generate(lines)
        self._pending = b""
        self.handed_out = 0

    def _generate(self, lines: int) -> Iterator[bytes]:
        yield HEADER
        for n in range(lines):
            yield _line(reference=f"R-{n}", pence=str(100 + n % 900)) + b"\n"
        yield b"TRL,%d\n" % lines

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def, override]
        while not self._pending:
            self._pending = next(self._chunks, b"")
            if not self._pending:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        self.handed_out += size
        return size


def test_an_estate_sized_file_is_read_as_it_goes_not_whole() -> None:
    raw = _GeneratedFile(80_000)
    reader = read_order_file(io.BufferedReader(raw, buffer_size=8192))  # type: ignore[arg-type]
    lines = iter(reader)

    first = next(lines)
    read_for_the_first_line = raw.handed_out
    rest = sum(1 for _ in lines)

    assert isinstance(first, OrderLine) and rest == 79_999
    assert reader.transactions == 80_000
    assert read_for_the_first_line <= 8192 < raw.handed_out / 500
