"""A checked legacy row as the inbound message live traffic would send: the reception (with
identifiers, names and aliases, a booking), its sentence key dates, incentive level, alerts
and balance.

A row is one message, so the store applies it whole or not at all (never a half-loaded
person), and the message id is made from the row's key, so the store's inbox loads it
exactly once however often the migration is run or resumed.

The migration issues the person's book number before the reception (from the hub's own
allocator, so no one else gets it): the row's later commands name the person by it, as the
LIDS number is local to one prison and names no one for certain.

A LIDS number is recorded with the prison whose system issued it (``LEI/AL9692``, see
``core_records.identifiers.lids_number``): the row's own number is the row's prison's; a
previous number written ``WWI/AB1234`` is Wandsworth's. A previous number written without
its prison (``AB1234``) cannot be told from another prison's same number, so it is not
recorded on the person at all: it would otherwise name, or refuse, a different person at
whichever prison issued it too. The report notes each one (``extract.unscoped_notes``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from core_records.canteen.account import CREDIT, RecordCanteenTransaction
from core_records.commands import (
    Command,
    InboundMessage,
    PersonName,
    PersonParticulars,
    RecordReception,
)
from core_records.custody.prison_records import RecordIncentiveReview, RecordPrisonAlert
from core_records.estate.migration.extract import LegacyRow
from core_records.identifiers import (
    BOOKING,
    LIDS,
    Identifier,
    lids_number,
    parse_cro_number,
    parse_lids_number,
    parse_pnc_id,
)
from core_records.partner_records.commands import RecordSentence

ADAPTER = "estate-migration"
MESSAGE_TYPE = "legacy-row"
SENTENCED = "SENTENCED"
REMAND = "REMAND"


def message_id(establishment: str, lids_number: str, row_hash: str) -> str:
    """The row's message id: the same row always has the same one."""
    return f"migration:{establishment}:{lids_number}:{row_hash}"


def row_message(
    row: LegacyRow, row_hash: str, book_number: str, received_at: datetime
) -> InboundMessage:
    """The message that loads ``row``; ``book_number`` is the one issued for its booking."""
    identifiers = [Identifier(LIDS, lids_number(row.establishment, row.lids_number))]
    identifiers += [Identifier(LIDS, parse_lids_number(p)) for p in scoped_previous_numbers(row)]
    if row.pnc:
        identifiers.append(Identifier("PNC", parse_pnc_id(row.pnc)))
    if row.cro:
        identifiers.append(Identifier("CRO", parse_cro_number(row.cro)))
    booking = (Identifier(BOOKING, book_number),)
    received = _at(row.first_reception_date)
    sentenced = row.sentence_start is not None
    commands: list[Command] = [
        RecordReception(
            person=PersonParticulars(
                identifiers=(*identifiers, *booking),
                name=PersonName(row.surname, row.forenames),
                date_of_birth=row.date_of_birth,
                sex=row.sex,
                aliases=tuple(PersonName(s, f, "A") for s, f in row.aliases),
            ),
            establishment=row.establishment,
            reason_code="I" if sentenced else "N",
            occurred_at=received,
            legal_status=SENTENCED if sentenced else REMAND,
        )
    ]
    key_dates = dict(row.key_dates)
    if row.sentence_end is not None:
        key_dates["SED"] = row.sentence_end
    if key_dates:
        commands.append(
            RecordSentence(
                person=booking,
                establishment=row.establishment,
                key_dates=tuple(sorted(key_dates.items())),
                occurred_at=received,
            )
        )
    commands += standing_commands(row, booking, received)
    if row.balance_pence > 0:
        commands.append(
            RecordCanteenTransaction(
                person=booking,
                transaction_type=CREDIT,
                amount_pence=row.balance_pence,
                client_reference=f"MIGRATION-{row.establishment}-{row.lids_number}-{row_hash[:8]}",
                occurred_at=received,
                establishment=row.establishment,
            )
        )
    mid = message_id(row.establishment, row.lids_number, row_hash)
    return InboundMessage(
        message_id=mid,
        correlation_id=mid,
        adapter=ADAPTER,
        message_type=MESSAGE_TYPE,
        partner=None,
        received_at=received_at,
        commands=tuple(commands),
    )


def scoped_previous_numbers(row: LegacyRow) -> tuple[str, ...]:
    """The row's previous prison numbers that say which prison issued them (``WWI/AB1234``)."""
    return tuple(p for p in row.previous_prison_numbers if "/" in p)


def standing_commands(
    row: LegacyRow, booking: tuple[Identifier, ...], at: datetime
) -> list[Command]:
    """The row's incentive level and alerts, through the prison's own commands."""
    commands: list[Command] = []
    if row.incentive_band:
        commands.append(RecordIncentiveReview(booking, row.establishment, row.incentive_band, at))
    commands += [
        RecordPrisonAlert(booking, row.establishment, code, True, at) for code in row.alert_flags
    ]
    return commands


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=UTC)
