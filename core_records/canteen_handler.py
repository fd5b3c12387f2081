"""Applying a canteen transaction: the account changes, or the refusal is recorded.

Either way the handler writes (a transaction row and the account, or a refusal row) and
returns one event, so that the message is stored with its outcome and a redelivery of it
changes nothing twice (the inbox). A refusal is an outcome, not an error: only a command
that cannot be read (a bad amount, an unknown type or prison) raises.

Writes are made at once, not kept back: the next transaction of the same batch must see
this one's client reference and balance. The unique client reference in the database is
the last word: a concurrent writer with the same reference makes the batch fail with
``ConcurrentUpdate``, and the batch applied again refuses the reference as a duplicate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from core_records import canteen
from core_records.canteen import Account, RecordCanteenTransaction, Refusal
from core_records.errors import ConcurrentUpdate, InvalidMessage
from core_records.events import CanonicalEvent
from core_records.identifiers import CRN, CRO, NOMS, PNC, Identifier
from core_records.identity import person_from_holders
from core_records.person_record import IN_PRISON
from core_records.tables import person
from core_records.tables_canteen import canteen_account, canteen_refusal, canteen_transaction
from core_records.timestamps import UtcDateTime
from core_records.unit_of_work import UnitOfWork

_EVENT_IDENTIFIER_TYPES = (NOMS, PNC, CRO, CRN)

_DESCRIPTIONS = {
    canteen.CANTEEN_TRANSACTION_APPLIED: "A canteen transaction has been applied to an account",
    canteen.CANTEEN_TRANSACTION_REFUSED: "A canteen transaction has been refused",
}

_STANDING = (
    sa.select(
        person.c.prison_number,
        person.c.version,
        person.c.custody_status,
        person.c.current_establishment,
        person.c.incentive_level,
        person.c.legal_status,
        canteen_account.c.balance_pence,
        canteen_account.c.week_starting,
        canteen_account.c.spent_this_week_pence,
        canteen_account.c.version.label("account_version"),
        sa.exists()
        .where(canteen_transaction.c.client_reference == sa.bindparam("client_reference"))
        .label("reference_applied"),
    )
    .select_from(person)
    .outerjoin(canteen_account, canteen_account.c.person_id == person.c.id)
    .where(person.c.id == sa.bindparam("person_id"))
)
"""Everything a transaction is decided on, in one round trip: where the person is, their
level and legal status, their account, and whether the reference was applied before."""

_APPLIED_REFERENCE = sa.select(canteen_transaction.c.id).where(
    canteen_transaction.c.client_reference == sa.bindparam("client_reference")
)

_UPDATE_ACCOUNT = (
    sa.update(canteen_account)
    .where(
        canteen_account.c.person_id == sa.bindparam("b_person_id"),
        canteen_account.c.version == sa.bindparam("b_version", type_=sa.Integer),
    )
    .values(
        balance_pence=sa.bindparam("b_balance"),
        week_starting=sa.bindparam("b_week"),
        spent_this_week_pence=sa.bindparam("b_spent"),
        version=sa.bindparam("b_version", type_=sa.Integer) + 1,
        updated_at=sa.bindparam("b_now", type_=UtcDateTime),
    )
)


@dataclass(frozen=True)
class _Standing:
    prison_number: str
    in_custody_at: str | None
    incentive_level: str | None
    legal_status: str | None
    account: Account
    account_version: int | None
    reference_applied: bool


def _standing(work: UnitOfWork, person_id: int, command: RecordCanteenTransaction) -> _Standing:
    connection = work.connection
    found = {"person_id": person_id, "client_reference": command.client_reference}
    row = connection.execute(_STANDING, found).first()
    if row is None:
        # Received earlier in this same batch, so not written yet: no account, and the
        # default level and the convicted (lower) limit until the record says otherwise.
        current = work.load_person(person_id)
        applied = connection.execute(_APPLIED_REFERENCE, found).first() is not None
        where = current.current_establishment if current.custody_status == IN_PRISON else None
        return _Standing(current.prison_number, where, None, None, Account(), None, applied)
    account = (
        Account()
        if row.balance_pence is None
        else Account(row.balance_pence, row.week_starting, row.spent_this_week_pence)
    )
    return _Standing(
        row.prison_number,
        row.current_establishment if row.custody_status == IN_PRISON else None,
        row.incentive_level,
        row.legal_status,
        account,
        row.account_version,
        bool(row.reference_applied),
    )


def record_canteen_transaction(
    work: UnitOfWork, command: RecordCanteenTransaction
) -> list[CanonicalEvent]:
    _check(work, command)
    given = command.person
    person_id = person_from_holders(given, work.holders(given))
    if person_id is None:
        described = ", ".join(f"{i.type} {i.value}" for i in given) or "no identifiers"
        return _refuse(work, command, given, canteen.UNKNOWN_PRISONER, f"no person has {described}")
    standing = _standing(work, person_id, command)
    identifiers = work.identifiers_of(person_id)
    where = standing.in_custody_at
    if (
        command.transaction_type == canteen.SPEND
        and command.establishment is not None
        and where != command.establishment
    ):
        return _refuse(
            work,
            command,
            identifiers,
            canteen.NOT_AT_ESTABLISHMENT,
            f"{standing.prison_number} is not in custody at {command.establishment}"
            + (f" (they are at {where})" if where else ""),
        )
    if standing.reference_applied:
        return _refuse(
            work,
            command,
            identifiers,
            canteen.DUPLICATE_REFERENCE,
            f"client reference {command.client_reference} has already been applied",
        )
    limit = canteen.weekly_spend_limit(
        where, standing.incentive_level, canteen.is_remand(standing.legal_status)
    )
    settled = canteen.settle(standing.account, command, limit)
    if isinstance(settled, Refusal):
        return _refuse(work, command, identifiers, settled.reason, settled.detail)

    work.writing()
    _save_account(work, person_id, settled, standing.account_version)
    work.connection.execute(
        sa.insert(canteen_transaction),
        {
            "client_reference": command.client_reference,
            "person_id": person_id,
            "transaction_type": command.transaction_type,
            "amount_pence": command.amount_pence,
            "balance_after_pence": settled.balance_pence,
            "establishment": command.establishment,
            "occurred_at": command.occurred_at,
            "message_id": work.message_id,
            "order_file": command.order_file,
            "line_number": command.line_number,
            "applied_at": work.now,
        },
    )
    information = _information(command, standing.prison_number)
    information["balancePence"] = settled.balance_pence
    information["availableSpendsPence"] = canteen.available_spends(
        settled, limit, command.occurred_at
    )
    return [_event(canteen.CANTEEN_TRANSACTION_APPLIED, command, identifiers, information)]


def _check(work: UnitOfWork, command: RecordCanteenTransaction) -> None:
    if command.transaction_type not in canteen.TRANSACTION_TYPES:
        known = ", ".join(canteen.TRANSACTION_TYPES)
        raise InvalidMessage(
            f"unknown canteen transaction type {command.transaction_type!r} (known: {known})"
        )
    if isinstance(command.amount_pence, bool) or command.amount_pence <= 0:
        raise InvalidMessage(
            f"a canteen amount must be a positive number of pence, not {command.amount_pence!r}"
        )
    if not command.client_reference or len(command.client_reference) > 64:
        raise InvalidMessage("a canteen transaction needs a client reference of 1 to 64 characters")
    if command.establishment is not None:
        work.reference.require_prison(command.establishment)


def _save_account(work: UnitOfWork, person_id: int, account: Account, version: int | None) -> None:
    if version is None:
        work.connection.execute(
            sa.insert(canteen_account),
            {
                "person_id": person_id,
                "balance_pence": account.balance_pence,
                "week_starting": account.week_starting,
                "spent_this_week_pence": account.spent_this_week_pence,
                "version": 1,
                "updated_at": work.now,
            },
        )
        return
    changed = work.connection.execute(
        _UPDATE_ACCOUNT,
        {
            "b_person_id": person_id,
            "b_version": version,
            "b_balance": account.balance_pence,
            "b_week": account.week_starting,
            "b_spent": account.spent_this_week_pence,
            "b_now": work.now,
        },
    )
    if changed.rowcount != 1:
        raise ConcurrentUpdate(f"the canteen account of person {person_id} changed under us")


def _refuse(
    work: UnitOfWork,
    command: RecordCanteenTransaction,
    identifiers: Any,
    reason: str,
    detail: str,
) -> list[CanonicalEvent]:
    prison_number = next((i.value for i in identifiers if i.type == NOMS), None)
    work.writing()
    work.connection.execute(
        sa.insert(canteen_refusal),
        {
            "client_reference": command.client_reference,
            "prison_number": prison_number,
            "transaction_type": command.transaction_type,
            "amount_pence": command.amount_pence,
            "reason": reason,
            "detail": detail[:500],
            "message_id": work.message_id,
            "order_file": command.order_file,
            "line_number": command.line_number,
            "refused_at": work.now,
        },
    )
    information = _information(command, prison_number)
    information.update(refusalReason=reason, refusalDetail=detail)
    return [_event(canteen.CANTEEN_TRANSACTION_REFUSED, command, identifiers, information)]


def _information(command: RecordCanteenTransaction, prison_number: str | None) -> dict[str, Any]:
    information: dict[str, Any] = {
        "clientReference": command.client_reference,
        "transactionType": command.transaction_type,
        "amountPence": command.amount_pence,
    }
    if prison_number is not None:
        information["nomsNumber"] = prison_number
    if command.establishment is not None:
        information["prisonId"] = command.establishment
    if command.order_file is not None:
        information["orderFile"] = command.order_file
        information["lineNumber"] = command.line_number
    return information


def _event(
    event_type: str,
    command: RecordCanteenTransaction,
    identifiers: Any,
    information: dict[str, Any],
) -> CanonicalEvent:
    reference = sorted(
        (i for i in set(identifiers) if i.type in _EVENT_IDENTIFIER_TYPES),
        key=lambda i: (_EVENT_IDENTIFIER_TYPES.index(i.type), i.value),
    )
    return CanonicalEvent(
        event_type=event_type,
        occurred_at=command.occurred_at,
        person_identifiers=tuple(Identifier(i.type, i.value) for i in reference),
        additional_information=information,
        description=_DESCRIPTIONS[event_type],
    )
