"""Finding the person a partner's message is about: anyone on record, or someone who must
be in custody at the prison that sends it."""

from __future__ import annotations

from core_records.custody.person_record import IN_PRISON, Booking, PersonState
from core_records.errors import BusinessRuleViolation
from core_records.identifiers import Identifier
from core_records.identity.numbers import person_from_holders
from core_records.store.unit_of_work import UnitOfWork


def person_on_record(work: UnitOfWork, identifiers: tuple[Identifier, ...]) -> PersonState:
    """The person the strong ``identifiers`` name; a ``BusinessRuleViolation`` if none."""
    person_id = person_from_holders(identifiers, work.holders(identifiers))
    if person_id is None:
        described = ", ".join(f"{i.type} {i.value}" for i in identifiers) or "no identifiers"
        raise BusinessRuleViolation(f"no person on record has {described}")
    return work.load_person(person_id)


def person_in_custody_at(
    work: UnitOfWork, identifiers: tuple[Identifier, ...], establishment: str
) -> tuple[PersonState, Booking]:
    """The person the identifiers name, in custody at ``establishment``.

    Anyone else, whether not on record, not in custody or held at another prison, is refused
    with the same words: the reason reaches the sending partner (its message's status), and
    an operator must not learn from it that a person exists, or where they are held.
    """
    person_id = person_from_holders(identifiers, work.holders(identifiers))
    current = None if person_id is None else work.load_person(person_id)
    if (
        current is None
        or current.custody_status != IN_PRISON
        or current.active_booking is None
        or current.current_establishment != establishment
    ):
        described = ", ".join(f"{i.type} {i.value}" for i in identifiers) or "no identifiers"
        raise BusinessRuleViolation(f"no one in custody at {establishment} has {described}")
    return current, current.active_booking
