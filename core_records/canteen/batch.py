"""The canteen as one batch of the store sees it: read ahead, decided in memory, written once.

A canteen transaction is decided on the person's standing (where they are in custody, their
incentive level and legal status), their account, and whether its client reference was
applied before. Read line by line, that cost six to eight round trips per order line.
``CanteenBatch.read_ahead`` reads all three for every canteen command of a batch at once
(one query each, in chunks), before the batch's first message; the handler
(``core_records.canteen.handler``) then decides the lines in order against what it holds,
and it keeps that in step: a later line of the batch sees an earlier line's balance, the
week's spend and its client reference. ``flush`` writes the changed accounts when the batch
ends (one insert for new accounts, one batched update); the transaction and refusal rows are
kept back by the unit of work (``UnitOfWork.add_rows``).

Concurrency. On PostgreSQL the batch's accounts are read ``FOR UPDATE``, in one statement
per chunk, ordered by person, so two batches that share people wait for each other rather
than deadlock, and no balance a line is decided on can change before the batch commits. The
version check on the update stays as a guard. A new account or a client reference stored by
a concurrent writer first makes the batch's insert fail as a unique violation, which the
store raises as ``ConcurrentUpdate``; the batch applied again sees what was stored and
refuses the reference as a duplicate. SQLite takes its write lock at BEGIN: no race.

What was read ahead goes stale only through the batch itself: a person the batch received,
released or transferred (``UnitOfWork.changed_in_batch``) is read again when a line names
them, as is anyone the read-ahead did not cover (named by an identifier the batch added).

A refused message must leave nothing: the changes of the current message are noted, and
``discard`` undoes them, latest first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import sqlalchemy as sa

from core_records.canteen.account import Account, RecordCanteenTransaction
from core_records.canteen.tables import canteen_account, canteen_transaction
from core_records.custody.person_record import IN_PRISON
from core_records.custody.tables import person
from core_records.errors import ConcurrentUpdate
from core_records.store.batch_state import BatchState
from core_records.timestamps import UtcDateTime

if TYPE_CHECKING:
    from core_records.store.unit_of_work import UnitOfWork

T = TypeVar("T")

_CHUNK = 500
"""Values per IN list: well under every driver's limit on bound parameters."""

_STANDING = sa.select(
    person.c.id,
    person.c.prison_number,
    person.c.custody_status,
    person.c.current_establishment,
    person.c.incentive_level,
    person.c.legal_status,
)

_ACCOUNTS = sa.select(
    canteen_account.c.person_id,
    canteen_account.c.balance_pence,
    canteen_account.c.week_starting,
    canteen_account.c.spent_this_week_pence,
    canteen_account.c.version,
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
class Standing:
    """Where a person is and what sets their weekly spend limit."""

    prison_number: str
    in_custody_at: str | None
    """The prison they are in custody at; None when they are not in prison."""
    incentive_level: str | None
    legal_status: str | None


@dataclass(frozen=True)
class _Applied:
    """One applied transaction of the current message, as much as undoing it needs."""

    person_id: int
    account_before: Account
    account_was_changed: bool
    client_reference: str


class CanteenBatch(BatchState):
    """People's standing, accounts and applied client references for one batch."""

    def __init__(self, work: UnitOfWork) -> None:
        super().__init__(work)
        self._standing: dict[int, Standing] = {}
        self._accounts: dict[int, Account] = {}
        self._stored_versions: dict[int, int | None] = {}
        """The version of each account read; None where the person had none."""
        self._changed_accounts: set[int] = set()
        self._references_read: set[str] = set()
        self._references_applied: set[str] = set()
        self._applied_by_message: list[_Applied] = []

    # --- reading ahead ----------------------------------------------------------------------

    def read_ahead(self, commands: Sequence[RecordCanteenTransaction]) -> None:
        """Read what ``commands`` will be decided on: three queries (per chunk)."""
        holders = self.work.holders(i for command in commands for i in command.person)
        people = sorted({holder.person_id for holder in holders.values()})
        # Lock the accounts first: the references read after the locks are granted then see
        # whatever a batch that held them committed.
        self._read_accounts(people)
        self._read_standing(people)
        self._read_references({command.client_reference for command in commands})

    def _read_accounts(self, people: list[int]) -> None:
        wanted = [p for p in people if p not in self._accounts]
        self._accounts.update(dict.fromkeys(wanted, Account()))
        self._stored_versions.update(dict.fromkeys(wanted))
        for some in _chunks(sorted(wanted)):
            query = (
                _ACCOUNTS.where(canteen_account.c.person_id.in_(some))
                .order_by(canteen_account.c.person_id)
                .with_for_update()
            )
            for row in self.work.connection.execute(query):
                self._accounts[row.person_id] = Account(
                    row.balance_pence, row.week_starting, row.spent_this_week_pence
                )
                self._stored_versions[row.person_id] = row.version

    def _read_standing(self, people: Iterable[int]) -> None:
        for some in _chunks(people):
            for row in self.work.connection.execute(_STANDING.where(person.c.id.in_(some))):
                self._standing[row.id] = Standing(
                    row.prison_number,
                    row.current_establishment if row.custody_status == IN_PRISON else None,
                    row.incentive_level,
                    row.legal_status,
                )

    def _read_references(self, references: Iterable[str]) -> None:
        wanted = [r for r in references if r not in self._references_read]
        self._references_read.update(wanted)
        column = canteen_transaction.c.client_reference
        for some in _chunks(wanted):
            found = self.work.connection.execute(sa.select(column).where(column.in_(some)))
            self._references_applied.update(found.scalars())

    # --- what a line is decided on ----------------------------------------------------------

    def standing(self, person_id: int) -> Standing:
        if person_id not in self._standing or self.work.changed_in_batch(person_id):
            self._standing.pop(person_id, None)
            self._read_standing([person_id])
        if person_id not in self._standing:
            # Received earlier in this same batch, so not written yet: the default level and
            # the convicted (lower) limit until the record says otherwise.
            current = self.work.load_person(person_id)
            where = current.current_establishment if current.custody_status == IN_PRISON else None
            return Standing(current.prison_number, where, None, None)
        return self._standing[person_id]

    def account(self, person_id: int) -> Account:
        """The account as this batch has left it so far (empty for a person with none)."""
        if person_id not in self._accounts:
            self._read_accounts([person_id])
        return self._accounts[person_id]

    def reference_applied(self, client_reference: str) -> bool:
        """Whether a transaction with ``client_reference`` is on record or applied in this
        batch (refusals do not count: a refused reference may be sent again)."""
        self._read_references([client_reference])
        return client_reference in self._references_applied

    # --- applying ---------------------------------------------------------------------------

    def apply(self, person_id: int, client_reference: str, settled: Account) -> None:
        """Record that ``client_reference`` left ``person_id``'s account as ``settled``."""
        self._applied_by_message.append(
            _Applied(
                person_id,
                self.account(person_id),
                person_id in self._changed_accounts,
                client_reference,
            )
        )
        self._accounts[person_id] = settled
        self._changed_accounts.add(person_id)
        self._references_applied.add(client_reference)

    def keep(self) -> None:
        self._applied_by_message = []

    def discard(self) -> None:
        for applied in reversed(self._applied_by_message):
            self._accounts[applied.person_id] = applied.account_before
            if not applied.account_was_changed:
                self._changed_accounts.discard(applied.person_id)
            self._references_applied.discard(applied.client_reference)
        self._applied_by_message = []

    def flush(self) -> None:
        """Write the accounts the batch changed: new ones in one insert, the rest in one
        batched update that checks each account's version."""
        changed = sorted(self._changed_accounts)
        new = [p for p in changed if self._stored_versions[p] is None]
        stored = [p for p in changed if self._stored_versions[p] is not None]
        connection, now = self.work.connection, self.work.now
        if new:
            connection.execute(
                sa.insert(canteen_account),
                [
                    {
                        "person_id": p,
                        "balance_pence": self._accounts[p].balance_pence,
                        "week_starting": self._accounts[p].week_starting,
                        "spent_this_week_pence": self._accounts[p].spent_this_week_pence,
                        "version": 1,
                        "updated_at": now,
                    }
                    for p in new
                ],
            )
        if stored:
            updated = connection.execute(
                _UPDATE_ACCOUNT,
                [
                    {
                        "b_person_id": p,
                        "b_version": self._stored_versions[p],
                        "b_balance": self._accounts[p].balance_pence,
                        "b_week": self._accounts[p].week_starting,
                        "b_spent": self._accounts[p].spent_this_week_pence,
                        "b_now": now,
                    }
                    for p in stored
                ],
            )
            if updated.rowcount != len(stored):
                raise ConcurrentUpdate("a canteen account of the batch changed under us")
        self._changed_accounts = set()


def _chunks(values: Iterable[T]) -> Iterator[list[T]]:
    values = list(values)
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]
