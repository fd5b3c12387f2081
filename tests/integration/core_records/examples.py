"""Example people, commands and messages for the record store's tests."""

from __future__ import annotations

import hashlib
import threading
import uuid
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from core_records.commands import (
    Command,
    InboundMessage,
    PersonName,
    PersonParticulars,
    RecordReception,
    RecordRelease,
    RecordTransfer,
)
from core_records.errors import ConcurrentUpdate
from core_records.identifiers import CRN, CRO, PNC, Identifier, cro_check_letter, pnc_check_letter
from core_records.store.record_store import ApplyOutcome, RecordStore

MONDAY = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)


def pnc(serial: int, year: int = 2001) -> Identifier:
    return Identifier(PNC, f"{year}/{serial:07d}{pnc_check_letter(year, serial)}")


def cro(serial: int, year: str = "99") -> Identifier:
    return Identifier(CRO, f"{serial:06d}/{year}{cro_check_letter(str(serial), year)}")


def crn(serial: int) -> Identifier:
    return Identifier(CRN, f"X{serial:06d}")


_SURNAMES = [
    "SMITH",
    "JONES",
    "TAYLOR",
    "BROWN",
    "WILLIAMS",
    "WILSON",
    "JOHNSON",
    "DAVIES",
    "PATEL",
    "WRIGHT",
]
_FORENAMES = [
    "JOHN",
    "DAVID",
    "MICHAEL",
    "PAUL",
    "MARK",
    "ANDREW",
    "PETER",
    "STEVEN",
    "RICHARD",
    "KEVIN",
]


def _distinct_particulars(identifiers: tuple[Identifier, ...]) -> tuple[str, str, date]:
    """A name and date of birth of its own for the person ``identifiers`` name (the first
    one), so that the identity matcher does not take two example people for one."""
    if not identifiers:
        return "SMITH", "JOHN PAUL", date(1985, 4, 12)
    digest = hashlib.sha256(repr(identifiers[0]).encode()).digest()
    surname = f"{_SURNAMES[digest[0] % 10]}{'ABCDEFGHIJ'[digest[1] % 10]}"
    forenames = f"{_FORENAMES[digest[2] % 10]} {_FORENAMES[digest[3] % 10]}"
    return (
        surname,
        forenames,
        date(1960, 1, 1) + timedelta(days=int.from_bytes(digest[4:6]) % 15000),
    )


def particulars(
    *identifiers: Identifier,
    surname: str | None = None,
    forenames: str | None = None,
    born: date | None = None,
    sex: str = "M",
    aliases: tuple[PersonName, ...] = (),
) -> PersonParticulars:
    """An example person; without a name or date of birth, one of their own, derived from
    their first identifier."""
    own_surname, own_forenames, own_birth = _distinct_particulars(identifiers)
    return PersonParticulars(
        identifiers=identifiers,
        name=PersonName(surname=surname or own_surname, forenames=forenames or own_forenames),
        date_of_birth=born or own_birth,
        sex=sex,
        aliases=aliases,
    )


def reception(
    person: PersonParticulars,
    establishment: str = "LEI",
    reason_code: str = "N",
    *,
    at: datetime = MONDAY,
    from_agency: str | None = None,
    legal_status: str | None = None,
) -> RecordReception:
    return RecordReception(
        person=person,
        establishment=establishment,
        reason_code=reason_code,
        occurred_at=at,
        from_agency=from_agency,
        legal_status=legal_status,
    )


def release(
    *identifiers: Identifier,
    establishment: str = "LEI",
    reason_code: str = "CR",
    at: datetime = MONDAY + timedelta(days=30),
    to_agency: str | None = None,
) -> RecordRelease:
    return RecordRelease(
        person=identifiers,
        establishment=establishment,
        reason_code=reason_code,
        occurred_at=at,
        to_agency=to_agency,
    )


def transfer(
    *identifiers: Identifier,
    from_establishment: str = "LEI",
    to_establishment: str = "MDI",
    reason_code: str = "NOTR",
    at: datetime = MONDAY + timedelta(days=7),
) -> RecordTransfer:
    return RecordTransfer(
        person=identifiers,
        from_establishment=from_establishment,
        to_establishment=to_establishment,
        reason_code=reason_code,
        occurred_at=at,
    )


def message(*commands: Command, message_id: str | None = None) -> InboundMessage:
    return InboundMessage(
        message_id=message_id or str(uuid.uuid4()),
        correlation_id=str(uuid.uuid4()),
        adapter="private_prisons",
        message_type="movement",
        partner="g4s",
        received_at=MONDAY,
        commands=commands,
    )


def row_counts(engine: sa.Engine, *tables: sa.Table) -> dict[str, int]:
    """How many rows each table holds."""
    with engine.connect() as connection:
        return {
            table.name: connection.execute(
                sa.select(sa.func.count()).select_from(table)
            ).scalar_one()
            for table in tables
        }


def apply_racing(
    engine: sa.Engine, batches: list[list[InboundMessage]], attempts: int
) -> list[ApplyOutcome]:
    """Apply each batch from a thread and store of its own, all starting at once; a batch
    that loses the race (``ConcurrentUpdate``) is applied again, up to ``attempts`` times.
    The outcomes of every batch that got through."""
    outcomes: list[ApplyOutcome] = []
    barrier = threading.Barrier(len(batches))

    def apply(batch: list[InboundMessage]) -> None:
        store = RecordStore(engine)
        barrier.wait()
        for _ in range(attempts):
            try:
                outcomes.extend(store.apply(batch))
                return
            except ConcurrentUpdate:
                continue

    threads = [threading.Thread(target=apply, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
