"""Sentence key dates for Delius: each date the event gives, and a clear refusal of an
event that gives none or gives something that is not a date."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

import adapters.delius as package
from adapters.delius import adapter
from core_records.errors import InvalidMessage
from core_records.events import CanonicalEvent

EVENT = CanonicalEvent.from_json(
    (Path(package.__file__).parent / "samples/events/sentence-dates-changed.json").read_bytes()
)


def with_dates(dates: object) -> CanonicalEvent:
    return replace(EVENT, additional_information={"prisonId": "DNI", "sentenceDates": dates})


def test_each_key_date_is_sent_under_its_code() -> None:
    body = adapter.render(with_dates({"SED": "2027-03-14", "PED": "2025-01-02"}))
    assert body is not None
    assert b'<KeyDate code="PED">2025-01-02</KeyDate>' in body
    assert b'<KeyDate code="SED">2027-03-14</KeyDate>' in body


@pytest.mark.parametrize(
    ("dates", "complaint"),
    [
        ({}, "has no sentenceDates"),
        (None, "has no sentenceDates"),
        ({"SED": "14/03/2027"}, "is not a date"),
    ],
)
def test_an_event_without_usable_dates_cannot_be_rendered(dates: object, complaint: str) -> None:
    with pytest.raises(InvalidMessage, match=complaint):
        adapter.render(with_dates(dates))
