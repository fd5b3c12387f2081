"""A person merge alongside what PNC, probation and the security application tell
the record: their rows follow the person through a merge and back through an unmerge, and
PNC's own "records merged" still works on a merged record. SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from core_records.commands import MergePoliceRecords, RecordSecurityAlert
from core_records.identifiers import NOMS, PNC, Identifier
from core_records.identity.merges import Merges
from core_records.partner_records.commands import (
    REGISTERED,
    RecordNonAssociation,
    RecordProbationCase,
    RecordRegistration,
)
from core_records.partner_records.intelligence_tables import security_alert
from core_records.partner_records.tables import non_association, probation_registration
from core_records.store.record_store import RecordStore
from core_records.tables import person
from tests.integration.core_records.examples import (
    MONDAY,
    crn,
    message,
    particulars,
    pnc,
    reception,
    release,
)


def _apply(store: RecordStore, command) -> None:  # type: ignore[no-untyped-def]
    [outcome] = store.apply([message(command)])
    assert outcome.status == "applied", outcome.error


def _receive(store: RecordStore, *identifiers: Identifier, prison: str = "LEI") -> str:
    [outcome] = store.apply([message(reception(particulars(*identifiers), prison))])
    assert outcome.status == "applied", outcome.error
    assert outcome.person_key is not None
    return outcome.person_key


def _owners(engine: sa.Engine) -> dict[str, list[str]]:
    """Whose prison number each registration and security alert is filed under."""
    with engine.connect() as connection:
        registrations = connection.execute(
            sa.select(person.c.prison_number).join(
                probation_registration, probation_registration.c.person_id == person.c.id
            )
        ).scalars()
        alerts = connection.execute(sa.select(security_alert.c.prison_number)).scalars()
        return {"registrations": sorted(registrations), "alerts": sorted(alerts)}


def test_partner_records_follow_a_merge_and_come_back_on_unmerge(
    store: RecordStore, engine: sa.Engine
) -> None:
    survivor = _receive(store, pnc(1))
    _apply(store, release(pnc(1)))
    absorbed = _receive(store, pnc(2), prison="MDI")
    absorbed_id = Identifier(NOMS, absorbed)
    _apply(store, RecordProbationCase((absorbed_id, crn(2)), crn(2), MONDAY))
    _apply(store, RecordRegistration((crn(2),), "MAPP", "1", REGISTERED, date(2026, 1, 5), MONDAY))
    _apply(store, RecordSecurityAlert((absorbed_id,), "SEC-9", "XEL", True, MONDAY))
    assert _owners(engine) == {"registrations": [absorbed], "alerts": [absorbed]}

    merges = Merges(engine)
    merge = merges.merge(survivor, absorbed, actor="steward", reason="same person")
    assert _owners(engine) == {"registrations": [survivor], "alerts": [survivor]}
    # The security application closes the alert it raised, naming the absorbed record:
    # it is the survivor's alert now, not "someone else's".
    _apply(store, RecordSecurityAlert((absorbed_id,), "SEC-9", "XEL", False, MONDAY))

    merges.unmerge(merge.id, actor="steward")
    assert _owners(engine) == {"registrations": [absorbed], "alerts": [absorbed]}


def _kept_apart(first: str, second: str) -> RecordNonAssociation:
    return RecordNonAssociation(
        (Identifier(NOMS, first),), (Identifier(NOMS, second),), "VIC", date(2026, 1, 5),
        MONDAY, "serco", frozenset({"DNI"}),
    )  # fmt: skip


def _pairs(engine: sa.Engine) -> list[tuple[str, str]]:
    """Each non-association row's two people, by prison number."""
    first, second = person.alias(), person.alias()
    with engine.connect() as connection:
        found = connection.execute(
            sa.select(first.c.prison_number, second.c.prison_number)
            .select_from(non_association)
            .join(first, first.c.id == non_association.c.person_id)
            .join(second, second.c.id == non_association.c.other_person_id)
            .order_by(non_association.c.id)
        )
        return [(row[0], row[1]) for row in found]


def test_non_associations_on_either_side_follow_a_merge_and_come_back_on_unmerge(
    store: RecordStore, engine: sa.Engine
) -> None:
    survivor = _receive(store, pnc(1))
    _apply(store, release(pnc(1)))
    absorbed = _receive(store, pnc(2), prison="DNI")
    victim, rival = _receive(store, pnc(3), prison="DNI"), _receive(store, pnc(4), prison="DNI")
    _apply(store, _kept_apart(absorbed, victim))
    _apply(store, _kept_apart(rival, absorbed))

    merges = Merges(engine)
    merge = merges.merge(survivor, absorbed, actor="steward", reason="same person")
    assert _pairs(engine) == [(survivor, victim), (rival, survivor)]

    merges.unmerge(merge.id, actor="steward")
    assert _pairs(engine) == [(absorbed, victim), (rival, absorbed)]


def test_pnc_merging_its_records_after_a_person_merge_leaves_the_retained_id(
    store: RecordStore, engine: sa.Engine
) -> None:
    survivor = _receive(store, pnc(1))
    _apply(store, release(pnc(1)))
    absorbed = _receive(store, pnc(23456), prison="MDI")
    Merges(engine).merge(survivor, absorbed, actor="steward", reason="same person")

    def pnc_ids(prison_number: str) -> list[str]:
        view = store.person_view(Identifier(NOMS, prison_number))
        assert view is not None and view["prisonNumber"] == survivor
        return sorted(i["value"] for i in view["identifiers"] if i["type"] == PNC)

    # The merged record holds both police records' ids until PNC merges them too.
    assert pnc_ids(absorbed) == sorted([pnc(1).value, pnc(23456).value])
    _apply(store, MergePoliceRecords((pnc(1), pnc(23456)), pnc(1), pnc(23456), MONDAY))
    assert pnc_ids(absorbed) == pnc_ids(survivor) == [pnc(1).value]
