"""Merging two records of one person, and undoing it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from core_records.errors import BusinessRuleViolation
from core_records.identifiers import NOMS, Identifier
from core_records.identity.merges import Merges
from core_records.store.record_store import RecordStore
from core_records.tables import audit_event, outbox
from tests.integration.core_records.examples import (
    MONDAY,
    crn,
    message,
    particulars,
    pnc,
    reception,
    release,
)


def _receive(store: RecordStore, *identifiers: Identifier, prison: str = "LEI") -> str:
    [outcome] = store.apply([message(reception(particulars(*identifiers), prison))])
    assert outcome.status == "applied", outcome.error
    assert outcome.person_key is not None
    return outcome.person_key


def _view(store: RecordStore, prison_number: str) -> dict:  # type: ignore[type-arg]
    view = store.person_view(Identifier(NOMS, prison_number))
    assert view is not None
    return view


def test_a_merge_keeps_everything_and_old_identifiers_resolve_to_the_survivor(
    store: RecordStore, engine: sa.Engine
) -> None:
    survivor = _receive(store, pnc(1))
    [out] = store.apply([message(release(pnc(1)))])
    assert out.status == "applied"
    absorbed = _receive(store, crn(2), prison="MDI")
    before = _view(store, absorbed)

    merge = Merges(engine).merge(survivor, absorbed, actor="data.steward", reason="same person")

    view = _view(store, survivor)
    assert _view(store, absorbed)["prisonNumber"] == survivor
    assert {"type": "CRN", "value": crn(2).value} in view["identifiers"]
    assert {"type": "NOMS", "value": absorbed} in view["identifiers"]
    assert len(view["bookings"]) == 2 and len(view["movements"]) == 3
    assert before["names"][0]["surname"] in [
        n["surname"] for n in view["names"] if n["nameType"] == "A"
    ]
    # The absorbed record was in custody, the survivor not: the survivor is now at MDI.
    assert (view["custodyStatus"], view["establishment"]) == ("IN_PRISON", "MDI")

    # A later message naming the absorbed record's identifier changes the survivor.
    later = MONDAY + timedelta(days=50)
    [released] = store.apply([message(release(crn(2), establishment="MDI", at=later))])
    assert released.status == "applied" and released.person_key == survivor

    with engine.connect() as connection:
        [body] = connection.execute(
            sa.select(outbox.c.body).where(outbox.c.event_type == "prisoner.merged")
        ).scalars()
        actions = connection.execute(sa.select(audit_event.c.action)).scalars().all()
    event = json.loads(body)
    assert event["additionalInformation"] == {
        "nomsNumber": survivor,
        "removedNomsNumber": absorbed,
        "reason": "MERGE",
    }
    assert {"type": "NOMS", "value": survivor} in event["personReference"]["identifiers"]
    assert {"type": "NOMS", "value": absorbed} not in event["personReference"]["identifiers"]
    assert "person.merged" in actions
    assert Merges(engine).history()[0].id == merge.id


def test_an_unmerge_restores_both_records(store: RecordStore, engine: sa.Engine) -> None:
    survivor = _receive(store, pnc(1))
    store.apply([message(release(pnc(1)))])
    absorbed = _receive(store, crn(2), prison="MDI")
    survivor_before, absorbed_before = _view(store, survivor), _view(store, absorbed)
    merges = Merges(engine)
    merge = merges.merge(survivor, absorbed, actor="steward", reason="looked alike")

    undone = merges.unmerge(merge.id, actor="steward")

    assert undone.unmerged_by == "steward"
    for before, number in ((survivor_before, survivor), (absorbed_before, absorbed)):
        after = _view(store, number)
        assert after["prisonNumber"] == number
        for key in ("identifiers", "names", "bookings", "movements", "custodyStatus"):
            assert after[key] == before[key], key
        assert after["version"] == before["version"] + (2 if number == survivor else 1)
    with pytest.raises(BusinessRuleViolation, match="undone already"):
        merges.unmerge(merge.id, actor="steward")


def test_two_people_both_in_custody_or_one_merged_already_are_refused(
    store: RecordStore, engine: sa.Engine
) -> None:
    one, two = _receive(store, pnc(1)), _receive(store, pnc(2), prison="MDI")
    merges = Merges(engine)
    with pytest.raises(BusinessRuleViolation, match="both in custody"):
        merges.merge(one, two, actor="steward", reason="x")
    store.apply([message(release(pnc(2), establishment="MDI"))])
    merges.merge(one, two, actor="steward", reason="x")
    with pytest.raises(BusinessRuleViolation, match="merged already"):
        merges.merge(one, two, actor="steward", reason="again")
    with pytest.raises(BusinessRuleViolation, match="no person on record"):
        merges.merge(one, "Z9999ZZ", actor="steward", reason="x")
