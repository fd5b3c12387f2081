"""The legacy extract: one CSV row per person a LIDS prison holds, read and checked.

The format (``COLUMNS``, documented in ``docs/legacy-extract.md``) follows what a LIDS
extract carries (DOMAIN.md, "The legacy estate and deployment"). Reading is pure: each line
becomes an ``ExtractLine`` holding either a ``LegacyRow`` or the reason it could not be
read, and ``check_row`` lists what makes a readable row unfit to load (a failed check
letter, an unknown or retired code, a sentence ending before it starts, another prison's
row). Nothing here touches the store.

A row's key is its LIDS number, its establishment and the hash of its values: the same row
read again has the same key, an edited row has another.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from core_records.errors import InvalidIdentifier
from core_records.identifiers import parse_cro_number, parse_lids_number, parse_pnc_id

COLUMNS = (
    "establishment",
    "lids_number",
    "surname",
    "forenames",
    "aliases",
    "date_of_birth",
    "gender",
    "cro",
    "pnc",
    "location",
    "incentive_band",
    "security_category",
    "custody_status",
    "first_reception_date",
    "sentence_start",
    "sentence_end",
    "key_dates",
    "previous_prison_numbers",
    "alert_flags",
    "balance_pence",
)
"""The extract's columns, in order, under a header line naming them."""

CUSTODY_STATUSES = ("Active-In", "Active-Out")
"""Active-Out: away at court or on temporary absence, still held."""
SECURITY_CATEGORIES = ("A", "B", "C", "D", "YOI", "RESTRICTED", "OPEN", "CLOSED", "U")
GENDERS = {"M": "M", "F": "F", "U": "NK", "NK": "NK", "NS": "NS"}
"""LIDS gender codes to the record's sex codes."""

_LIDS_NUMBER = re.compile(r"[A-Z]{2}[0-9]{4}")

# Kinds of finding: the columns of the report and the reasons a row is refused.
MALFORMED = "malformed"
CHECK_LETTER = "check-letter"
UNKNOWN_CODE = "unknown-code"
SENTENCE_END_BEFORE_START = "sentence-end-before-start"
HELD_ELSEWHERE = "held-elsewhere"
ALREADY_HERE = "already-held-here"
OTHER_PRISON = "other-prison"
ALREADY_LOADED = "already-loaded"
REFUSED_BY_RECORD = "refused-by-record"
PREVIOUS_WITHOUT_PRISON = "previous-number-without-prison"
"""A note, not a refusal: the row loads, without that previous number (``unscoped_notes``)."""


@dataclass(frozen=True)
class LegacyRow:
    """One person as the legacy extract describes them, in the record's terms."""

    establishment: str
    lids_number: str
    surname: str
    forenames: str
    aliases: tuple[tuple[str, str], ...]
    """(surname, forenames) of each alias."""
    date_of_birth: date
    sex: str
    cro: str
    pnc: str
    location: str
    incentive_band: str
    security_category: str
    custody_status: str
    first_reception_date: date
    sentence_start: date | None
    sentence_end: date | None
    key_dates: tuple[tuple[str, date], ...]
    previous_prison_numbers: tuple[str, ...]
    alert_flags: tuple[str, ...]
    balance_pence: int


@dataclass(frozen=True)
class Finding:
    """Something wrong with a row: its kind, the value at fault (a code, an identifier)
    and the reason in words."""

    kind: str
    value: str
    reason: str


@dataclass(frozen=True)
class ExtractLine:
    """One data line of the extract: the row read from it, or why it could not be."""

    line_number: int
    lids_number: str
    """As written (perhaps empty, on a malformed line)."""
    row_hash: str
    row: LegacyRow | None = None
    malformed: Finding | None = None
    raw: tuple[str, ...] = field(default=())


def read_extract(text: str) -> Iterator[ExtractLine]:
    """The data lines of an extract's ``text`` (header first), in order; a line that cannot
    be read is yielded with its reason, never raised."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != COLUMNS:
        raise ValueError(f"the extract's header must be: {','.join(COLUMNS)}")
    for values in reader:
        if not values or not any(v.strip() for v in values):
            continue
        yield read_line(reader.line_num, tuple(values))


def row_hash(values: tuple[str, ...]) -> str:
    return hashlib.sha256("\x1f".join(v.strip() for v in values).encode()).hexdigest()[:32]


def read_line(line_number: int, values: tuple[str, ...]) -> ExtractLine:
    digest = row_hash(values)
    lids = values[1].strip().upper() if len(values) > 1 else ""
    if len(values) != len(COLUMNS):
        reason = f"{len(values)} fields, expected {len(COLUMNS)}"
        return ExtractLine(line_number, lids, digest, malformed=_malformed(reason), raw=values)
    try:
        row = _parse(dict(zip(COLUMNS, (v.strip() for v in values), strict=True)))
    except ValueError as error:
        return ExtractLine(line_number, lids, digest, malformed=_malformed(str(error)), raw=values)
    return ExtractLine(line_number, row.lids_number, digest, row=row, raw=values)


def _malformed(reason: str) -> Finding:
    return Finding(MALFORMED, "", f"malformed line: {reason}")


def _parse(field_of: dict[str, str]) -> LegacyRow:
    lids = field_of["lids_number"].upper()
    if not _LIDS_NUMBER.fullmatch(lids):
        raise ValueError(f"LIDS number {lids!r} is not two letters and four digits")
    if not field_of["surname"] or not field_of["forenames"]:
        raise ValueError("surname and forenames are required")
    sex = GENDERS.get(field_of["gender"].upper())
    if sex is None:
        raise ValueError(f"gender {field_of['gender']!r} is not one of {', '.join(GENDERS)}")
    return LegacyRow(
        establishment=field_of["establishment"].upper(),
        lids_number=lids,
        surname=field_of["surname"].upper(),
        forenames=" ".join(field_of["forenames"].upper().split()),
        aliases=tuple(_alias(a) for a in _listed(field_of["aliases"])),
        date_of_birth=_date("date_of_birth", field_of["date_of_birth"]),
        sex=sex,
        cro=field_of["cro"].upper(),
        pnc=field_of["pnc"].upper(),
        location=field_of["location"],
        incentive_band=field_of["incentive_band"].upper(),
        security_category=field_of["security_category"].upper(),
        custody_status=field_of["custody_status"],
        first_reception_date=_date("first_reception_date", field_of["first_reception_date"]),
        sentence_start=_optional_date("sentence_start", field_of["sentence_start"]),
        sentence_end=_optional_date("sentence_end", field_of["sentence_end"]),
        key_dates=tuple(_key_date(k) for k in _listed(field_of["key_dates"])),
        previous_prison_numbers=tuple(
            p.upper() for p in _listed(field_of["previous_prison_numbers"])
        ),
        alert_flags=tuple(a.upper() for a in _listed(field_of["alert_flags"])),
        balance_pence=_pence(field_of["balance_pence"]),
    )


def _listed(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def _alias(text: str) -> tuple[str, str]:
    surname, _, forenames = text.partition("/")
    if not surname.strip() or not forenames.strip():
        raise ValueError(f"alias {text!r} is not SURNAME/FORENAMES")
    return surname.strip().upper(), " ".join(forenames.upper().split())


def _key_date(text: str) -> tuple[str, date]:
    code, _, when = text.partition("=")
    return code.strip().upper(), _date(f"key date {code.strip()}", when)


def _date(name: str, text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{name} {text!r} is not a date (YYYY-MM-DD)") from None


def _optional_date(name: str, text: str) -> date | None:
    return _date(name, text) if text.strip() else None


def _pence(text: str) -> int:
    if not text.strip():
        return 0
    if not text.strip().isdigit():
        raise ValueError(f"balance {text!r} is not a whole number of pence")
    return int(text)


def check_row(
    row: LegacyRow,
    establishment: str,
    *,
    alert_codes: frozenset[str],
    incentive_levels: frozenset[str],
    key_date_codes: frozenset[str],
) -> list[Finding]:
    """What makes ``row`` unfit to load into ``establishment``, first things first (empty
    when it may be loaded). Codes are checked against the record's reference data."""
    findings: list[Finding] = []
    if row.establishment != establishment:
        findings.append(
            Finding(
                OTHER_PRISON,
                row.establishment,
                f"a row of {row.establishment}, not {establishment}",
            )
        )
    for value, parse in (
        (row.pnc, parse_pnc_id),
        (row.cro, parse_cro_number),
        # A previous number naming its prison is recorded, so it must be well formed.
        *((p, parse_lids_number) for p in row.previous_prison_numbers if "/" in p),
    ):
        if value:
            try:
                parse(value)
            except InvalidIdentifier as error:
                findings.append(Finding(CHECK_LETTER, value, str(error)))
    codes = [
        ("incentive band", row.incentive_band, row.incentive_band in incentive_levels),
        ("custody status", row.custody_status, row.custody_status in CUSTODY_STATUSES),
        ("security category", row.security_category, row.security_category in SECURITY_CATEGORIES),
        *(("alert", a, a in alert_codes) for a in row.alert_flags),
        *(("key date", c, c in key_date_codes) for c, _ in row.key_dates),
    ]
    findings.extend(
        Finding(UNKNOWN_CODE, f"{name}:{code}", f"unknown or retired {name} code {code}")
        for name, code, known in codes
        if not known
    )
    if row.sentence_start and row.sentence_end and row.sentence_end < row.sentence_start:
        findings.append(
            Finding(
                SENTENCE_END_BEFORE_START,
                f"{row.sentence_start}..{row.sentence_end}",
                f"sentence ends {row.sentence_end}, before it starts {row.sentence_start}",
            )
        )
    return findings


def unscoped_notes(row: LegacyRow) -> tuple[Finding, ...]:
    """A note for each previous prison number written without its prison (``AB1234``): the
    row loads, but the number is not recorded, since it could be any prison's; the migration
    team can put the prison in front of it and rerun (see docs/legacy-extract.md)."""
    return tuple(
        Finding(
            PREVIOUS_WITHOUT_PRISON,
            number,
            f"previous number {number} does not say which prison's LIDS issued it: not"
            " recorded; write it PRISON/NUMBER (WWI/AB1234) to keep it",
        )
        for number in row.previous_prison_numbers
        if "/" not in number
    )
