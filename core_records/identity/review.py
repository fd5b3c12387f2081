"""Deciding possible-match cases: a person links the held reception to someone on record,
or says it is a new person; the held message is then applied with that decision.

Applying comes first and closing the case second: should the process stop between the two,
deciding again finds the message already applied (a duplicate) and only closes the case.
"""

from __future__ import annotations

from core_records.bookkeeping.audit import AuditEvent, write_audit
from core_records.errors import BusinessRuleViolation
from core_records.identifiers import NOMS, Identifier
from core_records.identity.cases import (
    LINKED,
    NEW_PERSON,
    OPEN,
    IdentityCase,
    close_case,
    get_case,
    list_cases,
)
from core_records.identity.numbers import find_person
from core_records.identity.resolution import Decided
from core_records.store.database import READ_ONLY, store_errors
from core_records.store.record_store import ApplyOutcome, RecordStore
from core_records.timestamps import utc_now


class IdentityReview:
    def __init__(self, store: RecordStore) -> None:
        self._store = store
        self._engine = store.engine

    def cases(self, status: str | None = OPEN, limit: int = 100) -> list[IdentityCase]:
        with store_errors(), self._engine.connect() as connection:
            return list_cases(connection.execution_options(**READ_ONLY), status, limit)

    def case(self, case_id: int) -> IdentityCase | None:
        with store_errors(), self._engine.connect() as connection:
            return get_case(connection, case_id)

    def link(self, case_id: int, prison_number: str, *, actor: str) -> ApplyOutcome:
        """The held reception is ``prison_number``'s: apply it as theirs."""
        with store_errors(), self._engine.connect() as connection:
            person_id = find_person(connection, [Identifier(NOMS, prison_number)])
        if person_id is None:
            raise BusinessRuleViolation(f"no person on record has prison number {prison_number}")
        return self._decide(case_id, Decided(person_id, actor), LINKED, actor)

    def new_person(self, case_id: int, *, actor: str) -> ApplyOutcome:
        """The held reception is someone not on record: apply it as a new person."""
        return self._decide(case_id, Decided(None, actor), NEW_PERSON, actor)

    def _decide(self, case_id: int, decided: Decided, status: str, actor: str) -> ApplyOutcome:
        case = self.case(case_id)
        if case is None:
            raise LookupError(f"no identity case {case_id}")
        if case.status != OPEN:
            raise BusinessRuleViolation(
                f"identity case {case_id} was decided already ({case.status} "
                f"{case.decision_key} by {case.decided_by})"
            )
        [outcome] = self._store.apply([case.message], decided={case.message_id: decided})
        if outcome.status == "rejected":
            assert outcome.error is not None
            raise outcome.error
        now = utc_now()
        with store_errors(), self._engine.begin() as connection:
            closed = close_case(connection, case_id, status, outcome.person_key or "", actor, now)
            if closed:
                write_audit(
                    connection,
                    AuditEvent(
                        now,
                        actor,
                        f"identity_case.{status}",
                        f"identity_case:{case_id}",
                        f"message {case.message_id}: {outcome.person_key}",
                    ),
                )
        return outcome


__all__ = ["IdentityReview"]
