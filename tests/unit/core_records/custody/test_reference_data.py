"""Reference data from the CSV files in the repository, and the checks ingest makes."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from core_records.custody.reference_data import PRISON, ReferenceData
from core_records.errors import UnknownReferenceCode

REFERENCE = ReferenceData.from_files()
SHARED_ESTABLISHMENTS = Path(__file__).parents[5] / "shared" / "reference" / "establishments.csv"


def test_every_prison_code_is_three_letters_ending_in_i() -> None:
    prisons = [a for a in REFERENCE.agencies.values() if a.agency_type == PRISON]
    assert len(prisons) > 100
    assert all(len(p.code) == 3 and p.code.endswith("I") for p in prisons)


@pytest.mark.skipif(not SHARED_ESTABLISHMENTS.exists(), reason="no shared/ beside the repo")
def test_the_establishments_are_a_copy_of_the_shared_list() -> None:
    packaged = Path(__file__).parents[4] / "core_records" / "reference" / "establishments.csv"
    assert packaged.read_text() == SHARED_ESTABLISHMENTS.read_text()


def test_require_prison_accepts_prisons_only() -> None:
    assert REFERENCE.require_prison("LEI").name == "Leeds"
    for code in ("LEEDMC", "RAMPTN", "NOPE"):
        with pytest.raises(UnknownReferenceCode, match=f"unknown prison code '{code}'"):
            REFERENCE.require_prison(code)


def test_require_agency_accepts_any_agency_or_prison() -> None:
    assert REFERENCE.require_agency("LEEDMC").agency_type == "CRT"
    assert REFERENCE.require_agency("SHEFCC").agency_type == "CRT"
    assert REFERENCE.require_agency("RAMPTN").agency_type == "HSHOSP"
    assert REFERENCE.require_agency("LEI").agency_type == PRISON
    with pytest.raises(UnknownReferenceCode) as raised:
        REFERENCE.require_agency("ZZZ")
    assert (raised.value.kind, raised.value.code) == ("agency", "ZZZ")


def test_agencies_cover_every_non_prison_type() -> None:
    types = {a.agency_type for a in REFERENCE.agencies.values()}
    assert types == {PRISON, "CRT", "COMM", "HSHOSP", "IMDC"}


def test_contracted_prisons_are_the_privately_run_ones() -> None:
    assert REFERENCE.is_contracted("ACI")
    assert REFERENCE.is_contracted("PRI")
    assert not REFERENCE.is_contracted("LEI")
    assert not REFERENCE.is_contracted("LEEDMC")
    assert not REFERENCE.is_contracted("NOPE")


def test_a_movement_reason_is_checked_against_its_movement_type() -> None:
    assert REFERENCE.require_movement_reason("ADM", "INT")
    assert REFERENCE.require_movement_reason("REL", "HP") == "Discharge to psychiatric hospital"
    with pytest.raises(UnknownReferenceCode, match="unknown REL movement reason code 'INT'"):
        REFERENCE.require_movement_reason("REL", "INT")


@pytest.mark.parametrize(
    ("movement_type", "codes"),
    [
        ("ADM", "N V I INT L B Y RECA F C E"),
        ("REL", "CR HR HU SC BL NG DS PF DD EX HP DEC ESCP UAL MRG"),
        ("TRN", "NOTR SEC MED COMP OVCROW PROD"),
        ("CRT", "CRT SENT TRIAL COM BAIL REM VL"),
        ("TAP", "C3 C4 C5 C6 R2 R3 RO ET PC"),
    ],
)
def test_every_movement_reason_in_the_domain_notes_is_known(movement_type: str, codes: str) -> None:
    known = {code for kind, code in REFERENCE.movement_reasons if kind == movement_type}
    assert set(codes.split()) == known


def test_alert_codes_belong_to_known_alert_types() -> None:
    assert set(REFERENCE.alert_types) == set("ACHLMOPRSTVWX")
    assert set(REFERENCE.alert_codes.values()) <= set(REFERENCE.alert_types)
    for code in ("HA", "XEL", "XSA", "XRF", "P0", "P1", "P2", "P3", "ROH", "ROM", "ROV"):
        assert REFERENCE.require_alert_code(code)
    assert REFERENCE.require_alert_code("XEL", "X") == "X"
    with pytest.raises(UnknownReferenceCode, match="alert type H alert code 'XEL'"):
        REFERENCE.require_alert_code("XEL", "H")
    with pytest.raises(UnknownReferenceCode):
        REFERENCE.require_alert_code("QQ")


def test_incentive_levels_and_legal_statuses_are_checked() -> None:
    assert set(REFERENCE.incentive_levels) == {"BAS", "ENT", "STD", "ENH", "EN2", "EN3"}
    assert REFERENCE.require_incentive_level("ENH") == "Enhanced"
    assert REFERENCE.require_legal_status("REMAND") == "Remand"
    with pytest.raises(UnknownReferenceCode, match="incentive level"):
        REFERENCE.require_incentive_level("GOLD")
    with pytest.raises(UnknownReferenceCode, match="legal status"):
        REFERENCE.require_legal_status("ON_HOLIDAY")


def test_reference_data_cannot_be_changed_in_place() -> None:
    with pytest.raises(TypeError):
        REFERENCE.agencies["XXI"] = REFERENCE.agencies["LEI"]  # type: ignore[index]
    with pytest.raises(AttributeError):
        REFERENCE.agencies = {}  # type: ignore[misc]


def test_the_csv_files_have_no_duplicate_keys() -> None:
    folder = Path(__file__).parents[4] / "core_records" / "reference"
    keys = {
        "establishments.csv": ("code",),
        "agencies.csv": ("code",),
        "movement_reasons.csv": ("movement_type", "code"),
        "alert_codes.csv": ("code",),
        "alert_types.csv": ("code",),
        "incentive_levels.csv": ("code",),
        "legal_statuses.csv": ("code",),
    }
    for name, columns in keys.items():
        with (folder / name).open() as handle:
            rows = [tuple(row[c] for c in columns) for row in csv.DictReader(handle)]
        assert len(rows) == len(set(rows)), name
