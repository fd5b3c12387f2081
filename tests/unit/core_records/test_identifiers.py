"""Identifiers: hand-worked check letters, then properties over generated identifiers.

The check letter of a number n is ``"ZABCDEFGHJKLMNPQRTUVWXY"[n % 23]``; indexes for reading
the worked examples below: Z0 A1 B2 C3 D4 E5 F6 G7 H8 J9 K10 L11 M12 N13 P14 Q15 R16 T17 U18
V19 W20 X21 Y22.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from core_records.errors import InvalidIdentifier
from core_records.identifiers import (
    CHECK_LETTERS,
    Identifier,
    cro_check_letter,
    lids_number,
    parse_book_number,
    parse_crn,
    parse_cro_number,
    parse_identifier,
    parse_lids_number,
    parse_pnc_id,
    parse_prison_number,
    pnc_check_letter,
)

TODAY = date(2025, 6, 30)
"""A fixed "today", so that the two-digit year rule (20YY up to 25, else 19YY) is stable."""

# --- hand-worked examples -------------------------------------------------------------------


def test_the_check_letter_table_has_23_letters_without_i_o_or_s() -> None:
    assert len(CHECK_LETTERS) == 23
    assert not set("IOS") & set(CHECK_LETTERS)


def test_the_pnc_example_from_the_domain_notes_has_check_letter_k() -> None:
    # year 2001 -> "01"; serial 23456 -> "0023456"; int("010023456") = 10023456
    # 10023456 = 23 * 435802 + 10, and index 10 is K.
    assert pnc_check_letter(2001, 23456) == "K"
    assert parse_pnc_id("2001/0023456K", today=TODAY) == "2001/0023456K"


def test_a_pnc_id_from_the_last_century_uses_only_the_last_two_digits_of_its_year() -> None:
    # year 1994 -> "94"; serial 123 -> "0000123"; int("940000123") = 940000123
    # 940000123 = 23 * 40869570 + 13, and index 13 is N.
    assert pnc_check_letter(1994, 123) == "N"
    assert parse_pnc_id("1994/0000123N", today=TODAY) == "1994/0000123N"


@pytest.mark.parametrize(
    "written",
    [
        "01/0023456K",  # two-digit year: 01 <= 25, so 2001
        "01/23456K",  # unpadded serial
        "2001/23456K",
        "20010023456K",  # no slash, four-digit year and seven-digit serial
        "010023456K",  # no slash, two-digit year
        "  2001/0023456k ",  # space around, lower case
    ],
)
def test_every_accepted_form_of_a_pnc_id_gives_the_canonical_form(written: str) -> None:
    assert parse_pnc_id(written, today=TODAY) == "2001/0023456K"


def test_a_slashless_pnc_id_is_not_made_ambiguous_by_a_year_before_1900() -> None:
    # "011100123A" read as 01/1100123: int("011100123") = 11100123 = 23 * 482614 + 1 -> A.
    # Read as 0111/00123 (the year 111): int("11" + "0000123") = 110000123
    # = 23 * 4782614 + 1 -> A as well. No PNC id is from the year 111, so only the first
    # reading counts (this form was refused as ambiguous before years under 1900 were).
    assert parse_pnc_id("011100123A", today=TODAY) == "2001/1100123A"


def test_a_two_digit_pnc_year_after_this_year_means_the_last_century() -> None:
    # "94" > 25 (this year's last two digits), so 1994: check as worked above, N.
    assert parse_pnc_id("94/123N", today=TODAY) == "1994/0000123N"


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ("2001/0023456L", "check letter should be K, not L"),
        ("2001/0023457K", "check letter should be"),  # 10023457 % 23 = 11 -> L
        ("2031/0023456K", "in the future"),
        ("1801/0023456K", "before 1900"),
        ("2001-0023456K", "expected YYYY/NNNNNNNC"),
        ("2001/00234567K", "expected YYYY/NNNNNNNC"),  # eight-digit serial
        ("20010023457K", "no reading"),
    ],
)
def test_a_pnc_id_that_is_wrong_is_refused_saying_why(written: str, why: str) -> None:
    with pytest.raises(InvalidIdentifier, match=why):
        parse_pnc_id(written, today=TODAY)


def test_the_cro_example_from_the_identifiers_module_has_check_letter_n() -> None:
    # "99" + serial 12345 padded to "012345" -> int("99012345") = 99012345
    # 99012345 = 23 * 4304884 + 13, and index 13 is N.
    assert cro_check_letter("12345", "99") == "N"
    assert parse_cro_number("012345/99N") == "012345/99N"
    assert parse_cro_number("12345/99n") == "012345/99N"


def test_a_fingerprint_cro_number_checks_its_serial_as_written() -> None:
    # SF form: "01" + "12345" unpadded -> int("0112345") = 112345 = 23 * 4884 + 13 -> N.
    assert cro_check_letter("12345", "01", fingerprint=True) == "N"
    assert parse_cro_number("sf01/12345n") == "SF01/12345N"
    # Written with a leading zero it is another number: int("01012345") = 1012345
    # = 23 * 44015 + 0 -> Z, so the same check letter N no longer fits.
    assert cro_check_letter("012345", "01", fingerprint=True) == "Z"
    with pytest.raises(InvalidIdentifier, match="should be Z, not N"):
        parse_cro_number("SF01/012345N")


@pytest.mark.parametrize("written", ["012345/99P", "012345/9N", "0123456/99N", "SF1/12345N"])
def test_a_cro_number_that_is_wrong_is_refused(written: str) -> None:
    with pytest.raises(InvalidIdentifier):
        parse_cro_number(written)


@pytest.mark.parametrize(
    ("parse", "good", "bad"),
    [
        (parse_prison_number, " a1234bc ", ["A1234B", "11234BC", "A12345C", "A1234BCD"]),
        (parse_crn, "x757129", ["X75712", "7757129", "XX57129"]),
        (parse_book_number, "51132a", ["1234567A", "51132", "A51132"]),
    ],
)
def test_numbers_without_check_letters_are_checked_for_their_shape(parse, good, bad) -> None:  # type: ignore[no-untyped-def]
    assert parse(good) == good.strip().upper()
    for text in bad:
        with pytest.raises(InvalidIdentifier):
            parse(text)


def test_parse_identifier_dispatches_on_the_type_and_names_unknown_types() -> None:
    assert parse_identifier("noms", "a1234bc") == Identifier("NOMS", "A1234BC")
    assert parse_identifier("PNC", "01/23456K", today=TODAY) == Identifier("PNC", "2001/0023456K")
    assert parse_identifier("CRO", "12345/99N") == Identifier("CRO", "012345/99N")
    assert parse_identifier("LOCAL", " G4S : AC-1 ") == Identifier("LOCAL", "g4s:AC-1")
    assert parse_identifier("NINO", " ab123456c ") == Identifier("NINO", "AB123456C")
    with pytest.raises(InvalidIdentifier, match="not a type Gatehouse records"):
        parse_identifier("SHOESIZE", "9")
    with pytest.raises(InvalidIdentifier, match="operator:local-id"):
        parse_identifier("LOCAL", "AC-1")


def test_a_lids_number_is_always_written_with_the_prison_that_issued_it() -> None:
    assert lids_number("lei", " al9692 ") == "LEI/AL9692"
    assert parse_lids_number(" wwi / al9692 ") == "WWI/AL9692"
    assert parse_identifier("LIDS", "lei/al9692") == Identifier("LIDS", "LEI/AL9692")
    # The same number from two prisons is two identifiers, never one.
    assert lids_number("LEI", "AL9692") != lids_number("WWI", "AL9692")


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ("AL9692", "the issuing prison's code and the number, like LEI/AL9692"),
        ("L1/AL9692", "'L1' is not a prison code"),
        ("/AL9692", "'' is not a prison code"),
        ("LEI/A19692", "'A19692' is not two letters and four digits"),
        ("LEI/", "'' is not two letters and four digits"),
    ],
)
def test_a_lids_number_without_its_prison_or_malformed_is_refused_saying_why(
    written: str, why: str
) -> None:
    with pytest.raises(InvalidIdentifier, match=f"LIDS number '{written}' is not valid: .*{why}"):
        parse_identifier("LIDS", written)


# --- properties -----------------------------------------------------------------------------

pnc_years = st.integers(min_value=1900, max_value=TODAY.year)
serials = st.integers(min_value=0, max_value=9_999_999)
digit = st.sampled_from("0123456789")


@st.composite
def pnc_ids(draw: st.DrawFn) -> tuple[int, int, str]:
    year, serial = draw(pnc_years), draw(serials)
    return year, serial, f"{year:04d}/{serial:07d}{pnc_check_letter(year, serial)}"


def _two_digit_year_reads_back(year: int) -> bool:
    """Whether "YY" alone means ``year`` under the rule (20YY up to this year, else 19YY)."""
    yy = year % 100
    return year == (2000 + yy if yy <= TODAY.year % 100 else 1900 + yy)


@given(pnc_ids())
def test_a_canonical_pnc_id_parses_to_itself(generated: tuple[int, int, str]) -> None:
    _, _, canonical = generated
    assert parse_pnc_id(canonical, today=TODAY) == canonical
    assert parse_pnc_id(canonical.lower(), today=TODAY) == canonical


@given(pnc_ids())
def test_slashed_pnc_forms_canonicalise_the_same(generated: tuple[int, int, str]) -> None:
    year, serial, canonical = generated
    check = canonical[-1]
    assert parse_pnc_id(f"{year}/{serial}{check}", today=TODAY) == canonical
    if _two_digit_year_reads_back(year):
        assert parse_pnc_id(f"{year % 100:02d}/{serial:07d}{check}", today=TODAY) == canonical
        assert parse_pnc_id(f"{year % 100:02d}/{serial}{check}".lower(), today=TODAY) == canonical


@given(pnc_ids())
def test_a_pnc_id_without_its_slash_canonicalises_the_same_or_is_refused_as_ambiguous(
    generated: tuple[int, int, str],
) -> None:
    year, serial, canonical = generated
    check = canonical[-1]
    # Four-digit year and seven-digit serial run together cannot be read another way.
    assert parse_pnc_id(f"{year}{serial:07d}{check}", today=TODAY) == canonical
    if not _two_digit_year_reads_back(year):
        return
    for written in (f"{year % 100:02d}{serial:07d}{check}", f"{year % 100:02d}{serial}{check}"):
        try:
            assert parse_pnc_id(written, today=TODAY) == canonical
        except InvalidIdentifier as error:
            assert "ambiguous" in error.reason


@given(pnc_ids(), st.data())
def test_corrupting_one_checked_character_of_a_pnc_id_makes_it_fail(
    generated: tuple[int, int, str], data: st.DataObject
) -> None:
    _, _, canonical = generated
    # YYYY/NNNNNNNC: the check covers the last two year digits (2, 3) and the serial (5-11);
    # the century digits are not covered by the check, so corrupting them is not detected.
    position = data.draw(st.sampled_from([2, 3, *range(5, 12)]))
    replacement = data.draw(digit.filter(lambda d: d != canonical[position]))
    corrupted = canonical[:position] + replacement + canonical[position + 1 :]
    with pytest.raises(InvalidIdentifier):
        parse_pnc_id(corrupted, today=TODAY)


@given(pnc_ids(), st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
def test_a_pnc_id_with_another_check_letter_fails(
    generated: tuple[int, int, str], letter: str
) -> None:
    _, _, canonical = generated
    assume(letter != canonical[-1])
    with pytest.raises(InvalidIdentifier):
        parse_pnc_id(canonical[:-1] + letter, today=TODAY)


@st.composite
def cro_numbers(draw: st.DrawFn) -> tuple[str, str, str, bool]:
    """(serial as written, year, canonical, is the fingerprint form)."""
    year = f"{draw(st.integers(0, 99)):02d}"
    if draw(st.booleans()):
        serial = draw(st.text(alphabet="0123456789", min_size=1, max_size=6))
        return (
            serial,
            year,
            f"SF{year}/{serial}{cro_check_letter(serial, year, fingerprint=True)}",
            True,
        )
    serial = str(draw(st.integers(0, 999_999)))
    return serial, year, f"{int(serial):06d}/{year}{cro_check_letter(serial, year)}", False


@given(cro_numbers())
def test_a_cro_number_canonicalises_from_its_accepted_forms(
    generated: tuple[str, str, str, bool],
) -> None:
    serial, year, canonical, fingerprint = generated
    assert parse_cro_number(canonical) == canonical
    assert parse_cro_number(f" {canonical.lower()} ") == canonical
    if not fingerprint:
        assert parse_cro_number(f"{serial}/{year}{canonical[-1]}") == canonical


@given(cro_numbers(), st.data())
def test_corrupting_one_character_or_the_check_letter_of_a_cro_number_makes_it_fail(
    generated: tuple[str, str, str, bool], data: st.DataObject
) -> None:
    _, _, canonical, _ = generated
    digits = [i for i, character in enumerate(canonical[:-1]) if character.isdigit()]
    position = data.draw(st.sampled_from([*digits, len(canonical) - 1]))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if position == len(canonical) - 1 else "0123456789"
    replacement = data.draw(st.sampled_from(alphabet).filter(lambda c: c != canonical[position]))
    corrupted = canonical[:position] + replacement + canonical[position + 1 :]
    with pytest.raises(InvalidIdentifier):
        parse_cro_number(corrupted)


letters = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=1)
digits = st.text(alphabet="0123456789", min_size=1, max_size=1)
prison_numbers = st.tuples(letters, *[digits] * 4, letters, letters).map("".join)
crns = st.tuples(letters, *[digits] * 6).map("".join)


@given(prison_numbers, st.data())
def test_a_prison_number_parses_to_itself_and_fails_with_a_character_of_the_wrong_kind(
    number: str, data: st.DataObject
) -> None:
    assert parse_prison_number(number.lower()) == number
    position = data.draw(st.integers(0, 6))
    wrong_kind = "0123456789" if number[position].isalpha() else "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    corrupted = number[:position] + data.draw(st.sampled_from(wrong_kind)) + number[position + 1 :]
    with pytest.raises(InvalidIdentifier):
        parse_prison_number(corrupted)


@given(crns, st.data())
def test_a_crn_parses_to_itself_and_fails_with_a_character_of_the_wrong_kind(
    crn: str, data: st.DataObject
) -> None:
    assert parse_crn(f" {crn.lower()}") == crn
    position = data.draw(st.integers(0, 6))
    wrong_kind = "0123456789" if crn[position].isalpha() else "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    corrupted = crn[:position] + data.draw(st.sampled_from(wrong_kind)) + crn[position + 1 :]
    with pytest.raises(InvalidIdentifier):
        parse_crn(corrupted)
