"""Whether two descriptions of a person are the same person: a Fellegi-Sunter style score.

Each comparison (surname, forenames, date of birth, sex, each strong identifier) falls into
one level, and each level carries a weight: roughly log2(m / u), how much likelier that
level is between two records of one person than between two records of different people.
The score is the sum of the weights; ``MatchRules`` holds weights and thresholds, and the
README ("Identity matching") says how to tune them. See DOMAIN.md, "Identity matching".

    score >= link_threshold     the same person: link
    score >= review_threshold   perhaps: a person decides (a possible-match case)
    otherwise                   a different person

A strong identifier that disagrees (two different PNC ids) is evidence against, weighted
heavily; one that is missing on either side counts for nothing. Strings are compared with
rapidfuzz's Jaro-Winkler, not hand-written distances.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz.distance import JaroWinkler, Levenshtein

from core_records.commands import PersonName
from core_records.identifiers import CRN, CRO, LOCAL, NOMS, PNC, Identifier

LINK = "link"
REVIEW = "review"
NEW = "new"

COMPARED_IDENTIFIERS = (NOMS, PNC, CRO, CRN, LOCAL)
"""Identifier types whose agreement or disagreement is evidence; each names one person.
LOCAL ids (``operator:id``) are compared within one operator only: two operators' ids for
one person naturally differ."""


@dataclass(frozen=True)
class MatchRules:
    """Weights (in bits of evidence) and the two thresholds. Configured by
    ``GATEHOUSE_IDENTITY__...`` settings; the defaults are tuned on ``bench/identity.py``."""

    link_threshold: float = 15.5
    review_threshold: float = 9.0
    surname_exact: float = 7.0
    surname_close: float = 4.5
    """Jaro-Winkler at least ``close_similarity`` (a typo)."""
    surname_similar: float = 1.0
    """Jaro-Winkler at least ``similar_similarity``."""
    surname_differs: float = -5.0
    forename_exact: float = 6.0
    forename_nickname: float = 4.0
    forename_close: float = 4.0
    forename_similar: float = -1.0
    forename_differs: float = -5.0
    names_swapped: float = 11.0
    """Forename and surname exchanged: the whole name, counted once."""
    alias: float = 0.0
    """Added when the best name agreement came through an alias rather than the main name."""
    close_similarity: float = 0.9
    similar_similarity: float = 0.7
    birth_exact: float = 8.0
    birth_one_typo: float = 4.5
    """One digit wrong, two adjacent digits transposed, or day and month swapped."""
    birth_near: float = 0.5
    """Within ``near_birth_years`` years."""
    birth_differs: float = -9.0
    near_birth_years: int = 2
    sex_agrees: float = 0.3
    sex_differs: float = -3.0
    identifier_agrees: float = 14.0
    identifier_differs: float = -14.0

    def __post_init__(self) -> None:
        if self.review_threshold > self.link_threshold:
            raise ValueError(
                f"the review threshold {self.review_threshold} is above the link threshold "
                f"{self.link_threshold}"
            )

    def surname_levels(self) -> dict[str, float]:
        return {
            "exact": self.surname_exact,
            "close": self.surname_close,
            "similar": self.surname_similar,
            "differs": self.surname_differs,
        }

    def forename_levels(self) -> dict[str, float]:
        return {
            "exact": self.forename_exact,
            "close": self.forename_close,
            "similar": self.forename_similar,
            "differs": self.forename_differs,
        }


@dataclass(frozen=True)
class Description:
    """A person as one record or one message describes them."""

    names: tuple[PersonName, ...]
    """The current name first, then aliases."""
    date_of_birth: date
    sex: str
    identifiers: frozenset[Identifier] = frozenset()
    person_id: int | None = None
    prison_number: str | None = None


@dataclass(frozen=True)
class Comparison:
    field: str
    level: str
    weight: float


@dataclass(frozen=True)
class MatchScore:
    score: float
    evidence: tuple[Comparison, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        return {
            "score": round(self.score, 2),
            "evidence": [
                {"field": c.field, "level": c.level, "weight": c.weight} for c in self.evidence
            ],
        }


def decide(score: float, rules: MatchRules) -> str:
    if score >= rules.link_threshold:
        return LINK
    if score >= rules.review_threshold:
        return REVIEW
    return NEW


def normalise(text: str) -> str:
    """Upper case, no accents, letters and single spaces only (O'BRIEN-SMITH: OBRIEN SMITH)."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if c.isalpha() or c in " -")
    return " ".join(kept.replace("-", " ").upper().split())


def first_forename(forenames: str) -> str:
    words = normalise(forenames).split()
    return words[0] if words else ""


def compare(incoming: Description, candidate: Description, rules: MatchRules) -> MatchScore:
    """The score of ``candidate`` being the person ``incoming`` describes, with its evidence."""
    evidence = [
        *_compare_names(incoming.names, candidate.names, rules),
        _compare_births(incoming.date_of_birth, candidate.date_of_birth, rules),
        *_compare_sex(incoming.sex, candidate.sex, rules),
        *_compare_identifiers(incoming.identifiers, candidate.identifiers, rules),
    ]
    return MatchScore(sum(c.weight for c in evidence), tuple(evidence))


# --- names ----------------------------------------------------------------------------------


def _compare_names(
    incoming: tuple[PersonName, ...], candidate: tuple[PersonName, ...], rules: MatchRules
) -> list[Comparison]:
    """The best agreement between any name given and any name on record."""
    best: list[Comparison] = []
    best_weight = float("-inf")
    for g_index, g in enumerate(incoming):
        for c_index, c in enumerate(candidate):
            comparisons = _compare_name(g, c, rules)
            via_alias = g_index > 0 or c_index > 0
            if via_alias and rules.alias:
                comparisons.append(Comparison("name", "via alias", rules.alias))
            weight = sum(x.weight for x in comparisons)
            if weight > best_weight:
                best, best_weight = comparisons, weight
    return best


def _compare_name(given: PersonName, known: PersonName, rules: MatchRules) -> list[Comparison]:
    surname, known_surname = normalise(given.surname), normalise(known.surname)
    forename, known_forename = first_forename(given.forenames), first_forename(known.forenames)
    swapped = surname == known_forename and forename == known_surname
    if surname and forename and surname != forename and swapped:
        return [Comparison("name", "swapped", rules.names_swapped)]
    return [
        _compare_text("surname", surname, known_surname, rules, rules.surname_levels()),
        _compare_forename(forename, known_forename, rules),
    ]


def _compare_forename(given: str, known: str, rules: MatchRules) -> Comparison:
    if given and known and given != known and _nickname_of(given) == _nickname_of(known):
        return Comparison("forename", "nickname", rules.forename_nickname)
    return _compare_text("forename", given, known, rules, rules.forename_levels())


def _compare_text(
    name: str, given: str, known: str, rules: MatchRules, levels: Mapping[str, float]
) -> Comparison:
    if not given or not known:
        return Comparison(name, "missing", 0.0)
    if given == known:
        return Comparison(name, "exact", levels["exact"])
    similarity = JaroWinkler.similarity(given, known)
    if similarity >= rules.close_similarity:
        return Comparison(name, f"jaro-winkler {similarity:.2f}", levels["close"])
    if similarity >= rules.similar_similarity:
        return Comparison(name, f"jaro-winkler {similarity:.2f}", levels["similar"])
    return Comparison(name, "differs", levels["differs"])


_NICKNAME_GROUPS = (
    "WILLIAM BILL BILLY WILL WILLIE LIAM",
    "ROBERT BOB BOBBY ROB ROBBIE BERT",
    "RICHARD DICK RICK RICKY RICH",
    "JAMES JIM JIMMY JAMIE",
    "JOHN JACK JOHNNY JON",
    "MICHAEL MIKE MICK MICKY",
    "THOMAS TOM TOMMY",
    "ANTHONY TONY ANT",
    "EDWARD ED EDDIE TED TEDDY NED",
    "CHRISTOPHER CHRIS KIT",
    "DANIEL DAN DANNY",
    "JOSEPH JOE JOEY",
    "MARGARET MAGGIE PEGGY MEG",
    "ELIZABETH LIZ LIZZIE BETH BETTY ELIZA",
    "KATHERINE KATE KATIE KATHY CATHERINE CATH",
    "ALEXANDER ALEX SANDY",
    "ANDREW ANDY DREW",
    "STEPHEN STEVE STEVEN",
    "MATTHEW MATT",
    "NICHOLAS NICK NICKY",
    "SAMUEL SAM SAMMY",
    "BENJAMIN BEN BENNY",
    "PATRICK PAT PADDY",
    "DAVID DAVE DAVY",
    "TERENCE TERRY",
    "SUSAN SUE SUZY",
    "REBECCA BECKY BECCA",
    "JENNIFER JEN JENNY",
)
_NICKNAMES = {name: group.split()[0] for group in _NICKNAME_GROUPS for name in group.split()}


def _nickname_of(forename: str) -> str:
    """The formal name a nickname stands for (BILL: WILLIAM); the name itself otherwise."""
    return _NICKNAMES.get(forename, forename)


def nickname_forms(forename: str) -> frozenset[str]:
    """Every form of a forename in its nickname group, itself included (for blocking)."""
    formal = _nickname_of(forename)
    return frozenset(n for n, f in _NICKNAMES.items() if f == formal) | {forename}


# --- dates of birth, sex, identifiers -------------------------------------------------------


def _compare_births(given: date, known: date, rules: MatchRules) -> Comparison:
    if given == known:
        return Comparison("dateOfBirth", "exact", rules.birth_exact)
    if is_one_typo(given, known):
        return Comparison("dateOfBirth", "one typo", rules.birth_one_typo)
    if abs((given - known).days) <= 366 * rules.near_birth_years:
        return Comparison("dateOfBirth", "near", rules.birth_near)
    return Comparison("dateOfBirth", "differs", rules.birth_differs)


def is_one_typo(given: date, known: date) -> bool:
    """One digit of YYYYMMDD wrong, two adjacent digits exchanged, or day and month swapped."""
    a, b = given.strftime("%Y%m%d"), known.strftime("%Y%m%d")
    if Levenshtein.distance(a, b) == 1:
        return True
    differing = [i for i in range(8) if a[i] != b[i]]
    if len(differing) == 2 and differing[1] == differing[0] + 1:
        i = differing[0]
        if a[i] == b[i + 1] and a[i + 1] == b[i]:
            return True
    return (given.day, given.month) == (known.month, known.day)


def _compare_sex(given: str, known: str, rules: MatchRules) -> list[Comparison]:
    if given not in ("M", "F") or known not in ("M", "F"):
        return []
    if given == known:
        return [Comparison("sex", "agrees", rules.sex_agrees)]
    return [Comparison("sex", "differs", rules.sex_differs)]


def _compare_identifiers(
    given: Iterable[Identifier], known: Iterable[Identifier], rules: MatchRules
) -> list[Comparison]:
    comparisons: list[Comparison] = []
    known_by_type = _by_kind(known)
    given_by_type = _by_kind(given)
    for kind in sorted(given_by_type.keys() & known_by_type.keys()):
        field = kind[0] if kind[0] != LOCAL else f"{LOCAL} {kind[1]}"
        if given_by_type[kind] & known_by_type[kind]:
            comparisons.append(Comparison(field, "agrees", rules.identifier_agrees))
        else:
            comparisons.append(Comparison(field, "differs", rules.identifier_differs))
    return comparisons


def _by_kind(identifiers: Iterable[Identifier]) -> dict[tuple[str, str], set[str]]:
    """Compared identifiers' values by (type, operator), operator empty but for LOCAL."""
    found: dict[tuple[str, str], set[str]] = {}
    for identifier in identifiers:
        if identifier.type not in COMPARED_IDENTIFIERS:
            continue
        operator = identifier.value.partition(":")[0] if identifier.type == LOCAL else ""
        found.setdefault((identifier.type, operator), set()).add(identifier.value)
    return found
