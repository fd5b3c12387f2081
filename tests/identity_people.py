"""A generated identity test set: people on record, and later descriptions of them with the
errors real messages carry, beside people who are not on record at all.

Errors (each description of a known person gets none, one or two): a surname typo, a
nickname, forename and surname swapped, a middle name dropped, an alias given instead of
the name, a date of birth with one wrong digit, two digits transposed, or day and month
swapped, and identifiers missing or new (a CRN the record does not have yet). Twins share a
surname and a date of birth: the second twin, never on record, must not be linked to the first.

Deterministic for a seed. Used by
``tests/integration/core_records/identity/test_matching_quality.py`` and ``bench/identity.py``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

from core_records.commands import PersonName, PersonParticulars
from core_records.identifiers import CRN, PNC, Identifier, pnc_check_letter


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


SURNAMES = _words(
    "SMITH JONES WILLIAMS TAYLOR BROWN DAVIES EVANS WILSON THOMAS JOHNSON ROBERTS ROBINSON "
    "THOMPSON WRIGHT WALKER WHITE EDWARDS HUGHES GREEN HALL LEWIS HARRIS CLARKE PATEL JACKSON "
    "WOOD TURNER MARTIN COOPER HILL WARD MORRIS MOORE CLARK LEE KING BAKER HARRISON MORGAN "
    "ALLEN JAMES SCOTT PHILLIPS WATSON DAVIS PARKER PRICE BENNETT YOUNG GRIFFITHS MITCHELL "
    "KELLY COOK CARTER RICHARDSON BAILEY COLLINS BELL SHAW MURPHY MILLER COX RICHARDS KHAN "
    "MARSHALL ANDERSON SIMPSON ELLIS ADAMS SINGH BEGUM AHMED HUSSAIN ALI OBRIEN OCONNOR "
    "MCDONALD FRASER OKAFOR MENSAH NOWAK KOWALSKI ASHWORTH BARRACLOUGH HOLROYD PRITCHARD "
    "HARGREAVES FLETCHER WALSH BYRNE RYAN DOYLE LYNCH MURRAY QUINN NOLAN"
)
MALE = _words(
    "JOHN DAVID MICHAEL PAUL ANDREW MARK JAMES STEVEN ROBERT PETER RICHARD DANIEL CHRISTOPHER "
    "MATTHEW LEE CRAIG DEAN WAYNE JASON CONNOR KYLE JORDAN LIAM RYAN JACK THOMAS JOSHUA CALLUM "
    "MOHAMMED ADAM TYRONE KIERAN GARETH RHYS AARON SEAN DECLAN WILLIAM ANTHONY EDWARD JOSEPH"
)
FEMALE = _words(
    "SARAH EMMA LAURA GEMMA KELLY CLAIRE NICOLA DONNA AMY LISA JADE CHLOE CHANTELLE STACEY "
    "KAREN JOANNE MICHELLE SHANNON ZOE AISHA LEANNE TRACEY REBECCA HANNAH SAMANTHA DANIELLE "
    "ELIZABETH MARGARET KATHERINE SUSAN JENNIFER"
)
NICKNAMES = {
    "WILLIAM": "BILL",
    "ROBERT": "BOB",
    "RICHARD": "RICK",
    "JAMES": "JIM",
    "MICHAEL": "MIKE",
    "THOMAS": "TOM",
    "ANTHONY": "TONY",
    "EDWARD": "EDDIE",
    "CHRISTOPHER": "CHRIS",
    "DANIEL": "DANNY",
    "JOSEPH": "JOE",
    "ANDREW": "ANDY",
    "STEVEN": "STEVE",
    "MATTHEW": "MATT",
    "DAVID": "DAVE",
    "ELIZABETH": "LIZ",
    "MARGARET": "MAGGIE",
    "KATHERINE": "KATE",
    "SUSAN": "SUE",
    "REBECCA": "BECKY",
    "JENNIFER": "JENNY",
    "PETER": "PETE",
}
ERRORS = (
    "surname typo",
    "nickname",
    "swapped names",
    "middle name dropped",
    "alias given",
    "birth digit",
    "birth transposed",
    "birth day and month",
    "new crn",
)


@dataclass(frozen=True)
class Query:
    particulars: PersonParticulars
    truth: int | None
    """Index of the person on record described, or None for someone not on record."""
    errors: tuple[str, ...]


@dataclass(frozen=True)
class IdentitySet:
    people: list[PersonParticulars]
    queries: list[Query]


def _pnc(rng: random.Random, used: set[str]) -> Identifier:
    while True:
        year, serial = rng.randint(1985, 2024), rng.randint(1, 9_999_999)
        value = f"{year}/{serial:07d}{pnc_check_letter(year, serial)}"
        if value not in used:
            used.add(value)
            return Identifier(PNC, value)


def _crn(rng: random.Random, used: set[str]) -> Identifier:
    while True:
        value = f"{rng.choice('ABCDEFGHJKLMNPRSTX')}{rng.randint(0, 999_999):06d}"
        if value not in used:
            used.add(value)
            return Identifier(CRN, value)


def _person(rng: random.Random, used: set[str]) -> PersonParticulars:
    sex = rng.choices("MF", weights=(85, 15))[0]
    pool = MALE if sex == "M" else FEMALE
    names = rng.sample(pool, rng.choices((1, 2), weights=(50, 50))[0])
    born = date(1950, 1, 1) + timedelta(days=rng.randint(0, 365 * 55))
    identifiers = [_pnc(rng, used)] if rng.random() < 0.7 else []
    if rng.random() < 0.3:
        identifiers.append(_crn(rng, used))
    surname = rng.choice(SURNAMES)
    aliases = ()
    if rng.random() < 0.1:
        aliases = (PersonName(rng.choice(SURNAMES), names[0], "A"),)
    return PersonParticulars(
        identifiers=tuple(identifiers),
        name=PersonName(surname, " ".join(names)),
        date_of_birth=born,
        sex=sex,
        aliases=aliases,
    )


def _typo(rng: random.Random, text: str) -> str:
    i = rng.randrange(1, len(text))  # keep the first letter, as most typos do
    kind = rng.choice(("substitute", "delete", "insert", "transpose"))
    letter = rng.choice("ABCDEFGHIJKLMNOPRSTUVWY")
    if kind == "substitute":
        return text[:i] + letter + text[i + 1 :]
    if kind == "delete" and len(text) > 3:
        return text[:i] + text[i + 1 :]
    if kind == "transpose" and i < len(text) - 1:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + letter + text[i:]


def _birth_error(rng: random.Random, born: date, kind: str) -> date:
    digits = born.strftime("%Y%m%d")
    for _ in range(50):
        if kind == "birth day and month":
            candidate = f"{digits[:4]}{digits[6:]}{digits[4:6]}"
        elif kind == "birth transposed":
            i = rng.randrange(2, 7)
            candidate = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
        else:
            i = rng.randrange(2, 8)
            candidate = digits[:i] + str(rng.randrange(10)) + digits[i + 1 :]
        try:
            changed = date(int(candidate[:4]), int(candidate[4:6]), int(candidate[6:]))
        except ValueError:
            continue
        if changed != born:
            return changed
    return born + timedelta(days=1)


def _with_error(
    rng: random.Random,
    person: PersonParticulars,
    error: str,
    used: set[str],
    recorded: PersonParticulars,
) -> PersonParticulars:
    name = person.name
    first, *middle = name.forenames.split()
    if error == "surname typo":
        return replace(person, name=replace(name, surname=_typo(rng, name.surname)))
    if error == "nickname" and first in NICKNAMES:
        return replace(person, name=replace(name, forenames=NICKNAMES[first]))
    if error == "swapped names":
        return replace(person, name=PersonName(first, name.surname))
    if error == "middle name dropped" and middle:
        return replace(person, name=replace(name, forenames=first))
    if error == "alias given" and person.aliases:
        alias = person.aliases[0]
        return replace(person, name=PersonName(alias.surname, alias.forenames), aliases=())
    if error.startswith("birth"):
        return replace(person, date_of_birth=_birth_error(rng, person.date_of_birth, error))
    if error == "new crn" and not any(i.type == CRN for i in recorded.identifiers):
        # Probation has opened a case since: a CRN the record does not have yet.
        return replace(person, identifiers=(*person.identifiers, _crn(rng, used)))
    return person


def generate(people: int, queries: int, *, seed: int = 6) -> IdentitySet:
    """``people`` on record (about 3% of them with a twin who is not), and ``queries``
    descriptions: 60% of people on record with errors, 10% of twins, 30% of strangers."""
    rng = random.Random(seed)
    used: set[str] = set()
    on_record = [_person(rng, used) for _ in range(people)]
    twins: list[PersonParticulars] = []
    for index in rng.sample(range(people), max(1, people * 3 // 100)):
        twin = on_record[index]
        pool = MALE if twin.sex == "M" else FEMALE
        other = rng.choice([n for n in pool if n != twin.name.forenames.split()[0]])
        twins.append(
            replace(twin, identifiers=(), aliases=(), name=replace(twin.name, forenames=other))
        )
    result: list[Query] = []
    for _ in range(queries):
        roll = rng.random()
        if roll < 0.6:
            truth = rng.randrange(people)
            person = on_record[truth]
            # A message that names the person by a recorded strong identifier links before
            # matching: the matcher sees the ones that do not.
            described = replace(person, identifiers=())
            count = rng.choices((0, 1, 2), weights=(25, 60, 15))[0]
            errors = tuple(rng.sample(ERRORS, count))
            for error in errors:
                described = _with_error(rng, described, error, used, person)
            result.append(Query(described, truth, errors))
        elif roll < 0.7:
            result.append(Query(rng.choice(twins), None, ("twin",)))
        else:
            result.append(Query(_person(rng, used), None, ("stranger",)))
    return IdentitySet(on_record, result)


@dataclass(frozen=True)
class Quality:
    links: int
    correct_links: int
    reviews: int
    new: int
    true_matches: int
    wrong_links: tuple[tuple[Query, str], ...]

    @property
    def precision(self) -> float:
        """Of the auto-links, the share that linked the right person."""
        return self.correct_links / self.links if self.links else 1.0

    @property
    def recall(self) -> float:
        """Of the descriptions of people on record, the share auto-linked to them."""
        return self.correct_links / self.true_matches if self.true_matches else 1.0

    def summary(self) -> str:
        return (
            f"auto-links {self.links} (precision {self.precision:.4f}, recall "
            f"{self.recall:.4f}), to review {self.reviews}, new {self.new}, "
            f"of {self.links + self.reviews + self.new} descriptions"
        )


def store_people(store, people: list[PersonParticulars]) -> list[str | None]:  # type: ignore[no-untyped-def]
    """Receive ``people`` into the store; each one's prison number (None if not created)."""
    import uuid
    from datetime import UTC, datetime

    from core_records.commands import InboundMessage, RecordReception

    at = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
    numbers: list[str | None] = []
    for start in range(0, len(people), 500):
        batch = [
            InboundMessage(
                message_id=str(uuid.uuid4()),
                correlation_id=str(uuid.uuid4()),
                adapter="private_prisons",
                message_type="reception",
                partner="g4s",
                received_at=at,
                commands=(RecordReception(person, "LEI", "N", at),),
            )
            for person in people[start : start + 500]
        ]
        numbers.extend(o.person_key if o.status == "applied" else None for o in store.apply(batch))
    return numbers


def evaluate(engine, identity_set: IdentitySet, numbers: list[str | None], rules) -> Quality:  # type: ignore[no-untyped-def]
    """Run the matcher on every query against the store, and count its decisions."""
    from core_records.identity.matching import LINK, REVIEW
    from core_records.identity.resolution import resolve

    links = correct = reviews = new = true_matches = 0
    wrong: list[tuple[Query, str]] = []
    with engine.connect() as connection:
        for query in identity_set.queries:
            expected = numbers[query.truth] if query.truth is not None else None
            if query.truth is not None and expected is None:
                continue  # that person was not stored; the query proves nothing
            true_matches += expected is not None
            resolution = resolve(connection, query.particulars, rules, [])
            if resolution.outcome == LINK:
                links += 1
                assert resolution.best is not None
                got = resolution.best.candidate.prison_number or ""
                if got == expected:
                    correct += 1
                else:
                    wrong.append((query, got))
            elif resolution.outcome == REVIEW:
                reviews += 1
            else:
                new += 1
    return Quality(links, correct, reviews, new, true_matches, tuple(wrong))
