"""Plausible people for simulated operator traffic: British names, dates of birth, and
identifiers with correct check letters (computed with ``core_records.identifiers``).

Deterministic for a given ``random.Random``, so that a seed reproduces a whole run.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable
from datetime import date, timedelta

from adapters.private_prisons.messages import Alias, OperatorPerson
from core_records.identifiers import (
    Identifier,
    cro_check_letter,
    parse_identifier,
    pnc_check_letter,
)

SURNAMES = (
    "SMITH", "JONES", "WILLIAMS", "TAYLOR", "BROWN", "DAVIES", "EVANS", "WILSON", "THOMAS",
    "JOHNSON", "ROBERTS", "ROBINSON", "THOMPSON", "WRIGHT", "WALKER", "WHITE", "EDWARDS",
    "HUGHES", "GREEN", "HALL", "LEWIS", "HARRIS", "CLARKE", "PATEL", "JACKSON", "WOOD",
    "TURNER", "MARTIN", "COOPER", "HILL", "WARD", "MORRIS", "MOORE", "CLARK", "LEE", "KING",
    "BAKER", "HARRISON", "MORGAN", "ALLEN", "JAMES", "SCOTT", "PHILLIPS", "WATSON", "DAVIS",
    "PARKER", "PRICE", "BENNETT", "YOUNG", "GRIFFITHS", "MITCHELL", "KELLY", "COOK", "CARTER",
    "RICHARDSON", "BAILEY", "COLLINS", "BELL", "SHAW", "MURPHY", "MILLER", "COX", "RICHARDS",
    "KHAN", "MARSHALL", "ANDERSON", "SIMPSON", "ELLIS", "ADAMS", "SINGH", "BEGUM", "AHMED",
    "HUSSAIN", "ALI", "O'BRIEN", "O'CONNOR", "MCDONALD", "FRASER", "OKAFOR", "MENSAH",
    "NOWAK", "KOWALSKI", "SMITH-JONES", "ASHWORTH", "BARRACLOUGH", "HOLROYD", "PRITCHARD",
)  # fmt: skip

MALE_FORENAMES = (
    "JOHN", "DAVID", "MICHAEL", "PAUL", "ANDREW", "MARK", "JAMES", "STEVEN", "ROBERT", "PETER",
    "RICHARD", "DANIEL", "CHRISTOPHER", "MATTHEW", "LEE", "CRAIG", "DEAN", "WAYNE", "JASON",
    "CONNOR", "KYLE", "JORDAN", "LIAM", "RYAN", "JACK", "THOMAS", "JOSHUA", "CALLUM",
    "MOHAMMED", "ADAM", "TYRONE", "KIERAN", "GARETH", "RHYS", "AARON", "SEAN", "DECLAN",
)  # fmt: skip

FEMALE_FORENAMES = (
    "SARAH", "EMMA", "LAURA", "GEMMA", "KELLY", "CLAIRE", "NICOLA", "DONNA", "AMY", "LISA",
    "JADE", "CHLOE", "CHANTELLE", "STACEY", "KAREN", "JOANNE", "MICHELLE", "SHANNON", "ZOE",
    "AISHA", "LEANNE", "TRACEY", "REBECCA", "HANNAH", "SAMANTHA", "DANIELLE",
)  # fmt: skip

_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def forenames(rng: random.Random, sex: str) -> str:
    """One to three forenames, separated by single spaces."""
    pool = FEMALE_FORENAMES if sex == "F" else MALE_FORENAMES
    count = rng.choices((1, 2, 3), weights=(55, 40, 5))[0]
    return " ".join(rng.sample(pool, count))


def date_of_birth(rng: random.Random, today: date) -> date:
    """Ages 18 to 75, most people in their late twenties to early forties."""
    age_days = int(rng.triangular(18, 75, 31) * 365.25)
    return today - timedelta(days=age_days)


def prison_number(rng: random.Random) -> str:
    """A prison number in the A or G series (no check letter to get right)."""
    digits = rng.randrange(10_000)
    return f"{rng.choice('AG')}{digits:04d}{rng.choice(_LETTERS)}{rng.choice(_LETTERS)}"


PARTITIONS = 32
"""Serial numbers are split between operators by their remainder modulo this, so that two
operators' simulators never issue the same PNC id or CRO number."""


class IdentifierIssuer:
    """Issues one operator's simulated PNC ids and CRO numbers, each at most once.

    Real ones are unique, and two simulated people sharing one would be (rightly) taken for
    the same person by the store. Deterministic for a given random generator.
    """

    def __init__(self, operator: str) -> None:
        self.partition = zlib.crc32(operator.encode()) % PARTITIONS
        self._issued: set[Identifier] = set()

    def _serial(self, rng: random.Random, limit: int) -> int:
        return rng.randrange(1, limit // PARTITIONS) * PARTITIONS + self.partition

    def _unique(self, identifier_type: str, issue: Callable[[], str]) -> str:
        while True:
            value = issue()
            canonical = parse_identifier(identifier_type, value)
            if canonical not in self._issued:
                self._issued.add(canonical)
                return value

    def pnc_id(self, rng: random.Random, born: date, today: date) -> str:
        """A PNC id created at an age of 12 or more, sometimes written with a two-digit year."""

        def issue() -> str:
            year = rng.randint(max(born.year + 12, 1975), today.year)
            serial = self._serial(rng, 1_000_000)
            check = pnc_check_letter(year, serial)
            if year < 2000 and rng.random() < 0.2:
                return f"{year % 100:02d}/{serial}{check}"
            return f"{year:04d}/{serial:07d}{check}"

        return self._unique("PNC", issue)

    def cro_number(self, rng: random.Random, born: date, today: date) -> str:
        """A CRO number, one in ten in the fingerprint (SF) form."""

        def issue() -> str:
            year = f"{rng.randint(max(born.year + 12, 1975), today.year) % 100:02d}"
            serial = str(self._serial(rng, 1_000_000))
            if rng.random() < 0.1:
                return f"SF{year}/{serial}{cro_check_letter(serial, year, fingerprint=True)}"
            return f"{int(serial):06d}/{year}{cro_check_letter(serial, year)}"

        return self._unique("CRO", issue)


def make_person(
    rng: random.Random,
    *,
    local_id: str,
    sex: str,
    today: date,
    known_to_prisons: bool,
    issuer: IdentifierIssuer,
) -> OperatorPerson:
    """A new person; ``known_to_prisons`` people arrive with a prison number already."""
    born = date_of_birth(rng, today)
    surname = rng.choice(SURNAMES)
    aliases = ()
    if rng.random() < 0.15:
        aliases = (Alias(rng.choice(SURNAMES), forenames(rng, sex)),)
    return OperatorPerson(
        local_id=local_id,
        surname=surname,
        forenames=forenames(rng, sex),
        date_of_birth=born,
        sex=sex,
        prison_number=prison_number(rng) if known_to_prisons else None,
        pnc_id=issuer.pnc_id(rng, born, today) if rng.random() < 0.9 else None,
        cro_number=issuer.cro_number(rng, born, today) if rng.random() < 0.6 else None,
        aliases=aliases,
    )
