"""A paused interface is PAUSED whatever its rules say; a partner that is down shows as
backing off rather than amber, but a red rule still makes it red."""

from __future__ import annotations

from datetime import timedelta

from core_records.bookkeeping.interface_control import Pause
from monitoring.health import BACKING_OFF, GREEN, PAUSED, RED, SEVERITY, assess
from monitoring.sla import SlaRule
from tests.unit.monitoring.test_health import DELIUS_OUTBOUND, PNC_INBOUND, TUESDAY_MORNING, _signs

PAUSE = Pause(
    "delius.outbound", "olu", "Delius planned outage", TUESDAY_MORNING - timedelta(hours=1)
)


def test_a_paused_interface_is_paused_with_who_why_and_since_whatever_its_rules_say() -> None:
    failing = _signs(
        DELIUS_OUTBOUND,
        last_message_at=TUESDAY_MORNING - timedelta(hours=3),
        queue_depth=50_000,
        oldest_unfinished_at=TUESDAY_MORNING - timedelta(hours=1),
        dead_letters_waiting=2,
        paused=PAUSE,
    )
    health = assess(failing, SlaRule(), TUESDAY_MORNING)
    assert health.status == PAUSED
    assert health.reasons[0] == "paused by olu since 04 Mar 09:00 UTC: Delius planned outage"
    assert "50000 deliveries waiting" in health.reason
    assert SEVERITY[PAUSED] == SEVERITY[GREEN]


def test_a_partner_failing_since_its_last_delivery_is_backing_off_not_amber() -> None:
    signs = _signs(
        DELIUS_OUTBOUND,
        failing_in_window=10,
        last_retry_at=TUESDAY_MORNING - timedelta(minutes=1),
        last_delivered_at=TUESDAY_MORNING - timedelta(minutes=5),
        oldest_unfinished_at=TUESDAY_MORNING - timedelta(minutes=12),
    )
    health = assess(signs, SlaRule(), TUESDAY_MORNING)
    assert health.status == BACKING_OFF
    assert "none delivered since" in health.reasons[0]
    assert not any("failing in the last" in r for r in health.reasons)


def test_a_delivery_after_the_latest_retry_ends_the_back_off() -> None:
    signs = _signs(
        DELIUS_OUTBOUND,
        last_retry_at=TUESDAY_MORNING - timedelta(minutes=5),
        last_delivered_at=TUESDAY_MORNING - timedelta(minutes=1),
    )
    assert assess(signs, SlaRule(), TUESDAY_MORNING).status == GREEN


def test_a_red_rule_still_makes_a_backing_off_interface_red() -> None:
    signs = _signs(
        DELIUS_OUTBOUND,
        dead_letters_waiting=10,
        last_retry_at=TUESDAY_MORNING - timedelta(minutes=1),
    )
    health = assess(signs, SlaRule(), TUESDAY_MORNING)
    assert health.status == RED
    assert any("backing" in r or "none delivered" in r for r in health.reasons)


def test_an_inbound_interface_never_backs_off_without_retries() -> None:
    assert assess(_signs(PNC_INBOUND), SlaRule(), TUESDAY_MORNING).status == GREEN
