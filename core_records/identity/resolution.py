"""Who a reception is about when no strong identifier on record says so.

``resolve`` scores every candidate (``core_records.identity.candidates``, and the people new in the
same batch) with ``core_records.identity.matching`` and decides on the best:

- link: the reception is that person's (a readmission);
- review: ``HeldForReview`` is raised; the store holds the message in a possible-match case
  (``core_records.identity.cases``) and creates no one until a person decides;
- new: a new person.

A case decided by a person is applied again with that decision (``Decided``), and matching
is not run a second time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa

from core_records.commands import PersonParticulars
from core_records.identity.candidates import CandidatePool, candidates, description_of
from core_records.identity.matching import (
    LINK,
    NEW,
    REVIEW,
    Description,
    MatchRules,
    MatchScore,
    compare,
)

CASE_CANDIDATES = 5
"""How many of the best candidates a possible-match case shows."""


@dataclass(frozen=True)
class Scored:
    candidate: Description
    score: MatchScore

    def as_dict(self) -> dict[str, object]:
        return {"prisonNumber": self.candidate.prison_number, **self.score.as_dict()}


@dataclass(frozen=True)
class Resolution:
    outcome: str
    """``link``, ``review`` or ``new``; ``identifier`` and ``decided`` are recorded by others."""
    best: Scored | None
    ranked: tuple[Scored, ...] = ()

    @property
    def person_id(self) -> int | None:
        return self.best.candidate.person_id if self.outcome == LINK and self.best else None

    def evidence(self) -> str:
        return json.dumps(
            {"candidates": [s.as_dict() for s in self.ranked[:CASE_CANDIDATES]]},
            separators=(",", ":"),
        )


@dataclass(frozen=True)
class Decided:
    """A person's decision on a possible-match case: link to ``person_id``, or a new person
    (``person_id`` None)."""

    person_id: int | None
    decided_by: str


class HeldForReview(Exception):
    """The reception may be someone on record: a person must decide. Not a ``GatehouseError``:
    nothing is wrong with the message, and it is neither retried nor dead-lettered."""

    def __init__(self, resolution: Resolution) -> None:
        best = resolution.best
        assert best is not None
        super().__init__(
            f"possible match with {best.candidate.prison_number} "
            f"(score {best.score.score:.1f}): held for review"
        )
        self.resolution = resolution


def resolve(
    connection: sa.Connection,
    particulars: PersonParticulars,
    rules: MatchRules,
    in_batch: list[Description],
    pool: CandidatePool | None = None,
) -> Resolution:
    """The best candidate for ``particulars`` and the decision on it (see the module doc).
    ``pool``: candidates read ahead for a batch; read here when absent."""
    incoming = description_of(particulars)
    if pool is None:
        found = candidates(connection, particulars)
    else:
        pool.read(connection, [particulars])
        found = pool.candidates(particulars)
    seen = {c.person_id for c in found}
    pool = found + [c for c in in_batch if c.person_id not in seen]
    ranked = tuple(
        sorted(
            (Scored(c, compare(incoming, c, rules)) for c in pool),
            key=lambda s: (-s.score.score, s.candidate.person_id or 0),
        )
    )
    if not ranked:
        return Resolution(NEW, None)
    best = ranked[0]
    if best.score.score >= rules.link_threshold:
        # Two candidates both over the link threshold are not a certain link: a person decides.
        if len(ranked) > 1 and ranked[1].score.score >= rules.link_threshold:
            return Resolution(REVIEW, best, ranked)
        return Resolution(LINK, best, ranked)
    if best.score.score >= rules.review_threshold:
        return Resolution(REVIEW, best, ranked)
    return Resolution(NEW, best, ranked)
