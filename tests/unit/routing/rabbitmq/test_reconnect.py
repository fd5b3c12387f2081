"""The schedule of reconnection attempts: doubling, capped, jittered, reset on success; and
what is logged of a lost connection: one line when lost, one when back, a reason always."""

from __future__ import annotations

import logging
import re

import pytest
from pika.exceptions import (
    AMQPConnectionError,
    ConnectionClosedByBroker,
    IncompatibleProtocolError,
    StreamLostError,
)

from routing.rabbitmq.reconnect import (
    ConnectionWatch,
    ReconnectBackoff,
    describe_connection_error,
)


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


def test_a_reason_names_the_exception_and_what_it_says() -> None:
    refused = AMQPConnectionError(ConnectionRefusedError(111, "Connection refused"))
    assert describe_connection_error(refused) == (
        "AMQPConnectionError: ConnectionRefusedError: [Errno 111] Connection refused"
    )
    closed = ConnectionClosedByBroker(320, "CONNECTION_FORCED - broker forced connection closure")
    assert describe_connection_error(closed) == (
        "ConnectionClosedByBroker: (320, 'CONNECTION_FORCED - broker forced connection closure')"
    )


def test_an_error_wrapping_another_says_both_plainly() -> None:
    wrapped = IncompatibleProtocolError(StreamLostError("Transport indicated EOF"))
    assert describe_connection_error(wrapped) == (
        "IncompatibleProtocolError: StreamLostError: Transport indicated EOF"
    )


def test_an_exception_that_says_nothing_still_gives_a_reason() -> None:
    assert describe_connection_error(StreamLostError()) == (
        "StreamLostError: the connection dropped"
    )
    assert (
        describe_connection_error(AMQPConnectionError()) == "AMQPConnectionError: could not connect"
    )
    assert describe_connection_error(KeyError()) == "KeyError: no detail given"


def test_an_empty_exception_is_explained_by_its_cause() -> None:
    try:
        try:
            raise ConnectionResetError(104, "Connection reset by peer")
        except ConnectionResetError as cause:
            raise StreamLostError() from cause
    except StreamLostError as error:
        reason = describe_connection_error(error)
    assert reason == "StreamLostError: ConnectionResetError: [Errno 104] Connection reset by peer"


def lines(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(record.levelno, record.getMessage()) for record in caplog.records]


def test_a_loss_and_its_recovery_are_one_line_each_however_many_attempts(
    caplog: pytest.LogCaptureFixture,
) -> None:
    watch = ConnectionWatch("the consumer of q", logging.getLogger("test.watch"))
    caplog.set_level(logging.INFO, logger="test.watch")
    watch.regained()  # the first connection: nothing to say
    for _ in range(4):
        watch.lost(StreamLostError(), 0.5)
    watch.regained()

    [(lost_level, lost), (back_level, back)] = lines(caplog)
    assert lost_level == logging.WARNING
    assert lost == (
        "the consumer of q lost RabbitMQ (StreamLostError: the connection dropped);"
        " reconnecting in 0.5 s"
    )
    assert back_level == logging.INFO
    assert re.fullmatch(
        r"the consumer of q regained RabbitMQ after 4 attempts, \d+\.\d s down", back
    )
    assert not any(record.exc_info for record in caplog.records)


def test_a_broker_unreachable_from_the_start_is_reported_as_such(
    caplog: pytest.LogCaptureFixture,
) -> None:
    watch = ConnectionWatch("the publisher", logging.getLogger("test.watch"))
    caplog.set_level(logging.INFO, logger="test.watch")
    watch.lost(AMQPConnectionError(ConnectionRefusedError(111, "Connection refused")), 0.1)
    watch.regained()
    watch.lost(StreamLostError("Transport indicated EOF"), 0.1)
    watch.regained()

    messages = [message for _, message in lines(caplog)]
    assert messages[0].startswith("the publisher cannot reach RabbitMQ (AMQPConnectionError: ")
    assert messages[1].startswith("the publisher reached RabbitMQ after 1 attempt, ")
    assert messages[2].startswith("the publisher lost RabbitMQ (StreamLostError: Transport")
    assert messages[3].startswith("the publisher regained RabbitMQ after 1 attempt, ")
