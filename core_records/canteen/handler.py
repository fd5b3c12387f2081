"""Applying a canteen transaction: the account changes, or the refusal is recorded.

Either way the handler records (a transaction row and the account, or a refusal row) and
returns one event, so that the message is stored with its outcome and a redelivery of it
changes nothing twice (the inbox). A refusal is an outcome, not an error: only a command
that cannot be read (a bad amount, an unknown type or prison) raises.

A batch's canteen transactions are decided in memory, in line order, against what
``prepare_canteen_transactions`` read for all of them at once (``CanteenBatch``: people,
accounts, client references applied before); the handler's rows and the accounts are
written when the batch ends, in its transaction. So an order file costs a handful of round
trips per ingest batch rather than several per line, and the next transaction of the same
batch still sees this one's client reference and balance. The unique client reference in
the database stays the last word: a concurrent writer with the same reference makes the
batch fail with ``ConcurrentUpdate``, and the batch applied again refuses the reference as
a duplicate. See ``core_records.canteen.batch`` for the locking.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from core_records.canteen import account as canteen
from core_records.canteen.account import RecordCanteenTransaction, Refusal
from core_records.canteen.batch import CanteenBatch
from core_records.canteen.tables import canteen_refusal, canteen_transaction
from core_records.errors import InvalidMessage
from core_records.events import (
    CANTEEN_TRANSACTION_APPLIED,
    CANTEEN_TRANSACTION_REFUSED,
    CanonicalEvent,
    person_event,
)
from core_records.identifiers import NOMS, Identifier
from core_records.identity.numbers import person_from_holders
from core_records.store.unit_of_work import UnitOfWork

_DESCRIPTIONS = {
    CANTEEN_TRANSACTION_APPLIED: "A canteen transaction has been applied to an account",
    CANTEEN_TRANSACTION_REFUSED: "A canteen transaction has been refused",
}


def prepare_canteen_transactions(
    work: UnitOfWork, commands: Sequence[RecordCanteenTransaction]
) -> None:
    """Read ahead, once for the batch, what its canteen transactions are decided on."""
    work.batch_state(CanteenBatch).read_ahead(commands)


def record_canteen_transaction(
    work: UnitOfWork, command: RecordCanteenTransaction
) -> list[CanonicalEvent]:
    _check(work, command)
    given = command.person
    person_id = person_from_holders(given, work.holders(given))
    if person_id is None:
        described = ", ".join(f"{i.type} {i.value}" for i in given) or "no identifiers"
        return _refuse(work, command, given, canteen.UNKNOWN_PRISONER, f"no person has {described}")
    batch = work.batch_state(CanteenBatch)
    standing = batch.standing(person_id)
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
    if batch.reference_applied(command.client_reference):
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
    settled = canteen.settle(batch.account(person_id), command, limit)
    if isinstance(settled, Refusal):
        return _refuse(work, command, identifiers, settled.reason, settled.detail)

    work.writing()
    batch.apply(person_id, command.client_reference, settled)
    work.add_rows(
        canteen_transaction,
        [
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
            }
        ],
    )
    information = _information(command, standing.prison_number)
    information["balancePence"] = settled.balance_pence
    information["availableSpendsPence"] = canteen.available_spends(
        settled, limit, command.occurred_at
    )
    return [_event(CANTEEN_TRANSACTION_APPLIED, command, identifiers, information)]


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


def _refuse(
    work: UnitOfWork,
    command: RecordCanteenTransaction,
    identifiers: Any,
    reason: str,
    detail: str,
) -> list[CanonicalEvent]:
    prison_number = next((i.value for i in identifiers if i.type == NOMS), None)
    work.writing().add_rows(
        canteen_refusal,
        [
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
            }
        ],
    )
    information = _information(command, prison_number)
    information.update(refusalReason=reason, refusalDetail=detail)
    return [_event(CANTEEN_TRANSACTION_REFUSED, command, identifiers, information)]


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
    identifiers: Iterable[Identifier],
    information: dict[str, Any],
) -> CanonicalEvent:
    description = _DESCRIPTIONS[event_type]
    return person_event(
        event_type, command.occurred_at, identifiers, information, description=description
    )


HANDLERS: dict[type, Callable[[UnitOfWork, Any], list[CanonicalEvent]]] = {
    RecordCanteenTransaction: record_canteen_transaction,
}

PREPARERS: dict[type, Callable[[UnitOfWork, Sequence[Any]], None]] = {
    RecordCanteenTransaction: prepare_canteen_transactions,
}
