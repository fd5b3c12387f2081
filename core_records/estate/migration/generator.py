"""Realistic legacy extracts with dirt in known places, for tests, benchmarks and the demo.

``generate_extract(establishment, people, dirt, seed)`` returns the extract's text, the
people to put on record first (``on_record``: receptions, and releases, at another prison)
and which rows carry which dirt, so that a test can check every figure of a cleansing
report against what was generated. The same seed gives the same extract.

Clean rows never resemble each other or the people on record: names come from pools with
no two close by Jaro-Winkler or nickname, no two people share a date of birth, and people
of one surname are never a one-digit typo of each other's date of birth.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache

from rapidfuzz.distance import JaroWinkler

from core_records.commands import (
    InboundMessage,
    PersonName,
    PersonParticulars,
    RecordReception,
    RecordRelease,
)
from core_records.estate.migration.extract import COLUMNS
from core_records.identifiers import NOMS, PNC, Identifier, cro_check_letter, pnc_check_letter
from core_records.identity.matching import is_one_typo, nickname_forms


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


ELSEWHERE = "MDI"
"""Where the people on record were or are held (Moorland, a public prison)."""

_SURNAMES = _words(
    """
SMITH JONES TAYLOR BROWN WILLIAMS WILSON JOHNSON DAVIES PATEL WRIGHT ROBINSON WOOD
THOMPSON WHITE WALKER HUGHES EDWARDS GREEN HALL LEWIS HARRIS CLARKE JACKSON KING LEE
MARTIN MORRIS CLARK TURNER HILL COOPER WARD MORGAN BAKER YOUNG MOORE ALLEN PARKER KHAN
COLLINS BELL CHAPMAN MASON FOSTER RICHARDSON PRICE BENNETT GRIFFITHS MURPHY ELLIS CARTER
SHAW MITCHELL OWEN ROGERS POWELL RUSSELL HUNT FISHER GRAHAM HOLMES GIBSON LLOYD PEARSON
SIMPSON MARSHALL REYNOLDS STEVENS KNIGHT BUTLER BARNES MILLS WEBB FLETCHER ADAMS REID
PALMER STEWART DIXON KENNEDY HUSSAIN OKAFOR NOWAK KOWALSKI ODUYA MENSAH FERREIRA ALI
CAMPBELL ANDERSON SCOTT MACDONALD FRASER DOYLE BYRNE QUINN DUFFY BRENNAN FITZGERALD
"""
)
_FORENAMES = _words(
    """
JOHN DAVID MICHAEL PAUL MARK ANDREW PETER STEVEN JAMES ROBERT THOMAS GARY KEVIN LEE
DARREN WAYNE CRAIG SCOTT RYAN ADAM LIAM JORDAN CONNOR NATHAN KIERAN AARON JAMAL TARIQ
IMRAN KWAME OLUWASEUN PIOTR TOMASZ MIHAI BOGDAN HASSAN OMAR GRAHAM NEIL KEITH IAN COLIN
BARRY TREVOR DEAN SHANE CALLUM REECE KYLE LEWIS DECLAN PATRICK SEAN
"""
)
_ALIAS_SURNAMES = _words(
    """
ASHWORTH BRADSHAW CROWTHER DENTON EASTWOOD FAIRBROTHER GARSIDE HAMMOND INGHAM JESSOP
KERSHAW LOMAX MELLOR NUTTALL ORMEROD PILLING RAMSBOTTOM SUTCLIFFE TATTERSALL UTTLEY
VICKERS WHITWORTH YATES
"""
)
_ALERTS = ("HA", "XEL", "XSA", "P1", "VIP", "MFL", "C1", "RSS", "TAH", "SR")
_BANDS = ("BAS", "ENT", "STD", "STD", "STD", "ENH", "ENH")
_CATEGORIES = ("B", "C", "C", "C", "D", "YOI")
_UNKNOWN_CODES = ("incentive_band:SIL", "alert_flags:ZQ9", "incentive_band:GLD", "alert_flags:LDX")
"""Retired or local codes a LIDS prison used: (column, code)."""


@dataclass
class GeneratedExtract:
    """An extract, what to put on record before migrating it, and where its dirt is."""

    establishment: str
    text: str
    on_record: list[InboundMessage]
    rows: int
    dirt: dict[str, list[str]] = field(default_factory=dict)
    """LIDS numbers by kind: check-letter, unknown-code, matched, review, held-elsewhere,
    sentence-end-before-start, malformed, clean."""
    unknown_codes: dict[str, list[str]] = field(default_factory=dict)
    """The LIDS numbers that used each unknown code ("column:code")."""
    matched_to: dict[str, str] = field(default_factory=dict)
    """The prison number each matched or held row's person has on record, by LIDS number."""
    previous_without_prison: list[str] = field(default_factory=list)
    """The LIDS numbers of the well-formed rows with a previous number that does not name
    its prison (noted in the report, not recorded)."""


@dataclass(frozen=True)
class Dirt:
    """How many rows of each kind of dirt (the rest are clean)."""

    bad_check_letters: int = 0
    unknown_codes: int = 0
    duplicates_on_record: int = 0
    """Rows of people already on record (released), matched to them."""
    possible_matches: int = 0
    """Rows like someone on record, but not enough: held for review."""
    held_elsewhere: int = 0
    sentence_end_before_start: int = 0
    malformed: int = 0

    @classmethod
    def rates(
        cls, people: int, *, bad_check_letters: float, unknown_codes: float, duplicates: float
    ) -> Dirt:
        return cls(
            bad_check_letters=round(people * bad_check_letters),
            unknown_codes=round(people * unknown_codes),
            duplicates_on_record=round(people * duplicates),
        )


@cache
def _distinct(names: tuple[str, ...]) -> tuple[str, ...]:
    """``names`` without any too like one kept before (Jaro-Winkler 0.9, or a nickname)."""
    kept: list[str] = []
    for name in names:
        if all(
            JaroWinkler.similarity(name, other) < 0.9
            and not nickname_forms(name) & nickname_forms(other)
            for other in kept
        ):
            kept.append(name)
    return tuple(kept)


class _People:
    """Names and dates of birth no two generated people share."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.surnames = _distinct(tuple(_SURNAMES))
        self.forenames = _distinct(tuple(_FORENAMES))
        self.used_names: set[tuple[str, str]] = set()
        self.births: set[date] = set()
        self.births_by_surname: dict[str, list[date]] = {}

    def name(self, surname: str | None = None) -> tuple[str, str]:
        while True:
            pair = (surname or self.rng.choice(self.surnames), self.rng.choice(self.forenames))
            if pair not in self.used_names:
                self.used_names.add(pair)
                return pair

    def born(self, surname: str) -> date:
        same = self.births_by_surname.setdefault(surname, [])
        while True:
            day = date(1950, 1, 1) + timedelta(days=self.rng.randrange(20_000))
            if day not in self.births and not any(is_one_typo(day, d) for d in same):
                self.births.add(day)
                same.append(day)
                return day


def generate_extract(
    establishment: str, people: int, dirt: Dirt, seed: int = 1
) -> GeneratedExtract:
    """An extract of ``people`` rows for ``establishment`` with ``dirt`` in random rows."""
    rng = random.Random(seed)
    pool = _People(rng)
    kinds = (
        ["check-letter"] * dirt.bad_check_letters
        + ["unknown-code"] * dirt.unknown_codes
        + ["matched"] * dirt.duplicates_on_record
        + ["review"] * dirt.possible_matches
        + ["held-elsewhere"] * dirt.held_elsewhere
        + ["sentence-end-before-start"] * dirt.sentence_end_before_start
        + ["malformed"] * dirt.malformed
    )
    if len(kinds) > people:
        raise ValueError(f"{len(kinds)} dirty rows do not fit in {people}")
    kinds += ["clean"] * (people - len(kinds))
    rng.shuffle(kinds)
    generated = GeneratedExtract(establishment, "", [], people)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for index, kind in enumerate(kinds):
        lids = f"{chr(65 + index // 10_000 % 26)}{chr(65 + seed % 26)}{index % 10_000:04d}"
        values = _row(rng, pool, establishment, lids, index, kind, generated)
        generated.dirt.setdefault(kind, []).append(lids)
        if kind == "malformed":
            writer.writerow(values[:-3])
        else:
            writer.writerow(values)
    generated.text = out.getvalue()
    return generated


def _pnc(serial: int, year: int = 2004) -> str:
    return f"{year}/{serial:07d}{pnc_check_letter(year, serial)}"


def _cro(serial: int, year: str = "03") -> str:
    return f"{serial:06d}/{year}{cro_check_letter(str(serial), year)}"


def _row(
    rng: random.Random,
    pool: _People,
    establishment: str,
    lids: str,
    index: int,
    kind: str,
    generated: GeneratedExtract,
) -> list[str]:
    surname, forenames = pool.name()
    born = pool.born(surname)
    received = date(2024, 1, 1) + timedelta(days=rng.randrange(600))
    sentenced = rng.random() < 0.7
    start = received + timedelta(days=rng.randrange(60)) if sentenced else None
    end = start + timedelta(days=rng.randrange(180, 3000)) if start else None
    key_dates = f"CRD={start + (end - start) / 2}" if start and end else ""
    pnc = _pnc(100_000 + index) if rng.random() < 0.6 else ""
    cro = _cro(200_000 + index) if rng.random() < 0.4 else ""
    band, alerts = rng.choice(_BANDS), rng.sample(_ALERTS, rng.randrange(3))
    aliases = ""
    if rng.random() < 0.15:
        aliases = f"{rng.choice(_ALIAS_SURNAMES)}{index}/{forenames}"
    if kind == "check-letter":
        pnc = _pnc(100_000 + index)
        pnc = pnc[:-1] + ("A" if pnc[-1] != "A" else "B")
    elif kind == "unknown-code":
        column, code = rng.choice(_UNKNOWN_CODES).split(":")
        if column == "incentive_band":
            band = code
        else:
            alerts = [*alerts, code]
        name = "incentive band" if column == "incentive_band" else "alert"
        generated.unknown_codes.setdefault(f"{name}:{code}", []).append(lids)
    elif kind == "sentence-end-before-start":
        start = received + timedelta(days=5)
        end, key_dates = start - timedelta(days=30), ""
    elif kind in ("matched", "review", "held-elsewhere"):
        pnc, cro, aliases = _on_record(
            rng, pool, generated, lids, index, kind, surname, forenames, born
        )
    values = [
        establishment, lids, surname, forenames, aliases, born.isoformat(),
        "M", cro, pnc, f"{rng.choice('ABCDEF')}-{rng.randrange(1, 5)}-{rng.randrange(1, 40):03d}",
        band, rng.choice(_CATEGORIES), rng.choice(("Active-In",) * 9 + ("Active-Out",)),
        received.isoformat(), start.isoformat() if start else "", end.isoformat() if end else "",
        key_dates, _previous_number(rng, index), ";".join(alerts), str(rng.randrange(0, 20_000)),
    ]  # fmt: skip
    if kind == "malformed":
        values[5] = "31/02/1980"
    elif values[_PREVIOUS] and "/" not in values[_PREVIOUS]:
        generated.previous_without_prison.append(lids)
    return values


_PREVIOUS = COLUMNS.index("previous_prison_numbers")


def _previous_number(rng: random.Random, index: int) -> str:
    """One row in twenty has a previous LIDS number: half say which prison issued it, as the
    extract should (Moorland's), and half do not, as legacy data often does not."""
    if rng.random() >= 0.05:
        return ""
    number = f"Z{chr(65 + index % 26)}{index % 10_000:04d}"
    return f"{ELSEWHERE}/{number}" if index % 2 else number


def _on_record(
    rng: random.Random,
    pool: _People,
    generated: GeneratedExtract,
    lids: str,
    index: int,
    kind: str,
    surname: str,
    forenames: str,
    born: date,
) -> tuple[str, str, str]:
    """Put the row's person on record first; the row's PNC, CRO and aliases."""
    number = f"Y{index % 10_000:04d}{chr(65 + index // 10_000 % 26)}Z"
    generated.matched_to[lids] = number
    known_forenames = forenames
    pnc = ""
    if kind == "review":
        # The same surname and date of birth, another forename: a person must decide.
        _, known_forenames = pool.name(surname)
    if kind == "held-elsewhere":
        pnc = _pnc(500_000 + index, 1999)
    identifiers = [Identifier(NOMS, number)] + ([Identifier(PNC, pnc)] if pnc else [])
    at = datetime(2023, 6, 1, 9, tzinfo=UTC) + timedelta(hours=index)
    reception = RecordReception(
        person=PersonParticulars(
            tuple(identifiers), PersonName(surname, known_forenames), born, "M"
        ),
        establishment=ELSEWHERE,
        reason_code="N",
        occurred_at=at,
    )
    commands: list[RecordReception | RecordRelease] = [reception]
    if kind != "held-elsewhere":
        commands.append(
            RecordRelease((Identifier(NOMS, number),), ELSEWHERE, "BL", at + timedelta(days=30))
        )
    generated.on_record.append(
        InboundMessage(
            message_id=f"on-record-{generated.establishment}-{lids}",
            correlation_id=f"on-record-{generated.establishment}-{lids}",
            adapter="private_prisons",
            message_type="reception",
            partner=None,
            received_at=at,
            commands=tuple(commands),
        )
    )
    return pnc, "", ""
