"""What the record tells partners when a person's identity changes: a merge and its undoing
as events in the survivor's lane, the surviving number on every later event, and a PNC
amendment of names or date of birth as ``prisoner.updated``. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date, timedelta

import sqlalchemy as sa

from core_records.commands import AmendPoliceRecord, PersonName
from core_records.events import CanonicalEvent
from core_records.identifiers import NOMS, Identifier
from core_records.identity.merges import Merges
from core_records.store.record_store import RecordStore
from core_records.tables import outbox
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


def _events(engine: sa.Engine, event_type: str) -> list[tuple[str, CanonicalEvent]]:
    """(lane, event) of every stored event of ``event_type``, oldest first."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(outbox.c.person_key, outbox.c.body)
            .where(outbox.c.event_type == event_type)
            .order_by(outbox.c.sequence)
        ).all()
    return [(row.person_key, CanonicalEvent.from_envelope(json.loads(row.body))) for row in rows]


def _numbers(event: CanonicalEvent) -> list[str]:
    return [i.value for i in event.person_identifiers if i.type == NOMS]


def test_a_merge_and_its_undoing_are_events_in_the_survivors_lane(
    store: RecordStore, engine: sa.Engine
) -> None:
    survivor = _receive(store, pnc(1))
    [out] = store.apply([message(release(pnc(1)))])
    assert out.status == "applied", out.error
    absorbed = _receive(store, crn(2), prison="MDI")

    merge = Merges(engine).merge(survivor, absorbed, actor="data.steward", reason="same person")
    Merges(engine).unmerge(merge.id, actor="data.steward")

    [(lane, merged)] = _events(engine, "prisoner.merged")
    assert lane == survivor and _numbers(merged) == [survivor]
    assert merged.additional_information == {
        "nomsNumber": survivor, "removedNomsNumber": absorbed, "reason": "MERGE",
    }  # fmt: skip
    # The survivor held the absorbed record's CRN at the merge: the event names it.
    assert crn(2) in merged.person_identifiers
    [(lane, unmerged)] = _events(engine, "prisoner.unmerged")
    assert lane == survivor and _numbers(unmerged) == [survivor]
    assert unmerged.additional_information == {
        "nomsNumber": survivor, "restoredNomsNumber": absorbed, "reason": "UNMERGE",
    }  # fmt: skip
    # The CRN went back with the absorbed record.
    assert crn(2) not in unmerged.person_identifiers


def test_after_a_merge_an_event_about_the_person_names_only_the_surviving_number(
    store: RecordStore, engine: sa.Engine
) -> None:
    survivor = _receive(store, pnc(1))
    [out] = store.apply([message(release(pnc(1)))])
    assert out.status == "applied", out.error
    absorbed = _receive(store, crn(2), prison="MDI")
    Merges(engine).merge(survivor, absorbed, actor="data.steward", reason="same person")

    # A message naming the retired number's identifiers changes the survivor, and what the
    # partners are told of it names the survivor's number, not the retired one.
    later = MONDAY + timedelta(days=50)
    [released] = store.apply([message(release(crn(2), establishment="MDI", at=later))])
    assert released.status == "applied", released.error
    [event] = released.events
    assert _numbers(event) == [survivor] and event.person_key == survivor
    assert event.to_envelope()["detailUrl"].endswith(f"/people/{survivor}")


def test_a_pnc_amendment_of_names_or_date_of_birth_raises_prisoner_updated(
    store: RecordStore, engine: sa.Engine
) -> None:
    person = _receive(store, pnc(7), prison="MDI")
    amendment = AmendPoliceRecord(
        (pnc(7),), None, (PersonName("SMYTHE", "JON", "A"),), MONDAY, date(1980, 2, 29)
    )
    [outcome] = store.apply([message(amendment)])
    assert outcome.status == "applied", outcome.error
    [event] = outcome.events
    assert event.event_type == "prisoner.updated" and _numbers(event) == [person]
    assert event.additional_information == {
        "nomsNumber": person, "reason": "PNC_AMENDMENT", "changed": ["names", "dateOfBirth"],
        "names": [{"surname": "SMYTHE", "forenames": "JON"}], "dateOfBirth": "1980-02-29",
        "prisonId": "MDI",
    }  # fmt: skip
    view = store.person_view(Identifier(NOMS, person))
    assert view is not None and view["dateOfBirth"] == "1980-02-29"

    # The same amendment again changes nothing, and says nothing.
    [again] = store.apply([message(amendment)])
    assert again.status == "applied" and again.events == ()
