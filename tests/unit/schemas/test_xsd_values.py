"""Times written for XSD keep their instant and always carry an offset XSD can read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from schemas.xsd_values import xsd_date_time


def test_a_time_keeps_the_offset_it_has() -> None:
    bst = timezone(timedelta(hours=1))
    assert xsd_date_time(datetime(2024, 5, 1, 9, 5, tzinfo=bst)) == "2024-05-01T09:05:00+01:00"
    assert (
        xsd_date_time(datetime(2024, 5, 1, 9, 5, 0, 250, UTC)) == "2024-05-01T09:05:00.000250+00:00"
    )


def test_an_offset_with_seconds_is_written_as_the_same_instant_in_utc() -> None:
    addis_ababa_1900 = timezone(timedelta(hours=2, minutes=35, seconds=20))
    value = datetime(1900, 6, 1, 12, 0, tzinfo=addis_ababa_1900)
    written = xsd_date_time(value)
    assert written == "1900-06-01T09:24:40+00:00"
    assert datetime.fromisoformat(written) == value


def test_a_time_without_an_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="no offset from UTC"):
        xsd_date_time(datetime(2024, 5, 1, 9, 5))
