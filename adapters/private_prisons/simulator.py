"""Realistic operator traffic for the demo and the benchmark.

``OperatorSimulator`` plays one operator's system: it makes up people and writes their lives
as documents that validate against the v1 schemas: received, perhaps transferred, released,
perhaps received again; and, when asked for (the demo does), now and then a non-association
between two people it holds, later closed. A seed reproduces a whole run. Codes used here
are all in the store's reference data (a test holds it to that).
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from adapters.private_prisons.messages import MessageHeader, Movement, OperatorMessage
from adapters.private_prisons.messages import OperatorPerson as Person
from adapters.private_prisons.simulated_people import IdentifierIssuer, make_person
from adapters.private_prisons.writing import write_message, write_non_association

FEMALE_PRISONS = frozenset({"BZI", "PFI", "AGI", "DHI", "DWI", "EWI", "FHI", "LNI", "NHI", "STI"})
PUBLIC_PRISONS = {
    "M": ("LEI", "MDI", "BMI", "MRI", "LPI", "DMI", "PVI", "WWI", "HMI", "NMI"),
    "F": ("NHI", "STI", "EWI", "DWI", "LNI", "FHI"),
}
COURTS = ("LEEDMC", "LEEDCC", "SHEFMC", "SHEFCC", "BRMGMC", "BRMGCC", "MNCHCC", "LVRPCC")
HOSPITALS = ("RAMPTN", "BROADM", "ASHWTH")
REMOVAL_CENTRES = ("HRMIRC", "CLNIRC", "BRKIRC")

ADMISSION_REASONS = {"N": 45, "V": 14, "I": 25, "F": 2, "E": 2, "C": 1}
READMISSION_REASONS = {"L": 50, "B": 10, "N": 20, "I": 15, "RECA": 5}
TRANSFER_REASONS = {"NOTR": 70, "OVCROW": 10, "SEC": 8, "MED": 5, "COMP": 3, "PROD": 4}
RELEASE_REASONS = {
    "CR": 40, "SC": 15, "HR": 8, "BL": 10, "NG": 5, "DS": 4, "PF": 1,
    "DD": 3, "EX": 0.5, "HP": 1, "DEC": 0.7, "ESCP": 0.3, "UAL": 1.5,
}  # fmt: skip
NOT_COMING_BACK = frozenset({"DEC", "DD", "EX"})
NON_ASSOCIATION_REASONS = {"VIC": 30, "PER": 10, "RIV": 15, "BUL": 20, "GAN": 20, "OTH": 5}


def _london() -> ZoneInfo | None:
    try:
        return ZoneInfo("Europe/London")
    except ZoneInfoNotFoundError:  # a machine without time-zone data: UTC will do
        return None


DEFAULT_START = datetime(2024, 3, 4, 8, 0)


class OperatorSimulator:
    """One operator's system, sending receptions, transfers and releases for its prisons."""

    def __init__(
        self,
        operator: str,
        establishments: Iterable[str],
        seed: int = 0,
        *,
        start: datetime = DEFAULT_START,
        population_per_prison: int = 40,
        run: str | None = None,
    ) -> None:
        """``run`` goes into every message reference; by default a new token for each
        simulator, so that references stay unique across runs of the same seed."""
        self.operator = operator
        self.establishments = tuple(sorted(establishments))
        if not self.establishments:
            raise ValueError(f"{operator} runs no prisons to simulate")
        self._random = random.Random(seed)
        self._issuer = IdentifierIssuer(operator)
        zone = _london()
        self._clock = start.replace(tzinfo=zone) if zone else start.astimezone()
        self._prefix = operator[:3].upper()
        # The seed fixes the people and their traffic; the run's own token keeps references
        # unique across runs, as the hub's resend rule needs (a reused reference is refused).
        run = run if run is not None else secrets.token_hex(3).upper()
        self._batch = f"{self._random.getrandbits(24):06X}{run}"
        self._messages = count(1)
        self._people = count(1)
        self._locations: dict[str, str] = {}
        self._in_custody: dict[str, Person] = {}
        self._released: list[Person] = []
        self._kept_apart: list[tuple[Person, Person, str, date]] = []
        """Open non-associations this operator recorded: (person, other, reason, from)."""
        self._target_population = population_per_prison * len(self.establishments)

    # --- people -----------------------------------------------------------------------------

    def person(self, *, sex: str | None = None, known_to_prisons: bool | None = None) -> Person:
        """A new person, of a sex the operator's prisons hold."""
        if sex is None:
            sex = "F" if self._holds("F") and self._random.random() < 0.06 else "M"
        if known_to_prisons is None:
            known_to_prisons = self._random.random() < 0.3
        return make_person(
            self._random,
            local_id=f"{self._prefix}{next(self._people):07d}",
            sex=sex,
            today=self._clock.date(),
            known_to_prisons=known_to_prisons,
            issuer=self._issuer,
        )

    def location_of(self, person: Person) -> str | None:
        """The prison the person is in, as far as this operator knows."""
        return self._locations.get(person.local_id)

    # --- documents --------------------------------------------------------------------------

    def reception(
        self, person: Person, establishment: str | None = None, reason: str | None = None
    ) -> bytes:
        """The person received into one of the operator's prisons."""
        if person.local_id in self._locations:
            raise ValueError(f"{person.local_id} is in {self._locations[person.local_id]} already")
        establishment = establishment or self._random.choice(self._prisons_for(person.sex))
        reason = reason or self._pick(ADMISSION_REASONS)
        self._locations[person.local_id] = establishment
        self._in_custody[person.local_id] = person
        movement = Movement(self._tick(), reason, self._random.choice(COURTS), establishment)
        return self._document("reception", establishment, person, movement)

    def transfer(self, person: Person, to: str, reason: str = "NOTR") -> bytes:
        """The person moved from their prison to ``to``, which anyone may run."""
        origin = self._current(person)
        if to in self.establishments:
            self._locations[person.local_id] = to
        else:
            self._leave(person)
        movement = Movement(self._tick(), reason, origin, to)
        return self._document("transfer", origin, person, movement)

    def release(self, person: Person, reason: str = "CR") -> bytes:
        """The person released from their prison for ``reason`` (a REL reason code)."""
        origin = self._current(person)
        self._leave(person)
        if reason not in NOT_COMING_BACK:
            self._released.append(person)
        places = {"HP": HOSPITALS, "DD": REMOVAL_CENTRES}.get(reason)
        to_agency = self._random.choice(places) if places else None
        movement = Movement(self._tick(), reason, origin, to_agency)
        return self._document("release", origin, person, movement)

    def non_association(
        self, person: Person, other: Person, reason: str = "VIC", *, ended: bool = False
    ) -> bytes:
        """Keep two people the operator holds apart (both need prison numbers), or, with
        ``ended``, close the non-association recorded between them."""
        here = self._current(person)
        self._current(other)
        today = self._tick().date()
        if ended:
            found = next(
                (k for k in self._kept_apart if {k[0].local_id, k[1].local_id}
                 == {person.local_id, other.local_id}),
                None,
            )  # fmt: skip
            if found is None:
                raise ValueError(f"{person.local_id} and {other.local_id} are not kept apart")
            self._kept_apart.remove(found)
            return self._non_association(here, person, other, found[2], found[3], today)
        self._kept_apart.append((person, other, reason, today))
        return self._non_association(here, person, other, reason, today, None)

    def random_traffic(self, non_association_rate: float = 0.0) -> Iterator[tuple[str, bytes]]:
        """An endless stream of (message type, document), in a sensible order per person;
        about ``non_association_rate`` of them non-associations (none by default, so that a
        seed's movements stay as they were)."""
        while True:
            if non_association_rate and self._random.random() < non_association_rate:
                document = self._next_non_association()
                if document is not None:
                    yield "non-association", document
                    continue
            roll = self._random.random()
            below_target = len(self._in_custody) < self._target_population
            if not self._in_custody or roll < (0.5 if below_target else 0.3):
                yield "reception", self._next_reception()
            elif roll < (0.62 if below_target else 0.45):
                person = self._random.choice(list(self._in_custody.values()))
                to, reason = self._destination(person), self._pick(TRANSFER_REASONS)
                yield "transfer", self.transfer(person, to, reason)
            else:
                person = self._random.choice(list(self._in_custody.values()))
                yield "release", self.release(person, self._pick(RELEASE_REASONS))

    # --- internals --------------------------------------------------------------------------

    def _next_non_association(self) -> bytes | None:
        """Close an open one whose people are both still here, or keep two more apart."""
        still_here = [k for k in self._kept_apart if all(p.local_id in self._locations
                                                          for p in k[:2])]  # fmt: skip
        if still_here and self._random.random() < 0.4:
            person, other, _, _ = self._random.choice(still_here)
            return self.non_association(person, other, ended=True)
        paired = {frozenset((k[0].local_id, k[1].local_id)) for k in self._kept_apart}
        numbered = [p for p in self._in_custody.values() if p.prison_number]
        if len(numbered) < 2:
            return None
        person, other = self._random.sample(numbered, 2)
        if frozenset((person.local_id, other.local_id)) in paired:
            return None
        return self.non_association(person, other, self._pick(NON_ASSOCIATION_REASONS))

    def _non_association(
        self, establishment: str, person: Person, other: Person, reason: str,
        effective_on: date, ended_on: date | None,
    ) -> bytes:  # fmt: skip
        sent_at = self._clock + timedelta(seconds=self._random.randint(5, 120))
        reference = f"{self._prefix}-{self._batch}-{next(self._messages):07d}"
        header = MessageHeader(self.operator, establishment, sent_at, reference)
        return write_non_association(header, person, other, reason, effective_on, ended_on)

    def _next_reception(self) -> bytes:
        if self._released and self._random.random() < 0.25:
            person = self._released.pop(self._random.randrange(len(self._released)))
            return self.reception(person, reason=self._pick(READMISSION_REASONS))
        return self.reception(self.person())

    def _holds(self, sex: str) -> bool:
        return any((code in FEMALE_PRISONS) == (sex == "F") for code in self.establishments)

    def _prisons_for(self, sex: str) -> tuple[str, ...]:
        fitting = tuple(c for c in self.establishments if (c in FEMALE_PRISONS) == (sex == "F"))
        return fitting or self.establishments

    def _destination(self, person: Person) -> str:
        here = self._current(person)
        own = [code for code in self._prisons_for(person.sex) if code != here]
        if own and self._random.random() < 0.6:
            return self._random.choice(own)
        return self._random.choice(PUBLIC_PRISONS["F" if person.sex == "F" else "M"])

    def _current(self, person: Person) -> str:
        try:
            return self._locations[person.local_id]
        except KeyError:
            raise ValueError(
                f"{person.local_id} is not in any of {self.operator}'s prisons"
            ) from None

    def _leave(self, person: Person) -> None:
        self._locations.pop(person.local_id, None)
        self._in_custody.pop(person.local_id, None)

    def _pick(self, weights: dict[str, float]) -> str:
        return self._random.choices(list(weights), weights=list(weights.values()))[0]

    def _tick(self) -> datetime:
        self._clock += timedelta(seconds=self._random.expovariate(1 / 300))
        return self._clock.replace(microsecond=0)

    def _document(
        self, message_type: str, establishment: str, person: Person, movement: Movement
    ) -> bytes:
        sent_at = movement.occurred_at + timedelta(seconds=self._random.randint(5, 120))
        reference = f"{self._prefix}-{self._batch}-{next(self._messages):07d}"
        header = MessageHeader(self.operator, establishment, sent_at, reference)
        return write_message(OperatorMessage(message_type, header, person, movement))
