"""Example people, commands and messages for the record store's tests."""

from __future__ import annotations

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
from core_records.identifiers import CRN, CRO, PNC, Identifier, cro_check_letter, pnc_check_letter

MONDAY = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)


def pnc(serial: int, year: int = 2001) -> Identifier:
    return Identifier(PNC, f"{year}/{serial:07d}{pnc_check_letter(year, serial)}")


def cro(serial: int, year: str = "99") -> Identifier:
    return Identifier(CRO, f"{serial:06d}/{year}{cro_check_letter(str(serial), year)}")


def crn(serial: int) -> Identifier:
    return Identifier(CRN, f"X{serial:06d}")


def particulars(
    *identifiers: Identifier,
    surname: str = "SMITH",
    forenames: str = "JOHN PAUL",
    born: date = date(1985, 4, 12),
    sex: str = "M",
    aliases: tuple[PersonName, ...] = (),
) -> PersonParticulars:
    return PersonParticulars(
        identifiers=identifiers,
        name=PersonName(surname=surname, forenames=forenames),
        date_of_birth=born,
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
