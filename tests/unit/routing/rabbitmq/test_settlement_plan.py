"""Settling RabbitMQ deliveries in few frames: one ``multiple`` ack for a leading run."""

from __future__ import annotations

from routing.rabbitmq.consumer import settlement_plan


def test_settling_everything_unsettled_is_one_multiple_ack() -> None:
    assert settlement_plan([1, 2, 3, 4], {1, 2, 3, 4}) == (4, [])


def test_a_leading_run_is_one_multiple_ack_and_the_rest_go_one_by_one() -> None:
    assert settlement_plan([1, 2, 3, 4, 5], {1, 2, 4}) == (2, [4])


def test_a_multiple_ack_never_covers_a_delivery_that_is_not_being_settled() -> None:
    assert settlement_plan([1, 2, 3], {2, 3}) == (None, [2, 3])


def test_gaps_left_by_earlier_settlements_do_not_break_the_run() -> None:
    # Tags 2 and 3 were settled before: they are no longer unsettled.
    assert settlement_plan([1, 4, 5, 9], {1, 4, 5}) == (5, [])


def test_nothing_to_settle_is_no_frames() -> None:
    assert settlement_plan([1, 2], set()) == (None, [])
