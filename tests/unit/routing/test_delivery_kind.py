"""What a delivery tells the partner it is (``X-Gatehouse-Delivery``): a first delivery, a
redelivery that may have reached it before, or a replay from the dead letters."""

from __future__ import annotations

from routing.delivery import delivery_kind
from routing.messages import Delivery, Message


def delivery(message: Message, *, redelivered: bool = False, count: int = 1) -> Delivery:
    return Delivery(message, "gh.outbound.delius", redelivered, count, token=None)


EVENT = Message(routing_key="prisoner.received", body=b"{}", message_id="event-1")


def test_an_event_handed_out_for_the_first_time_is_a_first_delivery() -> None:
    assert delivery_kind(delivery(EVENT)) == "first"


def test_an_event_the_broker_handed_out_before_is_a_redelivery() -> None:
    assert delivery_kind(delivery(EVENT, redelivered=True)) == "redelivery"
    assert delivery_kind(delivery(EVENT, count=2)) == "redelivery"


def test_an_event_back_from_a_delay_tier_is_a_redelivery_whether_it_failed_or_waited() -> None:
    failed = EVENT.with_attempt("Delius answered 503", 1000)
    held = EVENT.with_attempt("waits behind event e-0", 1000, kind="held")
    assert delivery_kind(delivery(failed)) == "redelivery"
    assert delivery_kind(delivery(held)) == "redelivery"


def test_a_replayed_dead_letter_is_a_replay_even_after_failing_again() -> None:
    replayed = EVENT.with_attempt("Delius answered 500", 1000).with_attempt(
        "replayed by olu", 0, kind="replayed"
    )
    assert delivery_kind(delivery(replayed)) == "replay"
    again = replayed.with_attempt("Delius answered 503", 1000)
    assert delivery_kind(delivery(again, redelivered=True)) == "replay"
