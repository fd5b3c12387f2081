"""Translating operator documents into canonical commands: identifiers in canonical form,
times with their offset, and the operator held to the prisons it runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import etree

import adapters.private_prisons as package
from adapters.private_prisons import adapter
from adapters.private_prisons.movements import (
    translate_reception,
    translate_release,
    translate_transfer,
)
from core_records.commands import (
    PersonName,
    PersonParticulars,
    RecordReception,
    RecordRelease,
    RecordTransfer,
)
from core_records.errors import InvalidIdentifier, InvalidMessage, NotPermitted
from core_records.identifiers import Identifier
from schemas.xml import parse_xml

VALID = Path(package.__file__).parent / "samples" / "valid"
SERCO = adapter.partners["serco"]
SODEXO = adapter.partners["sodexo"]
BST = timezone(timedelta(hours=1))


def sample(name: str, *changes: tuple[str, str]) -> etree._Element:
    text = (VALID / name).read_text()
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new)
    return parse_xml(text.encode())


def test_a_reception_with_a_prison_number_becomes_record_reception_in_canonical_form() -> None:
    (command,) = translate_reception(sample("reception-with-prison-number.xml"), SERCO)
    assert command == RecordReception(
        person=PersonParticulars(
            identifiers=(
                Identifier("NOMS", "G4821UX"),
                Identifier("LOCAL", "serco:TS0193377"),
                Identifier("PNC", "1998/0055213E"),
                Identifier("CRO", "088213/98X"),
            ),
            name=PersonName(surname="O'CONNOR", forenames="DECLAN"),
            date_of_birth=date(1979, 2, 14),
            sex="M",
            aliases=(PersonName("CONNOR", "DEC", name_type="A"),),
        ),
        establishment="TSI",
        reason_code="L",
        occurred_at=datetime(2024, 5, 1, 13, 48, tzinfo=UTC),
        from_agency="WSTMMC",
    )


def test_a_reception_without_a_prison_number_identifies_the_person_by_the_local_id() -> None:
    (command,) = translate_reception(sample("reception-new-person.xml"), SERCO)
    assert [i.type for i in command.person.identifiers] == ["LOCAL", "PNC", "CRO"]
    assert command.person.identifiers[0] == Identifier("LOCAL", "serco:DN0458812")
    assert command.person.name.forenames == "KIERAN JAMES"


def test_times_keep_the_offset_they_were_sent_with() -> None:
    (command,) = translate_reception(sample("reception-new-person.xml"), SERCO)
    assert command.occurred_at.utcoffset() == timedelta(hours=1)
    assert command.occurred_at == datetime(2024, 5, 1, 8, 5, tzinfo=UTC)


def test_identifiers_written_loosely_come_out_canonical() -> None:
    document = sample(
        "reception-with-prison-number.xml",
        ("<PrisonNumber>G4821UX", "<PrisonNumber> g4821ux "),
        ("<CroNumber>088213/98X", "<CroNumber>88213/98x"),
    )
    (command,) = translate_reception(document, SERCO)
    assert Identifier("NOMS", "G4821UX") in command.person.identifiers
    assert Identifier("CRO", "088213/98X") in command.person.identifiers


def test_forenames_are_separated_by_single_spaces() -> None:
    document = sample("reception-new-person.xml", ("KIERAN JAMES", "KIERAN \n   JAMES"))
    (command,) = translate_reception(document, SERCO)
    assert command.person.name.forenames == "KIERAN JAMES"


def test_a_transfer_becomes_record_transfer_from_the_operators_prison() -> None:
    (command,) = translate_transfer(sample("transfer-to-public-prison.xml"), SERCO)
    assert command == RecordTransfer(
        person=(
            Identifier("NOMS", "A7301EK"),
            Identifier("LOCAL", "serco:DN0458812"),
            Identifier("PNC", "2003/0412876Y"),
        ),
        from_establishment="DNI",
        to_establishment="LEI",
        reason_code="NOTR",
        occurred_at=datetime(2024, 5, 3, 8, 15, tzinfo=BST),
    )


def test_a_transfer_may_go_to_a_prison_another_operator_runs() -> None:
    document = sample("transfer-to-public-prison.xml", ("<ToAgency>LEI", "<ToAgency>OWI"))
    (command,) = translate_transfer(document, SERCO)
    assert command.to_establishment == "OWI"


def test_a_death_in_custody_becomes_record_release_with_reason_dec() -> None:
    (command,) = translate_release(sample("release-death-in-custody.xml"), SERCO)
    assert command == RecordRelease(
        person=(
            Identifier("NOMS", "G2210VN"),
            Identifier("LOCAL", "serco:LG0031876"),
            Identifier("PNC", "2016/0340021F"),
            Identifier("CRO", "SF11/61044D"),
        ),
        establishment="LGI",
        reason_code="DEC",
        occurred_at=datetime(2024, 5, 9, 5, 52, tzinfo=BST),
        to_agency=None,
    )


# --- scope ----------------------------------------------------------------------------------


def test_an_operator_cannot_send_in_another_operators_name() -> None:
    with pytest.raises(NotPermitted) as caught:
        translate_release(sample("release-conditional.xml"), SODEXO)
    assert (
        caught.value.reason == "the message header names the operator 'serco', but 'sodexo' sent it"
    )


def test_an_operator_cannot_release_from_a_prison_it_does_not_run() -> None:
    document = sample("release-conditional.xml", ("<Operator>serco", "<Operator>sodexo"))
    with pytest.raises(NotPermitted, match="sodexo does not run the prison ASI"):
        translate_release(document, SODEXO)


def test_an_operator_cannot_receive_into_a_prison_it_does_not_run() -> None:
    document = sample(
        "reception-new-person.xml",
        ("<EstablishmentCode>DNI", "<EstablishmentCode>FBI"),
        ("<ToAgency>DNI", "<ToAgency>FBI"),
    )
    with pytest.raises(NotPermitted, match="serco does not run the prison FBI"):
        translate_reception(document, SERCO)
    (command,) = translate_reception(
        sample(
            "reception-new-person.xml",
            ("<Operator>serco", "<Operator>sodexo"),
            ("<EstablishmentCode>DNI", "<EstablishmentCode>FBI"),
            ("<ToAgency>DNI", "<ToAgency>FBI"),
        ),
        SODEXO,
    )
    assert command.establishment == "FBI"
    assert command.person.identifiers[0] == Identifier("LOCAL", "sodexo:DN0458812")


def test_a_transfer_from_a_prison_the_operator_does_not_run_is_not_permitted() -> None:
    document = sample(
        "transfer-to-public-prison.xml",
        ("<EstablishmentCode>DNI", "<EstablishmentCode>LEI"),
        ("<FromAgency>DNI", "<FromAgency>LEI"),
        ("<ToAgency>LEI", "<ToAgency>DNI"),
    )
    with pytest.raises(NotPermitted, match="serco does not run the prison LEI"):
        translate_transfer(document, SERCO)


# --- documents that skipped validation still fail cleanly -----------------------------------


def test_a_bad_check_letter_names_the_letter_expected() -> None:
    document = sample("reception-new-person.xml", ("274511/03A", "274511/03B"))
    with pytest.raises(InvalidIdentifier, match="the check letter should be A, not B"):
        translate_reception(document, SERCO)


def test_a_document_of_another_type_is_refused_by_its_root() -> None:
    with pytest.raises(InvalidMessage) as caught:
        translate_reception(sample("release-conditional.xml"), SERCO)
    assert caught.value.rule == "root-element"
    assert "but a reception message must be a Reception element" in caught.value.reason


def test_a_missing_element_is_named_by_its_path() -> None:
    document = sample("reception-new-person.xml", ("    <LocalId>DN0458812</LocalId>\n", ""))
    with pytest.raises(InvalidMessage) as caught:
        translate_reception(document, SERCO)
    assert (caught.value.element, caught.value.rule) == ("/Reception/Person/LocalId", "required")
    person_line = (VALID / "reception-new-person.xml").read_text().splitlines().index("  <Person>")
    assert caught.value.line == person_line + 1


def test_a_time_without_an_offset_is_refused_even_unvalidated() -> None:
    document = sample(
        "reception-new-person.xml", ("2024-05-01T09:05:00+01:00", "2024-05-01T09:05:00")
    )
    with pytest.raises(InvalidMessage) as caught:
        translate_reception(document, SERCO)
    assert (caught.value.element, caught.value.rule) == (
        "/Reception/Movement/OccurredAt",
        "time-offset",
    )
