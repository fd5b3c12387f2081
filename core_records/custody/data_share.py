"""The data share: read-only access to core case information, cut to what the caller may see.

A partner reads one person by an identifier (prison number, PNC id, CRO number, CRN) or
searches by name and date of birth. What it gets is the person view
(``core_records.custody.person_view``) with only the keys its policy names (``person_fields``).
A caller tied to prisons (a private-prison operator) sees only people now in one of them;
anyone else is "not found", exactly as someone not on record, so that a refusal does not
reveal that a person exists.

Every read, found or not, is audited in the same transaction as it is made: who (the
partner), what (the identifier or search, and the people and fields returned), when, and
why (the purpose the caller must give).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from core_records.bookkeeping.audit import AuditEvent, write_audit
from core_records.commands import PersonName, PersonParticulars
from core_records.custody.person_view import person_view
from core_records.errors import InvalidIdentifier
from core_records.identifiers import CRN, CRO, NOMS, PNC, Identifier, parse_identifier
from core_records.identity.candidates import CandidatePool, description_of
from core_records.identity.matching import MatchRules, compare
from core_records.store.database import store_errors
from core_records.timestamps import utc_now

READ = "data_share.read"
SEARCH = "data_share.search"
MAX_RESULTS = 20


@dataclass(frozen=True)
class Reader:
    """Who is reading, and what they may see."""

    partner: str
    fields: frozenset[str]
    """Keys of the person view the partner may read."""
    establishments: frozenset[str] | None = None
    """The prisons the partner runs, when it may see only the people in them; None: not
    tied to prisons. An operator running no prisons (empty) sees no one."""
    purposes: frozenset[str] = frozenset()
    """Why the partner may read (its policy's); one is the purpose of a read naming none."""

    def may_see(self, view: dict[str, Any]) -> bool:
        return self.establishments is None or view.get("establishment") in self.establishments

    def cut(self, view: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in view.items() if key in self.fields}


def identifier_from_text(text: str) -> Identifier:
    """The identifier ``text`` is: a prison number, CRN, PNC id or CRO number, tried in that
    order. Raises ``InvalidIdentifier`` naming the forms accepted."""
    for identifier_type in (NOMS, CRN, PNC, CRO):
        try:
            return parse_identifier(identifier_type, text)
        except InvalidIdentifier:
            continue
    raise InvalidIdentifier("identifier", text, "not a prison number, CRN, PNC id or CRO number")


class DataShare:
    def __init__(self, engine: sa.Engine, rules: MatchRules | None = None) -> None:
        self._engine = engine
        self._rules = rules or MatchRules()

    def read(self, reader: Reader, identifier: Identifier, purpose: str) -> dict[str, Any] | None:
        """The person ``identifier`` names, cut to ``reader``'s fields; None when not on
        record or not the reader's to see. Audited either way."""
        with store_errors(), self._engine.begin() as connection:
            on_record = person_view(connection, identifier, reader.fields)
            view = on_record
            if view is not None and not reader.may_see(view):
                view = None
            shown = None if view is None else reader.cut(view)
            # A refused read is filed against the person asked about, so that their trail
            # shows who tried; the caller was told only "not found".
            _audit(
                connection,
                reader,
                READ,
                f"person:{on_record['prisonNumber']}"
                if on_record
                else f"{identifier.type}:{identifier.value}",
                purpose,
                asked=f"{identifier.type} {identifier.value}",
                found=[] if view is None else [view["prisonNumber"]],
                fields=sorted(shown) if shown else [],
            )
        return shown

    def search(
        self, reader: Reader, surname: str, forenames: str, born: date, purpose: str
    ) -> list[dict[str, Any]]:
        """People who may be the one described (a match score at least the review
        threshold), best first, cut to ``reader``'s fields. Audited."""
        wanted = PersonParticulars((), PersonName(surname, forenames), born, "NK")
        incoming = description_of(wanted)
        with store_errors(), self._engine.begin() as connection:
            pool = CandidatePool()
            pool.read(connection, [wanted])
            scored = sorted(
                (
                    (compare(incoming, candidate, self._rules).score, candidate.prison_number)
                    for candidate in pool.candidates(wanted)
                ),
                key=lambda pair: (-pair[0], pair[1] or ""),
            )
            views = []
            for score, prison_number in scored:
                if score < self._rules.review_threshold or prison_number is None:
                    continue
                view = person_view(connection, Identifier(NOMS, prison_number), reader.fields)
                if view is not None and reader.may_see(view):
                    views.append(view)
                if len(views) == MAX_RESULTS:
                    break
            shown = [reader.cut(view) for view in views]
            _audit(
                connection,
                reader,
                SEARCH,
                "search",
                purpose,
                asked=f"{surname} / {forenames} / {born.isoformat()}",
                found=[view["prisonNumber"] for view in views],
                fields=sorted(reader.fields),
            )
        return shown


def _audit(
    connection: sa.Connection,
    reader: Reader,
    action: str,
    subject: str,
    purpose: str,
    *,
    asked: str,
    found: Iterable[str],
    fields: list[str],
) -> None:
    detail = json.dumps(
        {"purpose": purpose, "asked": asked, "found": list(found), "fields": fields},
        separators=(",", ":"),
    )
    write_audit(connection, AuditEvent(utc_now(), reader.partner, action, subject[:255], detail))
