"""The schedule of reconnection attempts: doubling, capped, jittered, reset on success."""

from __future__ import annotations

from routing.rabbitmq.reconnect import ReconnectBackoff


def test_delays_double_from_the_initial_step_each_between_half_and_all_of_it() -> None:
    backoff = ReconnectBackoff(initial_s=0.1, max_s=100.0)

    for step in (0.1, 0.2, 0.4, 0.8, 1.6):
        assert step / 2 <= backoff.next_delay_s() <= step


def test_delays_stop_growing_at_the_cap_however_long_the_broker_stays_away() -> None:
    backoff = ReconnectBackoff(initial_s=0.1, max_s=5.0)

    delays = [backoff.next_delay_s() for _ in range(5_000)]

    assert all(d <= 5.0 for d in delays)
    assert min(delays[-100:]) >= 2.5


def test_a_successful_connection_starts_the_schedule_again() -> None:
    backoff = ReconnectBackoff(initial_s=0.1, max_s=5.0)
    for _ in range(10):
        backoff.next_delay_s()

    backoff.reset()

    assert backoff.next_delay_s() <= 0.1
