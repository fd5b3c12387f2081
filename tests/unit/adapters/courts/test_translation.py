"""The courts' documents to commands, and the custody notice the court receives."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from adapters import courts
from adapters.base import PartnerScope
from adapters.courts import adapter
from adapters.courts.simulator import Defendant, hearing_list, hearing_result
from core_records.commands import RecordReception
from core_records.errors import InvalidMessage
from core_records.events import CanonicalEvent
from core_records.identifiers import CRO, NOMS, PNC, Identifier
from core_records.partner_records.courts import RecordHearingResult, RecordListedHearing

SAMPLES = Path(courts.__file__).parent / "samples"
COURTS = PartnerScope("courts", "courts")
AT = datetime(2024, 6, 3, 14, 10, tzinfo=UTC)
KNOWN = Defendant("HOLROYD", "KIERAN  JAMES", date(1987, 11, 23), prison_number="A7301EK")


def translate(message_type: str, body: bytes) -> tuple[object, ...]:
    inbound = adapter.inbound_type(message_type)
    return inbound.translate(inbound.read(body), COURTS)


def test_a_hearing_list_lists_each_defendant_the_hub_could_hold() -> None:
    nameless = Defendant("ATKINS", "ROSE", date(1990, 2, 1), sex="F")
    body = hearing_list("LEEDCC", date(2024, 6, 4), [("T1", KNOWN), ("T2", nameless)],
                        sent_at=AT, reference="L-1")  # fmt: skip
    assert translate("hearing-list", body) == (
        RecordListedHearing((Identifier(NOMS, "A7301EK"),), "LEEDCC", date(2024, 6, 4), "T1", AT),
    )


def test_a_sentence_result_carries_its_key_dates_and_when_the_person_left_prison() -> None:
    left = datetime(2024, 6, 3, 8, 0, tzinfo=UTC)
    body = hearing_result("LEEDCC", "T1", KNOWN, "SENTENCED", AT, reference="R-1",
                          left_prison_at=left, key_dates={"SED": date(2027, 6, 2)})  # fmt: skip
    [command] = translate("hearing-result", body)
    assert isinstance(command, RecordHearingResult)
    assert (command.outcome, command.left_prison_at, command.key_dates) == (
        "SENTENCED", left, (("SED", date(2027, 6, 2)),),
    )  # fmt: skip
    assert command.particulars.name.forenames == "KIERAN JAMES"
    assert command.person == (Identifier(NOMS, "A7301EK"),)


def test_a_key_date_given_twice_is_refused() -> None:
    body = hearing_result("LEEDCC", "T1", KNOWN, "SENTENCED", AT, reference="R-1",
                          key_dates={"SED": date(2027, 6, 2)})  # fmt: skip
    twice = body.replace(b"</Sentence>", b'<KeyDate code="SED">2027-06-03</KeyDate></Sentence>')
    with pytest.raises(InvalidMessage, match="given twice"):
        translate("hearing-result", twice)


def test_a_warrant_is_a_reception_from_the_court_into_the_prison_it_names() -> None:
    [command] = translate("warrant", (SAMPLES / "valid" / "warrant-remand.xml").read_bytes())
    assert isinstance(command, RecordReception)
    assert (command.establishment, command.reason_code, command.from_agency) == (
        "LEI", "N", "SHEFCC",
    )  # fmt: skip
    assert command.legal_status == "REMAND"
    assert command.person.identifiers == (Identifier(PNC, "2011/1187342F"),)


def test_a_notice_needs_the_prison_number_and_carries_no_cro() -> None:
    event = CanonicalEvent.from_json((SAMPLES / "events" / "hearing-listed.json").read_bytes())
    body = adapter.render(event)
    assert body is not None and b"274511/03A" not in body and b"E118064" not in body
    without = replace(event, person_identifiers=tuple(
        i for i in event.person_identifiers if i.type not in (NOMS,)))  # fmt: skip
    assert any(i.type == CRO for i in without.person_identifiers)
    with pytest.raises(InvalidMessage, match="no NOMS number"):
        adapter.render(without)
