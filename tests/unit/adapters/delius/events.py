"""Hypothesis strategies for events the Delius adapter can render."""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import strategies as st

from core_records.events import PRISONER_RECEIVED, PRISONER_RELEASED, CanonicalEvent
from core_records.identifiers import Identifier, cro_check_letter, pnc_check_letter

RECEIVED_REASONS = ("NEW_ADMISSION", "READMISSION", "TRANSFERRED", "RETURN_FROM_COURT",
                    "TEMPORARY_ABSENCE_RETURN", "POST_MERGE_ADMISSION")  # fmt: skip
RELEASED_REASONS = ("RELEASED", "SENT_TO_COURT", "TEMPORARY_ABSENCE_RELEASE",
                    "RELEASED_TO_HOSPITAL")  # fmt: skip
MOVEMENT_CODES = ("N", "V", "I", "INT", "L", "NOTR", "CR", "SC", "HR", "DEC", "HP", "DD", "UAL",
                  "ESCP", "BL")  # fmt: skip

MIN_TIME, MAX_TIME = datetime(1990, 1, 1), datetime(2100, 1, 1)
letters = st.sampled_from("ABCDEFGHJKLMNPQRSTUVWXYZ")
prison_numbers = st.builds(lambda a, n, b, c: f"{a}{n:04d}{b}{c}", letters,
                           st.integers(0, 9999), letters, letters)  # fmt: skip
crns = st.builds(lambda a, n: f"{a}{n:06d}", letters, st.integers(0, 999_999))
pnc_ids = st.builds(
    lambda y, s: f"{y:04d}/{s:07d}{pnc_check_letter(y, s)}",
    st.integers(1975, date.today().year),
    st.integers(1, 9_999_999),
)
cro_numbers = st.builds(
    lambda s, y: f"{s:06d}/{y:02d}{cro_check_letter(str(s), f'{y:02d}')}",
    st.integers(1, 999_999),
    st.integers(0, 99),
)
prisons = st.from_regex(r"[A-Z]{2}I", fullmatch=True)


@st.composite
def renderable_events(draw: st.DrawFn) -> CanonicalEvent:
    """A received or released event with what a custody-status document needs, and sometimes
    more: the other information the store puts in its events."""
    event_type = draw(st.sampled_from([PRISONER_RECEIVED, PRISONER_RELEASED]))
    reasons = RECEIVED_REASONS if event_type == PRISONER_RECEIVED else RELEASED_REASONS
    identifiers = [Identifier("NOMS", draw(prison_numbers))]
    for identifier_type, values in (("CRN", crns), ("PNC", pnc_ids), ("CRO", cro_numbers)):
        if draw(st.booleans()):
            identifiers.append(Identifier(identifier_type, draw(values)))
    information = {
        "prisonId": draw(prisons),
        "reason": draw(st.sampled_from(reasons)),
        "movementReasonCode": draw(st.sampled_from(MOVEMENT_CODES)),
    }
    if draw(st.booleans()):
        information |= {"nomsNumber": identifiers[0].value, "movementType": "ADM", "bookingId": 7}
    return CanonicalEvent(
        event_type=event_type,
        occurred_at=draw(st.datetimes(MIN_TIME, MAX_TIME, timezones=st.timezones())),
        person_identifiers=tuple(draw(st.permutations(identifiers))),
        additional_information=information,
        event_id=str(draw(st.uuids())),
    )
