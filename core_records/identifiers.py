"""Identifiers of a person: parsing to canonical form and validation of check letters.

See ../shared/DOMAIN.md, "Identifiers". Every parser strips surrounding space, accepts lower
case, and returns the canonical form or raises ``InvalidIdentifier`` naming what was wrong.

    prison number   A1234BC               letter, 4 digits, 2 letters
    PNC id          2001/0023456K         4-digit year / 7-digit serial + check letter
    CRO number      012345/99N            6-digit serial / 2-digit year + check letter
                    SF01/12345N           fingerprint form: SF + year / serial + check
    CRN             X757129               letter, 6 digits
    LIDS number     LEI/AL9692            issuing prison's code / 2 letters, 4 digits
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from core_records.errors import InvalidIdentifier

CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
"""23 letters (no I, O or S): the check letter of a number is ``CHECK_LETTERS[n % 23]``."""

NOMS = "NOMS"
PNC = "PNC"
CRO = "CRO"
CRN = "CRN"
BOOKING = "BOOKING"
LOCAL = "LOCAL"
LIDS = "LIDS"
"""A legacy prison number, written ``PRISON/NUMBER`` (``LEI/AL9692``): see ``lids_number``."""
OTHER_TYPES = frozenset({"SPNC", "NINO", "PASS", "DL", "HOREF", "LIDS", "HMPS", "NPD", "MERGED"})


@dataclass(frozen=True, order=True)
class Identifier:
    """A typed identifier in canonical form, e.g. ``Identifier("NOMS", "A1234BC")``.

    Types: NOMS (prison number), PNC, CRO, CRN, BOOKING (book number), LOCAL (a
    private-prison system's own id, written ``operator:local-id``), and the other types NOMIS
    records (SPNC, NINO, PASS, DL, HOREF, LIDS, HMPS, NPD, MERGED). A LIDS number is
    always qualified by the prison whose system issued it (``LEI/AL9692``).
    """

    type: str
    value: str


def check_letter(number: int) -> str:
    return CHECK_LETTERS[number % 23]


_PRISON_NUMBER = re.compile(r"[A-Z][0-9]{4}[A-Z]{2}")
_CRN = re.compile(r"[A-Z][0-9]{6}")
_BOOK_NUMBER = re.compile(r"[0-9]{1,6}[A-Z]")
_LIDS_NUMBER = re.compile(r"[A-Z]{2}[0-9]{4}")
_PRISON_CODE = re.compile(r"[A-Z]{3,4}")
_PNC_WITH_SLASH = re.compile(r"(?P<year>[0-9]{4}|[0-9]{2})/(?P<serial>[0-9]{1,7})(?P<check>[A-Z])")
_PNC_NO_SLASH = re.compile(r"(?P<digits>[0-9]{3,11})(?P<check>[A-Z])")
_CRO_STANDARD = re.compile(r"(?P<serial>[0-9]{1,6})/(?P<year>[0-9]{2})(?P<check>[A-Z])")
_CRO_FINGERPRINT = re.compile(r"SF(?P<year>[0-9]{2})/(?P<serial>[0-9]{1,6})(?P<check>[A-Z])")


def _clean(text: str) -> str:
    return text.strip().upper()


def parse_prison_number(text: str) -> str:
    value = _clean(text)
    if not _PRISON_NUMBER.fullmatch(value):
        raise InvalidIdentifier(
            "prison number", text, "expected a letter, 4 digits and 2 letters, like A1234BC"
        )
    return value


def parse_crn(text: str) -> str:
    value = _clean(text)
    if not _CRN.fullmatch(value):
        raise InvalidIdentifier("CRN", text, "expected a letter and 6 digits, like X757129")
    return value


def parse_book_number(text: str) -> str:
    value = _clean(text)
    if not _BOOK_NUMBER.fullmatch(value):
        raise InvalidIdentifier(
            "book number", text, "expected up to 6 digits and a letter, like 51132A"
        )
    return value


def lids_number(prison: str, number: str) -> str:
    """The canonical LIDS number ``PRISON/NUMBER`` of ``number`` as the LIDS of ``prison``
    issued it.

    A legacy prison number is local to the one prison's system that issued it: Leeds and
    Wandsworth may each have an AL9692, and they are two people. So the number is only ever
    recorded, and looked up, together with its prison.
    """
    return parse_lids_number(f"{prison.strip()}/{number.strip()}")


def parse_lids_number(text: str) -> str:
    """Canonical ``PRISON/NUMBER`` (``LEI/AL9692``). A number without its prison is refused:
    it could name a different person at each prison that issued it."""
    value = _clean(text)
    prison, slash, number = (part.strip() for part in value.partition("/"))
    if not slash:
        raise InvalidIdentifier(
            "LIDS number",
            text,
            "expected the issuing prison's code and the number, like LEI/AL9692: a legacy"
            " number is local to the prison whose system issued it",
        )
    if not _PRISON_CODE.fullmatch(prison):
        raise InvalidIdentifier(
            "LIDS number", text, f"{prison!r} is not a prison code (three letters, like LEI)"
        )
    if not _LIDS_NUMBER.fullmatch(number):
        raise InvalidIdentifier(
            "LIDS number", text, f"{number!r} is not two letters and four digits, like AL9692"
        )
    return f"{prison}/{number}"


def pnc_check_letter(year: int, serial: int) -> str:
    """The PNC check letter for a four-digit ``year`` and a serial number."""
    return check_letter(int(f"{year % 100:02d}{serial:07d}"))


def _four_digit_year(two_digits: str, today: date) -> int:
    yy = int(two_digits)
    return 2000 + yy if yy <= today.year % 100 else 1900 + yy


FIRST_PNC_YEAR = 1900
"""No PNC id has an earlier year: a two-digit year means 19YY at the earliest. Refusing
years such as 0100 also stops nonsense readings making a slashless form look ambiguous."""


def _pnc_candidate(year: int, serial: str, check: str, today: date) -> str | None:
    if not 1 <= len(serial) <= 7 or not FIRST_PNC_YEAR <= year <= today.year:
        return None
    if pnc_check_letter(year, int(serial)) != check:
        return None
    return f"{year:04d}/{int(serial):07d}{check}"


def parse_pnc_id(text: str, *, today: date | None = None) -> str:
    """Canonical ``YYYY/NNNNNNNC`` from any accepted form.

    A two-digit year means 20YY up to this year's last two digits, else 19YY. Without the
    slash the year and serial run together; every split whose check letter agrees is tried,
    and a form that two different PNC ids would both fit is refused as ambiguous.
    """
    today = today or date.today()
    value = _clean(text)
    match = _PNC_WITH_SLASH.fullmatch(value)
    if match:
        raw_year, serial, check = match["year"], match["serial"], match["check"]
        year = int(raw_year) if len(raw_year) == 4 else _four_digit_year(raw_year, today)
        if year > today.year:
            raise InvalidIdentifier("PNC id", text, f"the year {year} is in the future")
        if year < FIRST_PNC_YEAR:
            raise InvalidIdentifier("PNC id", text, f"the year {year} is before {FIRST_PNC_YEAR}")
        if pnc_check_letter(year, int(serial)) != check:
            expected = pnc_check_letter(year, int(serial))
            raise InvalidIdentifier(
                "PNC id", text, f"the check letter should be {expected}, not {check}"
            )
        return f"{year:04d}/{int(serial):07d}{check}"
    match = _PNC_NO_SLASH.fullmatch(value)
    if match:
        digits, check = match["digits"], match["check"]
        candidates = set()
        for year_length in (4, 2):
            if len(digits) <= year_length:
                continue
            raw_year, serial = digits[:year_length], digits[year_length:]
            year = int(raw_year) if year_length == 4 else _four_digit_year(raw_year, today)
            candidate = _pnc_candidate(year, serial, check, today)
            if candidate:
                candidates.add(candidate)
        if len(candidates) == 1:
            return candidates.pop()
        if len(candidates) > 1:
            raise InvalidIdentifier(
                "PNC id", text, "ambiguous without a slash between year and serial"
            )
        raise InvalidIdentifier(
            "PNC id", text, "no reading of year and serial matches the check letter"
        )
    raise InvalidIdentifier("PNC id", text, "expected YYYY/NNNNNNNC, like 2001/0023456K")


def cro_check_letter(serial: str, year: str, *, fingerprint: bool = False) -> str:
    """The CRO check letter. ``serial`` as written for the SF form, padded to 6 otherwise."""
    digits = serial if fingerprint else f"{int(serial):06d}"
    return check_letter(int(f"{year}{digits}"))


def parse_cro_number(text: str) -> str:
    """Canonical ``NNNNNN/YYC``, or ``SFYY/NNNNNNC`` for the fingerprint form."""
    value = _clean(text)
    match = _CRO_STANDARD.fullmatch(value)
    if match:
        serial, year, check = match["serial"], match["year"], match["check"]
        expected = cro_check_letter(serial, year)
        if expected != check:
            raise InvalidIdentifier(
                "CRO number", text, f"the check letter should be {expected}, not {check}"
            )
        return f"{int(serial):06d}/{year}{check}"
    match = _CRO_FINGERPRINT.fullmatch(value)
    if match:
        serial, year, check = match["serial"], match["year"], match["check"]
        expected = cro_check_letter(serial, year, fingerprint=True)
        if expected != check:
            raise InvalidIdentifier(
                "CRO number", text, f"the check letter should be {expected}, not {check}"
            )
        return f"SF{year}/{serial}{check}"
    raise InvalidIdentifier(
        "CRO number", text, "expected NNNNNN/YYC or SFYY/NNNNNNC, like 012345/99N"
    )


def parse_identifier(identifier_type: str, value: str, *, today: date | None = None) -> Identifier:
    """An ``Identifier`` of the given type in canonical form."""
    kind = identifier_type.strip().upper()
    if kind == NOMS:
        return Identifier(NOMS, parse_prison_number(value))
    if kind == PNC:
        return Identifier(PNC, parse_pnc_id(value, today=today))
    if kind == CRO:
        return Identifier(CRO, parse_cro_number(value))
    if kind == CRN:
        return Identifier(CRN, parse_crn(value))
    if kind == BOOKING:
        return Identifier(BOOKING, parse_book_number(value))
    if kind == LOCAL:
        operator, _, local = (part.strip() for part in value.partition(":"))
        if not operator or not local:
            raise InvalidIdentifier("local id", value, "expected operator:local-id")
        return Identifier(LOCAL, f"{operator.lower()}:{local}")
    if kind == LIDS:
        return Identifier(LIDS, parse_lids_number(value))
    if kind in OTHER_TYPES:
        cleaned = value.strip().upper()
        if not cleaned:
            raise InvalidIdentifier(kind, value, "empty")
        return Identifier(kind, cleaned)
    raise InvalidIdentifier("identifier type", identifier_type, "not a type Gatehouse records")
