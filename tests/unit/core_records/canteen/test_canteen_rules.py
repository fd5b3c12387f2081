"""The canteen account's rules, as pure functions: weeks, limits, spends, refunds, credits."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core_records.canteen import account as canteen
from core_records.canteen.account import Account, RecordCanteenTransaction, Refusal, settle


def _command(kind: str, pence: int, at: datetime) -> RecordCanteenTransaction:
    return RecordCanteenTransaction((), kind, pence, "R-1", at)


SUNDAY_NIGHT_UK = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)  # Sunday 23:30 in London
MONDAY_SUMMER_UK = datetime(2026, 6, 28, 23, 30, tzinfo=UTC)  # Monday 00:30 BST


@pytest.mark.parametrize(
    ("at", "monday"),
    [
        (datetime(2026, 11, 23, 0, 0, tzinfo=UTC), date(2026, 11, 23)),
        (SUNDAY_NIGHT_UK, date(2026, 11, 23)),
        (MONDAY_SUMMER_UK, date(2026, 6, 29)),
    ],
)
def test_the_week_starts_on_monday_in_uk_time(at: datetime, monday: date) -> None:
    assert canteen.week_starting(at) == monday


@pytest.mark.parametrize(
    ("prison", "level", "remand", "pence"),
    [
        ("LEI", "STD", False, 1550),
        ("LEI", "STD", True, 4750),
        ("LEI", "ENH", False, 2550),
        ("LEI", "BAS", False, 400),
        ("LEI", None, False, 1550),  # no level recorded: Standard
        (None, "EN3", True, 6000),
        ("LEI", "XXX", False, 1550),  # a level the limits do not name: Standard
    ],
)
def test_the_weekly_limit_depends_on_level_and_legal_status(
    prison: str | None, level: str | None, remand: bool, pence: int
) -> None:
    assert canteen.weekly_spend_limit(prison, level, remand) == pence


WEEK = date(2026, 11, 23)
TUESDAY = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
NEXT_TUESDAY = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_a_spend_within_balance_and_limit_moves_both() -> None:
    after = settle(Account(2000, WEEK, 500), _command(canteen.SPEND, 700, TUESDAY), 1550)
    assert after == Account(1300, WEEK, 1200)


@pytest.mark.parametrize(
    ("account", "pence", "reason"),
    [
        (Account(600, WEEK, 0), 601, canteen.INSUFFICIENT_FUNDS),
        (Account(5000, WEEK, 1000), 551, canteen.SPEND_LIMIT_EXCEEDED),
    ],
)
def test_a_spend_over_the_balance_or_the_limit_is_refused(
    account: Account, pence: int, reason: str
) -> None:
    refused = settle(account, _command(canteen.SPEND, pence, TUESDAY), 1550)
    assert isinstance(refused, Refusal) and refused.reason == reason


def test_last_weeks_spending_does_not_count_this_week() -> None:
    after = settle(Account(5000, WEEK, 1550), _command(canteen.SPEND, 1550, NEXT_TUESDAY), 1550)
    assert after == Account(3450, date(2026, 11, 30), 1550)


def test_a_refund_returns_money_and_allowance_but_never_below_nothing_spent() -> None:
    refunded = settle(Account(100, WEEK, 300), _command(canteen.REFUND, 500, TUESDAY), 1550)
    assert refunded == Account(600, WEEK, 0)


def test_a_credit_adds_money_and_leaves_the_allowance() -> None:
    credited = settle(Account(100, WEEK, 300), _command(canteen.CREDIT, 500, TUESDAY), 1550)
    assert credited == Account(600, WEEK, 300)


@pytest.mark.parametrize(
    ("account", "at", "available"),
    [
        (Account(5000, WEEK, 1000), TUESDAY, 550),
        (Account(200, WEEK, 0), TUESDAY, 200),
        (Account(5000, WEEK, 2000), TUESDAY, 0),
        (Account(5000, WEEK, 1550), NEXT_TUESDAY, 1550),
    ],
)
def test_available_spends_are_the_lower_of_balance_and_allowance_left(
    account: Account, at: datetime, available: int
) -> None:
    assert canteen.available_spends(account, 1550, at) == available
