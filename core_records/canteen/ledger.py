"""Reading the canteen accounts: an order file's outcomes, a prison's roll, one person's account.

These are reads only; every change goes through ``RecordStore.apply`` with a
``RecordCanteenTransaction``. Amounts are in pence.

    order_file_outcomes(engine, order_file)   -> [LineOutcome], by line number
    order_file_decided(engine, order_file)    -> how many lines are decided
    transaction_outcome(engine, reference)    -> LineOutcome | None
    prisons_holding_people(engine)            -> the prisons a night needs rolls for
    roll(engine, establishment, at)           -> iterator of RollEntry, by prison number
    account_of(engine, prison_number, at)     -> AccountView | None
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from core_records.canteen import account as canteen
from core_records.canteen.account import Account
from core_records.canteen.tables import canteen_account, canteen_refusal, canteen_transaction
from core_records.custody.person_record import IN_PRISON
from core_records.custody.tables import person, person_name
from core_records.store.database import READ_ONLY


@dataclass(frozen=True)
class LineOutcome:
    """What became of one line of an order file."""

    line_number: int
    client_reference: str
    prison_number: str | None
    transaction_type: str
    amount_pence: int
    accepted: bool
    reason: str | None = None
    """A refusal code from ``core_records.canteen.account`` (``INSUFFICIENT_FUNDS``, ...)."""
    detail: str | None = None
    balance_after_pence: int | None = None


@dataclass(frozen=True)
class RollEntry:
    """One person on a prison's canteen roll."""

    prison_number: str
    surname: str
    forenames: str
    location: str
    """Where the person is held: the record keeps the prison, not the cell."""
    incentive_level: str
    available_spends_pence: int


@dataclass(frozen=True)
class AccountView:
    prison_number: str
    establishment: str | None
    balance_pence: int
    spend_limit_pence: int
    available_spends_pence: int


def order_file_outcomes(engine: sa.Engine, order_file: str) -> list[LineOutcome]:
    """Every line of the order file ``order_file`` the store has decided, by line number."""
    applied = (
        sa.select(
            canteen_transaction.c.line_number,
            canteen_transaction.c.client_reference,
            person.c.prison_number,
            canteen_transaction.c.transaction_type,
            canteen_transaction.c.amount_pence,
            canteen_transaction.c.balance_after_pence,
        )
        .join(person, person.c.id == canteen_transaction.c.person_id)
        .where(canteen_transaction.c.order_file == order_file)
    )
    refused = sa.select(
        canteen_refusal.c.line_number,
        canteen_refusal.c.client_reference,
        canteen_refusal.c.prison_number,
        canteen_refusal.c.transaction_type,
        canteen_refusal.c.amount_pence,
        canteen_refusal.c.reason,
        canteen_refusal.c.detail,
    ).where(canteen_refusal.c.order_file == order_file)
    with engine.connect().execution_options(**READ_ONLY) as connection:
        outcomes = [
            LineOutcome(r[0], r[1], r[2], r[3], r[4], True, balance_after_pence=r[5])
            for r in connection.execute(applied)
        ]
        outcomes += [
            LineOutcome(r[0], r[1], r[2], r[3], r[4], False, r[5], r[6])
            for r in connection.execute(refused)
        ]
    return sorted(outcomes, key=lambda outcome: outcome.line_number)


def roll(engine: sa.Engine, establishment: str, at: datetime) -> Iterator[RollEntry]:
    """The people in custody at ``establishment``, with what each may spend in the week of
    ``at``; read in chunks, so a prison of any size streams."""
    query = (
        sa.select(
            person.c.prison_number,
            person_name.c.surname,
            person_name.c.forenames,
            person.c.incentive_level,
            person.c.legal_status,
            canteen_account.c.balance_pence,
            canteen_account.c.week_starting,
            canteen_account.c.spent_this_week_pence,
        )
        .join(
            person_name,
            sa.and_(person_name.c.person_id == person.c.id, person_name.c.name_type == "CN"),
        )
        .outerjoin(canteen_account, canteen_account.c.person_id == person.c.id)
        .where(
            person.c.custody_status == IN_PRISON, person.c.current_establishment == establishment
        )
        .order_by(person.c.prison_number, person_name.c.id)
    )
    with engine.connect().execution_options(**READ_ONLY, yield_per=500) as connection:
        last = None
        for row in connection.execute(query):
            if row.prison_number == last:
                continue  # a second current name: the first recorded is the one shops use
            last = row.prison_number
            level = row.incentive_level or canteen.DEFAULT_INCENTIVE_LEVEL
            yield RollEntry(
                prison_number=row.prison_number,
                surname=row.surname,
                forenames=row.forenames,
                location=establishment,
                incentive_level=level,
                available_spends_pence=_available(row, establishment, at),
            )


def account_of(engine: sa.Engine, prison_number: str, at: datetime) -> AccountView | None:
    """The canteen account of the person with ``prison_number``, or None if no one has it."""
    query = (
        sa.select(
            person.c.current_establishment,
            person.c.custody_status,
            person.c.incentive_level,
            person.c.legal_status,
            canteen_account.c.balance_pence,
            canteen_account.c.week_starting,
            canteen_account.c.spent_this_week_pence,
        )
        .outerjoin(canteen_account, canteen_account.c.person_id == person.c.id)
        .where(person.c.prison_number == prison_number)
    )
    with engine.connect().execution_options(**READ_ONLY) as connection:
        row = connection.execute(query).first()
    if row is None:
        return None
    establishment = row.current_establishment if row.custody_status == IN_PRISON else None
    limit = canteen.weekly_spend_limit(
        establishment, row.incentive_level, canteen.is_remand(row.legal_status)
    )
    account = _account(row)
    return AccountView(
        prison_number=prison_number,
        establishment=establishment,
        balance_pence=account.balance_pence,
        spend_limit_pence=limit,
        available_spends_pence=canteen.available_spends(account, limit, at),
    )


def _account(row: sa.Row) -> Account:  # type: ignore[type-arg]
    if row.balance_pence is None:
        return Account()
    return Account(row.balance_pence, row.week_starting, row.spent_this_week_pence)


def _available(row: sa.Row, establishment: str, at: datetime) -> int:  # type: ignore[type-arg]
    limit = canteen.weekly_spend_limit(
        establishment, row.incentive_level, canteen.is_remand(row.legal_status)
    )
    return canteen.available_spends(_account(row), limit, at)


def order_file_decided(engine: sa.Engine, order_file: str) -> int:
    """How many lines of ``order_file`` the store has decided (applied or refused): a cheap
    check before ``order_file_outcomes`` reads them all."""
    counts = [
        sa.select(sa.func.count()).where(table.c.order_file == order_file)
        for table in (canteen_transaction, canteen_refusal)
    ]
    with engine.connect().execution_options(**READ_ONLY) as connection:
        return sum(connection.execute(count).scalar_one() for count in counts)


def transaction_outcome(engine: sa.Engine, client_reference: str) -> LineOutcome | None:
    """What became of the transaction with ``client_reference``: applied if it ever was,
    else its latest refusal; None while the store has not decided it."""
    applied = (
        sa.select(
            canteen_transaction.c.line_number,
            person.c.prison_number,
            canteen_transaction.c.transaction_type,
            canteen_transaction.c.amount_pence,
            canteen_transaction.c.balance_after_pence,
        )
        .join(person, person.c.id == canteen_transaction.c.person_id)
        .where(canteen_transaction.c.client_reference == client_reference)
    )
    refused = (
        sa.select(
            canteen_refusal.c.line_number,
            canteen_refusal.c.prison_number,
            canteen_refusal.c.transaction_type,
            canteen_refusal.c.amount_pence,
            canteen_refusal.c.reason,
            canteen_refusal.c.detail,
        )
        .where(canteen_refusal.c.client_reference == client_reference)
        .order_by(canteen_refusal.c.id.desc())
        .limit(1)
    )
    with engine.connect().execution_options(**READ_ONLY) as connection:
        row = connection.execute(applied).first()
        if row is not None:
            return LineOutcome(
                row[0] or 0,
                client_reference,
                row[1],
                row[2],
                row[3],
                True,
                balance_after_pence=row[4],
            )
        row = connection.execute(refused).first()
    if row is None:
        return None
    return LineOutcome(row[0] or 0, client_reference, row[1], row[2], row[3], False, row[4], row[5])


def prisons_holding_people(engine: sa.Engine) -> list[str]:
    """The prisons with anyone in custody, by code: the rolls a night needs."""
    query = (
        sa.select(person.c.current_establishment)
        .where(person.c.custody_status == IN_PRISON)
        .distinct()
        .order_by(person.c.current_establishment)
    )
    with engine.connect().execution_options(**READ_ONLY) as connection:
        return [code for code in connection.execute(query).scalars() if code]
