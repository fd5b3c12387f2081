"""The canteen (prison shop) account: its command, its rules, and why a transaction is refused.

Every person has one account, in pence. Money moves in through credits (earnings, private
cash: ``CRED``) and refunds (``REFND``), and out through canteen spends (``CANT``). A spend
is limited twice: by the balance, and by the weekly spend limit of the person's incentive
level (``reference/spend_limits.csv``, per prison or estate-wide, remand and convicted apart;
see DOMAIN.md, "Alerts, incentives, sentence dates"). The week runs Monday to Sunday,
UK time. A refund gives back both the money and the week's allowance.

Each transaction carries a client reference, unique across the estate: a second transaction
with a reference already applied is refused (``DUPLICATE_REFERENCE``), never applied twice.
A refused transaction is not an error: it is recorded, with its reason, and announced as a
``canteen.transaction.refused`` event, so that the shop's receipt and the kiosk can say why.

Usage (adapters build the command; the store applies it like any other)::

    RecordCanteenTransaction(
        person=(Identifier(NOMS, "A1234BC"),), transaction_type=SPEND, amount_pence=1250,
        client_reference="SHOP-0001", occurred_at=..., establishment="LEI",
        order_file="3f0c...", line_number=7,
    )

Reads for receipts, rolls and kiosks are in ``core_records.canteen.ledger``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

from core_records.identifiers import Identifier

SPEND = "CANT"
REFUND = "REFND"
CREDIT = "CRED"
TRANSACTION_TYPES = (SPEND, REFUND, CREDIT)

# Why a transaction was refused: codes a shop's system can act on.
UNKNOWN_PRISONER = "UNKNOWN_PRISONER"
NOT_AT_ESTABLISHMENT = "NOT_AT_ESTABLISHMENT"
DUPLICATE_REFERENCE = "DUPLICATE_REFERENCE"
INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"
SPEND_LIMIT_EXCEEDED = "SPEND_LIMIT_EXCEEDED"
MALFORMED_LINE = "MALFORMED_LINE"
"""Used by file readers for a line that never became a transaction."""

DEFAULT_INCENTIVE_LEVEL = "STD"
"""The level assumed for a person whose level the record does not hold yet."""

UK = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class RecordCanteenTransaction:
    """Apply one canteen transaction to a person's account, or record why it was refused."""

    person: tuple[Identifier, ...]
    transaction_type: str
    """CANT spend, REFND refund, CRED credit (earnings, private cash)."""
    amount_pence: int
    """Always positive; the type says which way the money goes."""
    client_reference: str
    """The sender's reference, unique across the estate."""
    occurred_at: datetime
    establishment: str | None = None
    """Where a spend was ordered; the person must be in custody there."""
    order_file: str | None = None
    """The id of the order file the transaction came in, for its receipt."""
    line_number: int | None = None
    """The transaction's line in that file."""


@dataclass(frozen=True)
class Account:
    """A person's canteen account as it stands."""

    balance_pence: int = 0
    week_starting: date | None = None
    spent_this_week_pence: int = 0

    def spent_in_week_of(self, week: date) -> int:
        return self.spent_this_week_pence if self.week_starting == week else 0


@dataclass(frozen=True)
class Refusal:
    reason: str
    detail: str


def week_starting(at: datetime) -> date:
    """The Monday (UK time) of the week ``at`` falls in."""
    day = at.astimezone(UK).date()
    return day - timedelta(days=day.weekday())


def settle(
    account: Account, command: RecordCanteenTransaction, weekly_limit_pence: int
) -> Account | Refusal:
    """The account after ``command``, or why it is refused (for funds and limits only)."""
    amount = command.amount_pence
    week = week_starting(command.occurred_at)
    spent = account.spent_in_week_of(week)
    if command.transaction_type == SPEND:
        if amount > account.balance_pence:
            return Refusal(
                INSUFFICIENT_FUNDS,
                f"a spend of {amount}p is more than the balance of {account.balance_pence}p",
            )
        if spent + amount > weekly_limit_pence:
            return Refusal(
                SPEND_LIMIT_EXCEEDED,
                f"a spend of {amount}p after {spent}p this week is over the weekly limit "
                f"of {weekly_limit_pence}p",
            )
        return Account(account.balance_pence - amount, week, spent + amount)
    if command.transaction_type == REFUND:
        return Account(account.balance_pence + amount, week, max(0, spent - amount))
    return Account(account.balance_pence + amount, week, spent)


def available_spends(account: Account, weekly_limit_pence: int, at: datetime) -> int:
    """What the person may still spend this week, in pence."""
    left = weekly_limit_pence - account.spent_in_week_of(week_starting(at))
    return max(0, min(account.balance_pence, left))


def weekly_spend_limit(establishment: str | None, incentive_level: str | None, remand: bool) -> int:
    """The weekly spend limit in pence for a level at a prison (the estate's, unless the prison
    sets its own)."""
    limits = _spend_limits()
    level = incentive_level or DEFAULT_INCENTIVE_LEVEL
    found = limits.get((establishment or "*", level)) or limits.get(("*", level))
    if found is None:
        found = limits[("*", DEFAULT_INCENTIVE_LEVEL)]
    return found[0] if remand else found[1]


def is_remand(legal_status: str | None) -> bool:
    return legal_status == "REMAND"


@cache
def _spend_limits() -> dict[tuple[str, str], tuple[int, int]]:
    text = resources.files("core_records.reference").joinpath("spend_limits.csv").read_text()
    return {
        (row["establishment"], row["incentive_level"]): (
            int(row["remand_pence"]),
            int(row["convicted_pence"]),
        )
        for row in csv.DictReader(text.splitlines())
    }
