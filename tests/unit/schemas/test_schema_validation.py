"""Validation against partner XSDs names the element (as a path), the line, the rule and
libxml2's message, for each kind of fault."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import adapters.private_prisons as private_prisons
from core_records.errors import InvalidMessage
from core_records.identifiers import parse_identifier
from schemas.loader import load_schema, validate, validation_errors
from schemas.xml import parse_xml

RECEPTION = "private_prisons/reception-v1.xsd"
SAMPLES = Path(private_prisons.__file__).parent / "samples"
SAMPLE = (SAMPLES / "valid" / "reception-new-person.xml").read_text()


def document(old: str = "", new: str = "") -> bytes:
    assert old in SAMPLE
    return SAMPLE.replace(old, new, 1).encode()


def line_of(body: bytes, text: str) -> int:
    return body[: body.index(text.encode())].count(b"\n") + 1


def the_fault(body: bytes) -> InvalidMessage:
    with pytest.raises(InvalidMessage) as caught:
        validate(parse_xml(body), RECEPTION)
    return caught.value


def test_a_valid_document_passes() -> None:
    validate(parse_xml(document()), RECEPTION)
    assert validation_errors(parse_xml(document()), RECEPTION) == []


def test_a_wrong_date_is_named_with_its_element_line_and_rule() -> None:
    body = document(
        "<DateOfBirth>1987-11-23</DateOfBirth>", "<DateOfBirth>1987-02-30</DateOfBirth>"
    )
    error = the_fault(body)
    assert error.element == "/Reception/Person/DateOfBirth"
    assert error.line == line_of(body, "<DateOfBirth>")
    assert error.rule == "SCHEMAV_CVC_DATATYPE_VALID_1_2_1"
    assert "'1987-02-30' is not a valid value" in error.reason
    assert error.reason.startswith("/Reception/Person/DateOfBirth: ")


def test_a_missing_element_is_named_by_what_was_expected_in_its_place() -> None:
    body = document("    <Surname>HOLROYD</Surname>\n")
    error = the_fault(body)
    assert error.element == "/Reception/Person/Forenames"
    assert error.line == line_of(body, "<Forenames>")
    assert error.rule == "SCHEMAV_ELEMENT_CONTENT"
    assert "Expected is ( Surname )" in error.reason


def test_an_unexpected_element_is_named() -> None:
    body = document("    <Sex>M</Sex>\n", "    <Sex>M</Sex>\n    <Religion>NONE</Religion>\n")
    error = the_fault(body)
    assert error.element == "/Reception/Person/Religion"
    assert error.line == line_of(body, "<Religion>")
    assert error.rule == "SCHEMAV_ELEMENT_CONTENT"
    assert "Religion': This element is not expected" in error.reason


def test_a_value_breaking_a_pattern_is_named_with_the_pattern() -> None:
    body = document(
        "<LocalId>DN0458812</LocalId>",
        "<PrisonNumber>A12345</PrisonNumber>\n<LocalId>DN0458812</LocalId>",
    )
    error = the_fault(body)
    assert error.element == "/Reception/Person/PrisonNumber"
    assert error.line == line_of(body, "<PrisonNumber>")
    assert error.rule == "SCHEMAV_CVC_PATTERN_VALID"
    assert "'A12345' is not accepted by the pattern" in error.reason


def test_names_in_the_schemas_own_namespace_are_shown_bare_and_others_in_full() -> None:
    body = document('xmlns="urn:gatehouse:private-prisons:v1"', 'xmlns="urn:example:v2"')
    error = the_fault(body)
    assert error.rule == "SCHEMAV_CVC_ELT_1"
    assert "{urn:example:v2}Reception" in error.reason
    assert (
        "{urn:gatehouse:private-prisons:v1}" not in the_fault(document("<Sex>M", "<Sex>X")).reason
    )


def test_repeated_elements_are_told_apart_in_the_path() -> None:
    aliases = (
        "    <Sex>M</Sex>\n    <Aliases>\n"
        "      <Alias><Surname>HOLROYD</Surname><Forenames>KIERAN</Forenames></Alias>\n"
        "      <Alias><Surname>HOL ROYD 2</Surname><Forenames>K</Forenames></Alias>\n"
        "    </Aliases>\n"
    )
    error = the_fault(document("    <Sex>M</Sex>\n", aliases))
    assert error.element == "/Reception/Person/Aliases/Alias[2]/Surname"


def test_every_fault_is_listed_in_document_order_and_the_first_counts_the_rest() -> None:
    body = document(
        "<DateOfBirth>1987-11-23</DateOfBirth>", "<DateOfBirth>23/11/1987</DateOfBirth>"
    )
    body = body.replace(b"<ToAgency>DNI</ToAgency>", b"<ToAgency>Doncaster</ToAgency>")
    faults = validation_errors(parse_xml(body), RECEPTION)
    assert [f.element for f in faults] == [
        "/Reception/Person/DateOfBirth",
        "/Reception/Movement/ToAgency",
    ]
    assert faults[0].line < faults[1].line
    assert the_fault(body).reason.endswith("(and 1 more fault)")


@pytest.mark.parametrize(
    ("identifier_type", "element", "written"),
    [
        ("NOMS", "PrisonNumber", "a1234bc"),
        ("PNC", "PncId", "2003/0412876Y"),
        ("PNC", "PncId", "03/412876Y"),
        ("PNC", "PncId", "030412876Y"),
        ("PNC", "PncId", "20030412876y"),
        ("CRO", "CroNumber", "274511/03A"),
        ("CRO", "CroNumber", "274511/03a"),
        ("CRO", "CroNumber", "SF11/61044D"),
        ("CRO", "CroNumber", "sf11/61044d"),
    ],
)
def test_identifier_patterns_accept_every_form_the_parsers_accept(
    identifier_type: str, element: str, written: str
) -> None:
    parse_identifier(identifier_type, written)
    if element == "PrisonNumber":
        body = document("<LocalId>", f"<PrisonNumber> {written} </PrisonNumber><LocalId>")
    else:
        body = document("<Surname>", f"<{element}>{written}</{element}><Surname>")
        body = body.replace(b"<CroNumber>274511/03A</CroNumber>", b"", 1)
        if element == "PncId":
            body = body.replace(b"<PncId>2003/0412876Y</PncId>", b"", 1)
    validate(parse_xml(body), RECEPTION)


def test_check_letters_are_left_to_translation() -> None:
    validate(parse_xml(document("2003/0412876Y", "2003/0412876X")), RECEPTION)


def test_compiled_schemas_are_cached() -> None:
    assert load_schema(RECEPTION) is load_schema(RECEPTION)


def test_only_schemas_inside_the_schemas_package_can_be_named() -> None:
    with pytest.raises(ValueError, match="not an XSD under the schemas package"):
        load_schema("../pyproject.toml")
    with pytest.raises(
        FileNotFoundError, match=re.escape("no schema 'private_prisons/nothing-v1.xsd'")
    ):
        load_schema("private_prisons/nothing-v1.xsd")


def test_an_adapter_outside_the_schemas_package_names_its_schemas_by_package() -> None:
    assert load_schema("schemas:private_prisons/release-v1.xsd") is not None
    with pytest.raises(ValueError, match="not an XSD under the package adapters"):
        load_schema("adapters:../pyproject.toml")
    with pytest.raises(ValueError, match="no package 'no_such_adapter'"):
        load_schema("no_such_adapter:schemas/x-v1.xsd")


def test_one_schema_validates_correctly_from_many_threads_at_once() -> None:
    good = document()
    bad = document("<Sex>M</Sex>", "<Sex>Q</Sex>")
    bodies = [good, bad] * 200

    def faults(body: bytes) -> list[str]:
        return [f.element for f in validation_errors(parse_xml(body), RECEPTION)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(faults, bodies))
    assert results == [[], ["/Reception/Person/Sex"]] * 200
