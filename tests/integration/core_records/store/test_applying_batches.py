"""``RecordStore.apply``: one transaction per batch, each message kept or refused on its own,
and a message applied at most once."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from core_records.bookkeeping import journal
from core_records.bookkeeping.journal import Journal
from core_records.custody.person_record import IN_PRISON, change_custody, load_person
from core_records.custody.reference_data import ReferenceData
from core_records.errors import BusinessRuleViolation, ConcurrentUpdate, StoreUnavailable
from core_records.store.database import create_engine
from core_records.store.record_store import RecordStore
from core_records.store.unit_of_work import UnitOfWork
from core_records.tables import (
    booking,
    inbox,
    movement,
    outbox,
    person,
    person_identifier,
    person_name,
)
from core_records.timestamps import utc_now
from tests.integration.core_records.examples import (
    message,
    particulars,
    pnc,
    reception,
    release,
    row_counts,
    transfer,
)

RECORD_TABLES = (person, person_identifier, person_name, booking, movement, inbox, outbox)


def test_a_redelivered_reception_changes_nothing_twice(
    store: RecordStore, engine: sa.Engine
) -> None:
    received = message(reception(particulars(pnc(23456))))
    [first] = store.apply([received])
    counts = row_counts(engine, *RECORD_TABLES)

    [again] = store.apply([received])

    assert (first.status, again.status) == ("applied", "duplicate")
    assert again.events == () and again.person_key == first.person_key
    assert row_counts(engine, *RECORD_TABLES) == counts
    hops = [hop.hop for hop in Journal(engine).trace(received.message_id)]
    assert hops == [journal.STORED, journal.DUPLICATE]


def test_a_message_twice_in_one_batch_is_applied_once(
    store: RecordStore, engine: sa.Engine
) -> None:
    received = message(reception(particulars(pnc(23456))))
    outcomes = store.apply([received, received])
    assert [o.status for o in outcomes] == ["applied", "duplicate"]
    assert row_counts(engine, person, inbox)["inbox"] == 1


def test_a_rejected_message_in_a_batch_leaves_the_others_applied_and_only_a_hop_of_itself(
    store: RecordStore, engine: sa.Engine
) -> None:
    before = row_counts(engine, *RECORD_TABLES)
    first = message(reception(particulars(pnc(1))))
    refused = message(release(pnc(999)))
    last = message(reception(particulars(pnc(2)), "MDI"))

    outcomes = store.apply([first, refused, last])

    assert [o.status for o in outcomes] == ["applied", "rejected", "applied"]
    assert isinstance(outcomes[1].error, BusinessRuleViolation)
    after = row_counts(engine, *RECORD_TABLES)
    assert after["person"] == before["person"] + 2
    assert after["inbox"] == before["inbox"] + 2
    assert after["outbox"] == before["outbox"] + 2
    [hop] = Journal(engine).trace(refused.message_id)
    assert (hop.hop, hop.outcome) == (journal.REJECTED, "error")
    assert hop.detail == outcomes[1].error.reason
    assert (hop.adapter, hop.partner, hop.direction) == ("private_prisons", "g4s", "inbound")


def test_a_message_refused_by_a_later_command_keeps_none_of_its_earlier_commands(
    store: RecordStore, engine: sa.Engine
) -> None:
    store.apply([message(reception(particulars(pnc(1))))])
    before = row_counts(engine, *RECORD_TABLES)
    # The transfer is applied first and writes; the release from LEI then finds the person
    # at MDI and refuses the message: the transfer must be undone with it.
    both = message(transfer(pnc(1)), release(pnc(1), establishment="LEI"))

    [outcome] = store.apply([both])

    assert outcome.status == "rejected"
    assert row_counts(engine, *RECORD_TABLES) == before
    view = store.person_view(pnc(1))
    assert view is not None
    assert (view["establishment"], view["version"]) == ("LEI", 1)


def test_a_refused_message_undoes_its_changes_to_a_person_new_in_the_same_batch(
    store: RecordStore, engine: sa.Engine
) -> None:
    before = row_counts(engine, *RECORD_TABLES)
    outcomes = store.apply(
        [
            message(reception(particulars(pnc(1)))),
            # moves the new person to MDI, then fails: the move must be undone
            message(transfer(pnc(1)), release(pnc(1), establishment="LEI")),
            # creates a second person, then fails: that person must not be written
            message(reception(particulars(pnc(2)), "BXI"), release(pnc(2), establishment="LEI")),
            message(release(pnc(1), establishment="LEI", reason_code="SC")),
        ]
    )
    assert [o.status for o in outcomes] == ["applied", "rejected", "rejected", "applied"]
    after = row_counts(engine, *RECORD_TABLES)
    assert after["person"] == before["person"] + 1
    assert after["booking"] == before["booking"] + 1
    assert store.person_view(pnc(2)) is None
    view = store.person_view(pnc(1))
    assert view is not None
    assert (view["custodyStatus"], view["establishment"], view["version"]) == (
        "OUTSIDE_PRISON",
        None,
        2,
    )
    assert [(m["movementType"], m["fromAgency"]) for m in view["movements"]] == [
        ("ADM", None),
        ("REL", "LEI"),
    ]


def test_a_later_message_in_the_batch_sees_what_an_earlier_one_did(store: RecordStore) -> None:
    outcomes = store.apply(
        [
            message(reception(particulars(pnc(1)))),
            message(transfer(pnc(1))),
            message(release(pnc(1), establishment="MDI")),
            message(reception(particulars(pnc(1)), "BXI")),
        ]
    )
    assert [o.status for o in outcomes] == ["applied"] * 4
    reasons = [e.additional_information["reason"] for o in outcomes for e in o.events]
    assert reasons == ["NEW_ADMISSION", "TRANSFERRED", "TRANSFERRED", "RELEASED", "READMISSION"]
    assert store.person_view(pnc(1))["version"] == 4  # type: ignore[index]


def test_the_stored_hop_names_the_person_and_the_message(
    store: RecordStore, engine: sa.Engine
) -> None:
    received = message(reception(particulars(pnc(1))))
    [outcome] = store.apply([received])
    [hop] = Journal(engine).trace(received.message_id)[:1]
    assert (hop.hop, hop.outcome, hop.person_key) == (journal.STORED, "ok", outcome.person_key)
    assert (hop.correlation_id, hop.message_type) == (received.correlation_id, "movement")
    assert hop.detail == "prisoner.received"


def test_a_record_changed_by_another_writer_is_a_concurrent_update(
    store: RecordStore, engine: sa.Engine
) -> None:
    store.apply([message(reception(particulars(pnc(1))))])
    with engine.begin() as connection:
        [person_id] = connection.execute(sa.select(person.c.id)).scalars()
        seen = load_person(connection, person_id)
        connection.execute(sa.update(person).values(version=person.c.version + 1))
        with pytest.raises(ConcurrentUpdate, match=seen.prison_number):
            change_custody(
                connection, seen, custody_status=IN_PRISON, establishment="MDI", now=utc_now()
            )


@pytest.mark.postgres
def test_two_writers_receiving_the_same_new_person_at_once_create_one_person(
    postgres_url: str,
) -> None:
    """The second writer takes the lock on the person's identity keys that the first holds
    (``core_records.store.identity_locks``), so it waits for the first to commit before it
    looks for the person; then it finds them already in custody and refuses its reception,
    instead of creating a second person."""
    first_engine, second_engine = create_engine(postgres_url), create_engine(postgres_url)
    committing, may_commit = threading.Event(), threading.Event()

    @sa.event.listens_for(first_engine, "commit")
    def hold_the_commit(_connection: sa.Connection) -> None:
        committing.set()
        may_commit.wait(10)

    first, second = RecordStore(first_engine), RecordStore(second_engine)
    first.reload_reference_data()
    second.reload_reference_data()
    by_first, by_second = (
        message(reception(particulars(pnc(1)))),
        message(reception(particulars(pnc(1)), "MDI")),
    )
    results: dict[str, object] = {}

    def apply(name: str, store: RecordStore, received: object) -> None:
        try:
            results[name] = store.apply([received])[0].status  # type: ignore[list-item]
        except ConcurrentUpdate as error:
            results[name] = error

    threads = [
        threading.Thread(target=apply, args=("first", first, by_first)),
        threading.Thread(target=apply, args=("second", second, by_second)),
    ]
    try:
        threads[0].start()
        assert committing.wait(10)
        threads[1].start()
        _wait_until_a_session_waits_for_a_lock(first_engine)
        may_commit.set()
        for thread in threads:
            thread.join(10)
        assert results["first"] == "applied"
        assert results["second"] == "rejected"
        [again] = second.apply([by_second])
        assert again.status == "rejected" and "already in custody at LEI" in again.error.reason
        assert row_counts(first_engine, person)["person"] == 1
    finally:
        may_commit.set()
        first_engine.dispose()
        second_engine.dispose()


def _wait_until_a_session_waits_for_a_lock(engine: sa.Engine) -> None:
    query = sa.text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + 10
    watcher = create_engine(engine.url, poolclass=sa.NullPool)
    try:
        with watcher.connect() as connection:
            while connection.execute(query).scalar_one() == 0:
                connection.rollback()
                assert time.monotonic() < deadline, "the second writer never waited"
                time.sleep(0.02)
    finally:
        watcher.dispose()


def test_an_unreachable_database_is_store_unavailable() -> None:
    engine = create_engine("postgresql://postgres@127.0.0.1:1/nowhere", pool_pre_ping=False)
    store = RecordStore(engine)
    with pytest.raises(StoreUnavailable):
        store.ping()
    with pytest.raises(StoreUnavailable):
        store.apply([message(reception(particulars(pnc(1))))])
    engine.dispose()


def test_a_handler_refused_after_writing_without_a_savepoint_abandons_the_whole_batch(
    engine: sa.Engine,
) -> None:
    with engine.connect() as connection:
        work = UnitOfWork(connection, ReferenceData.from_files(), utc_now())
        work.begin("m-1", commands=1)
        work.writing()
        with pytest.raises(RuntimeError, match="whole batch is abandoned"):
            work.discard()
