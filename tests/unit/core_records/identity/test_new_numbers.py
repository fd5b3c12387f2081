"""The n-th prison number and book number: formats, order and no repeats."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core_records.identifiers import parse_book_number, parse_prison_number
from core_records.identity.numbers import book_number_for, prison_number_for

LAST_PRISON_NUMBER = 26 * 9999 * 676
LAST_BOOK_NUMBER = 26 * 900_000


@pytest.mark.parametrize(
    ("value", "number"),
    [
        (1, "A0001AA"),
        (9999, "A9999AA"),
        (10_000, "A0001AB"),  # the digits roll over into the suffix letters
        (9999 * 676, "A9999ZZ"),
        (9999 * 676 + 1, "B0001AA"),  # and the suffix into the first letter
        (LAST_PRISON_NUMBER, "Z9999ZZ"),
    ],
)
def test_prison_numbers_count_up_through_digits_then_suffix_then_first_letter(
    value: int, number: str
) -> None:
    assert prison_number_for(value) == number


@pytest.mark.parametrize(
    ("value", "number"),
    [(1, "100000A"), (900_000, "999999A"), (900_001, "100000B"), (LAST_BOOK_NUMBER, "999999Z")],
)
def test_book_numbers_are_six_digits_and_a_letter(value: int, number: str) -> None:
    assert book_number_for(value) == number


@pytest.mark.parametrize("value", [0, LAST_PRISON_NUMBER + 1])
def test_there_is_no_prison_number_outside_the_range(value: int) -> None:
    with pytest.raises(ValueError):
        prison_number_for(value)


@given(st.integers(1, LAST_PRISON_NUMBER - 1))
def test_every_prison_number_is_valid_and_comes_before_the_next(value: int) -> None:
    number, following = prison_number_for(value), prison_number_for(value + 1)
    assert parse_prison_number(number) == number
    assert number != following
    # Sorting by (first letter, suffix, digits) gives allocation order.
    assert (number[0], number[5:], number[1:5]) < (following[0], following[5:], following[1:5])


@given(st.integers(1, LAST_BOOK_NUMBER - 1))
def test_every_book_number_is_valid_and_differs_from_the_next(value: int) -> None:
    number = book_number_for(value)
    assert parse_book_number(number) == number
    assert number != book_number_for(value + 1)
