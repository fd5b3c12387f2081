"""Translating an operator's NonAssociation document: OPEN records one, CLOSED closes one,
each carrying both people (prison number first), the operator and its prisons, and the
comment, which the store keeps and never puts in an event."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import etree

import adapters.private_prisons as package
from adapters import testing
from adapters.private_prisons import adapter
from adapters.private_prisons.non_associations import translate_non_association
from core_records.errors import InvalidMessage, NotPermitted
from core_records.identifiers import Identifier
from core_records.partner_records.commands import (
    NON_ASSOCIATION_REASONS,
    CloseNonAssociation,
    RecordNonAssociation,
)
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


def test_an_open_one_becomes_record_non_association_with_both_people_and_the_comment() -> None:
    (command,) = translate_non_association(sample("non-association-victim-recorded.xml"), SERCO)
    assert command == RecordNonAssociation(
        person=(Identifier("NOMS", "A1234BC"), Identifier("LOCAL", "serco:DN0458812")),
        other_person=(Identifier("NOMS", "G4521KL"),),
        reason_code="VIC",
        effective_on=date(2024, 5, 4),
        occurred_at=datetime(2024, 5, 4, 11, 42, 7, tzinfo=BST),
        operator="serco",
        prisons=SERCO.establishments,
        comment=(
            "Assaulted on B wing exercise yard 03/05; keep apart at association, education"
            " and healthcare."
        ),
    )


def test_a_closed_one_becomes_close_non_association_with_its_end_date() -> None:
    (command,) = translate_non_association(sample("non-association-closed.xml"), SERCO)
    assert isinstance(command, CloseNonAssociation)
    assert (command.reason_code, command.effective_on, command.ended_on) == (
        "VIC", date(2024, 5, 4), date(2024, 8, 19),
    )  # fmt: skip
    assert command.person == (Identifier("NOMS", "A1234BC"),)
    assert command.occurred_at == datetime(2024, 8, 19, 16, 20, 31, tzinfo=BST)


def test_prison_numbers_written_in_lower_case_come_out_canonical() -> None:
    (command,) = translate_non_association(
        sample("non-association-closed.xml", ("G4521KL", "g4521kl")), SERCO
    )
    assert command.other_person == (Identifier("NOMS", "G4521KL"),)


def test_the_same_person_in_another_case_is_still_the_same_person() -> None:
    document = sample("non-association-closed.xml", ("G4521KL", "a1234bc"))
    with pytest.raises(InvalidMessage, match="A1234BC cannot be kept apart from themselves") as e:
        translate_non_association(document, SERCO)
    assert e.value.rule == "same-person"


def test_a_comment_of_only_whitespace_is_no_comment() -> None:
    document = sample(
        "non-association-closed.xml",
        ("Other party bailed; reviewed by the security department.", "   "),
    )
    (command,) = translate_non_association(document, SERCO)
    assert command.comment is None


def test_an_operator_cannot_send_one_from_a_prison_it_does_not_run() -> None:
    with pytest.raises(NotPermitted, match="sodexo does not run the prison DNI"):
        translate_non_association(
            sample("non-association-closed.xml", ("<Operator>serco", "<Operator>sodexo")), SODEXO
        )


def test_an_operator_cannot_send_one_in_another_operators_name() -> None:
    with pytest.raises(NotPermitted, match="names the operator 'serco', but 'sodexo' sent it"):
        translate_non_association(sample("non-association-closed.xml"), SODEXO)


def test_a_document_of_another_type_is_refused_by_its_root() -> None:
    document = parse_xml((VALID / "visit-social-completed.xml").read_bytes())
    with pytest.raises(InvalidMessage, match="must be a NonAssociation element"):
        translate_non_association(document, SERCO)


@pytest.mark.parametrize(
    ("changes", "rule", "says"),
    [
        ((("<Status>OPEN", "<Status>CLOSED"),), "end-date-required", "must say when it ended"),
        (
            (("<EffectiveDate>2024-05-04</EffectiveDate>",
              "<EffectiveDate>2024-05-04</EffectiveDate><EndDate>2024-05-09</EndDate>"),),
            "end-date-on-open",
            "only a CLOSED one has an EndDate",
        ),
    ],
)  # fmt: skip
def test_the_end_date_goes_with_a_closed_status_only(
    changes: tuple[tuple[str, str], ...], rule: str, says: str
) -> None:
    document = sample("non-association-victim-recorded.xml", *changes)
    with pytest.raises(InvalidMessage, match=says) as e:
        translate_non_association(document, SERCO)
    assert e.value.rule == rule


def test_an_end_on_the_day_it_took_effect_is_allowed_but_not_the_day_before() -> None:
    same_day = sample(
        "non-association-closed.xml", ("2024-08-19</EndDate>", "2024-05-04</EndDate>")
    )
    (command,) = translate_non_association(same_day, SERCO)
    assert isinstance(command, CloseNonAssociation) and command.ended_on == date(2024, 5, 4)

    day_before = sample(
        "non-association-closed.xml", ("2024-08-19</EndDate>", "2024-05-03</EndDate>")
    )
    with pytest.raises(InvalidMessage, match="ends on 2024-05-03, before it took effect") as e:
        translate_non_association(day_before, SERCO)
    assert e.value.rule == "non-association-dates"


def test_every_reason_code_the_store_knows_is_one_the_schema_accepts_and_no_other() -> None:

    for code in NON_ASSOCIATION_REASONS:
        body = (
            (VALID / "non-association-closed.xml")
            .read_bytes()
            .replace(b">VIC<", f">{code}<".encode())
        )
        (command,) = testing.accept(adapter, "non-association", body, SERCO)
        assert command.reason_code == code  # type: ignore[attr-defined]
    refused = (VALID / "non-association-closed.xml").read_bytes().replace(b">VIC<", b">XYZ<")
    with pytest.raises(InvalidMessage):
        testing.accept(adapter, "non-association", refused, SERCO)
