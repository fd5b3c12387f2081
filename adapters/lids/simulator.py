"""A simulated LIDS: the documents a public prison's legacy system sends, for tests and the
demo (``gatehouse demo``), and a day of realistic traffic for a few prisons.

    builder = LidsMessages("LEI")
    builder.reception(person, received_at)           # bytes, a Reception document
    builder.movement(person, "CRT", "OUT", "CRT", at, agency="LEEDCC")
    day_of_traffic(["LEI", "WWI", "BMI"], day)       # (prison, message type, document)s

Each builder numbers its messages (``LEI-000001``, ...), so that every document has its own
``MessageReference`` as LIDS gives them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from xml.sax.saxutils import escape

from adapters.lids.translate import NAMESPACE


@dataclass(frozen=True)
class LidsPerson:
    """Someone as a LIDS knows them: its own number, and national ids when it holds them."""

    lids_number: str
    surname: str
    forenames: str
    date_of_birth: date
    sex: str = "M"
    prison_number: str | None = None
    pnc_id: str | None = None
    cro_number: str | None = None

    def ids(self) -> str:
        found = [f"<LidsNumber>{self.lids_number}</LidsNumber>"]
        for name, value in (
            ("PrisonNumber", self.prison_number),
            ("PncId", self.pnc_id),
            ("CroNumber", self.cro_number),
        ):
            if value:
                found.append(f"<{name}>{escape(value)}</{name}>")
        return "".join(found)


@dataclass
class LidsMessages:
    """The documents one prison's LIDS sends."""

    prison: str
    sequence: int = 0
    references: list[str] = field(default_factory=list)

    def _document(self, root: str, at: datetime, body: str) -> bytes:
        self.sequence += 1
        reference = f"{self.prison}-{self.sequence:06d}"
        self.references.append(reference)
        return (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{NAMESPACE}">'
            f"<MessageHeader><Establishment>{self.prison}</Establishment>"
            f"<SentAt>{at.isoformat()}</SentAt><MessageReference>{reference}</MessageReference>"
            f"</MessageHeader>{body}</{root}>\n"
        ).encode()

    def reception(
        self, person: LidsPerson, at: datetime, reason: str = "N", legal_status: str = "REMAND"
    ) -> bytes:
        prisoner = (
            f"<Prisoner>{person.ids()}<Surname>{escape(person.surname)}</Surname>"
            f"<Forenames>{escape(person.forenames)}</Forenames>"
            f"<DateOfBirth>{person.date_of_birth.isoformat()}</DateOfBirth>"
            f"<Sex>{person.sex}</Sex></Prisoner>"
        )
        return self._document(
            "Reception",
            at,
            f"{prisoner}<ReasonCode>{reason}</ReasonCode>"
            f"<LegalStatus>{legal_status}</LegalStatus>"
            f"<ReceivedAt>{at.isoformat()}</ReceivedAt>",
        )

    def movement(
        self,
        person: LidsPerson,
        movement_type: str,
        direction: str,
        reason: str,
        at: datetime,
        agency: str | None = None,
    ) -> bytes:
        where = f"<Agency>{agency}</Agency>" if agency else ""
        return self._document(
            "TemporaryMovement",
            at,
            f"<Prisoner>{person.ids()}</Prisoner>"
            f"<MovementType>{movement_type}</MovementType>"
            f"<Direction>{direction}</Direction><ReasonCode>{reason}</ReasonCode>"
            f"{where}<MovedAt>{at.isoformat()}</MovedAt>",
        )

    def incentive_review(self, person: LidsPerson, level: str, at: datetime) -> bytes:
        return self._document(
            "IncentiveReview",
            at,
            f"<Prisoner>{person.ids()}</Prisoner>"
            f"<Level>{level}</Level><ReviewedAt>{at.isoformat()}</ReviewedAt>",
        )

    def credit(self, person: LidsPerson, credit_type: str, pence: int, at: datetime) -> bytes:
        return self._document(
            "Credit",
            at,
            f"<Prisoner>{person.ids()}</Prisoner>"
            f"<CreditType>{credit_type}</CreditType>"
            f"<AmountPence>{pence}</AmountPence>"
            f"<CreditedAt>{at.isoformat()}</CreditedAt>",
        )

    def alert(self, person: LidsPerson, code: str, active: bool, at: datetime) -> bytes:
        status = "ACTIVE" if active else "INACTIVE"
        return self._document(
            "Alert",
            at,
            f"<Prisoner>{person.ids()}</Prisoner>"
            f"<AlertCode>{code}</AlertCode><Status>{status}</Status>"
            f"<EffectiveAt>{at.isoformat()}</EffectiveAt>",
        )

    def transfer_out(
        self, person: LidsPerson, to: str, at: datetime, reason: str = "NOTR"
    ) -> bytes:
        return self._document(
            "TransferOut",
            at,
            f"<Prisoner>{person.ids()}</Prisoner>"
            f"<ToEstablishment>{to}</ToEstablishment>"
            f"<ReasonCode>{reason}</ReasonCode><MovedAt>{at.isoformat()}</MovedAt>",
        )

    def release(self, person: LidsPerson, reason: str, at: datetime) -> bytes:
        return self._document(
            "Release",
            at,
            f"<Prisoner>{person.ids()}</Prisoner>"
            f"<ReasonCode>{reason}</ReasonCode>"
            f"<ReleasedAt>{at.isoformat()}</ReleasedAt>",
        )


SURNAMES = (
    "ASHWORTH",
    "BRIGGS",
    "CALLOW",
    "DENTON",
    "EKWUEME",
    "FAIRCLOUGH",
    "GREAVES",
    "HUSSAIN",
    "IBBOTSON",
    "JAGGER",
    "KOWALSKI",
    "LOCKWOOD",
    "MBEKI",
    "NAYLOR",
)
FORENAMES = ("ADAM", "BILAL", "CRAIG", "DANIEL", "EWAN", "FRASER", "GARY", "HARRY", "JORDAN")
COURTS = ("LEEDCC", "SHEFMC")


def day_of_traffic(
    prisons: list[str], day: datetime, people_each: int = 3, seed: int = 7, round_number: int = 0
) -> Iterator[tuple[str, str, bytes]]:
    """(prison, message type, document) for a day at each prison, in a realistic order: a
    few receptions, then court trips, reviews, credits and an alert for those received.
    Each ``round_number`` (the demo's next day) has new people and new message references."""
    rng = random.Random(seed + round_number)
    for prison in prisons:
        lids = LidsMessages(prison, sequence=round_number * 100)
        letters = prison[:2]
        for n in range(people_each):
            person = LidsPerson(
                lids_number=f"{letters}{(round_number * people_each + n + 1000) % 10000:04d}",
                surname=rng.choice(SURNAMES),
                forenames=rng.choice(FORENAMES),
                date_of_birth=date(
                    1970 + rng.randrange(35), rng.randrange(1, 13), rng.randrange(1, 28)
                ),
            )
            at = day + timedelta(hours=8, minutes=7 * n)
            yield prison, "reception", lids.reception(person, at)
            yield prison, "credit", lids.credit(person, "PRIVATE_CASH", 500 * (n + 1), at)
            if n == 0:
                court = rng.choice(COURTS)
                yield (
                    prison,
                    "movement",
                    lids.movement(person, "CRT", "OUT", "CRT", at + timedelta(hours=1), court),
                )
                yield (
                    prison,
                    "movement",
                    lids.movement(person, "CRT", "IN", "REM", at + timedelta(hours=7), court),
                )
            yield (
                prison,
                "incentive-review",
                lids.incentive_review(
                    person, rng.choice(("ENT", "STD", "ENH")), at + timedelta(hours=9)
                ),
            )
            if n == 1:
                yield prison, "alert", lids.alert(person, "HA", True, at + timedelta(hours=10))
