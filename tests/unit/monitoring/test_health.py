"""An interface's status follows its SLA rules, and says why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitoring.health import AMBER, GREEN, RED, Interface, VitalSigns, assess
from monitoring.sla import SlaConfigurationError, SlaRule, load_sla_rules

# A Tuesday, 10:00 in London (GMT in March).
TUESDAY_MORNING = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
PNC_INBOUND = Interface("pnc", "inbound")
DELIUS_OUTBOUND = Interface("delius", "outbound")


def _signs(interface: Interface = PNC_INBOUND, **values: object) -> VitalSigns:
    defaults: dict[str, object] = {
        "last_message_at": TUESDAY_MORNING - timedelta(minutes=1),
        "messages_in_window": 100,
        "failing_in_window": 0,
        "dead_letters_waiting": 0,
        "queue_depth": 0,
    }
    defaults.update(values)
    return VitalSigns(interface, **defaults)  # type: ignore[arg-type]


def test_a_busy_interface_without_failures_is_green() -> None:
    health = assess(_signs(), SlaRule(), TUESDAY_MORNING)
    assert (health.status, health.reasons) == (GREEN, ())


@pytest.mark.parametrize(
    ("quiet_minutes", "status"), [(29, GREEN), (31, AMBER), (61, RED)], ids=str
)
def test_an_inbound_interface_that_falls_silent_in_working_hours_turns_amber_then_red(
    quiet_minutes: int, status: str
) -> None:
    signs = _signs(last_message_at=TUESDAY_MORNING - timedelta(minutes=quiet_minutes))
    health = assess(signs, SlaRule(silence_minutes=30), TUESDAY_MORNING)
    assert health.status == status
    if status != GREEN:
        assert health.reasons == (f"no message received for {quiet_minutes} minutes",)


def test_silence_at_night_or_on_a_sunday_is_not_a_breach() -> None:
    quiet = _signs(last_message_at=None)
    assert assess(quiet, SlaRule(), datetime(2025, 3, 4, 22, 0, tzinfo=UTC)).status == GREEN
    assert assess(quiet, SlaRule(), datetime(2025, 3, 9, 10, 0, tzinfo=UTC)).status == GREEN
    assert assess(quiet, SlaRule(), TUESDAY_MORNING).status == RED


def test_silence_does_not_apply_to_an_outbound_interface() -> None:
    signs = _signs(DELIUS_OUTBOUND, last_message_at=None, messages_in_window=0)
    assert assess(signs, SlaRule(), TUESDAY_MORNING).status == GREEN


@pytest.mark.parametrize(
    ("failing", "status"), [(4, GREEN), (5, AMBER), (24, AMBER), (25, RED)], ids=str
)
def test_the_error_rate_over_the_window_sets_the_status(failing: int, status: str) -> None:
    health = assess(_signs(failing_in_window=failing), SlaRule(), TUESDAY_MORNING)
    assert health.status == status


def test_too_few_messages_do_not_make_an_error_rate() -> None:
    signs = _signs(messages_in_window=2, failing_in_window=2)
    assert assess(signs, SlaRule(min_messages=5), TUESDAY_MORNING).status == GREEN


def test_every_breach_is_given_as_a_reason_and_the_worst_wins() -> None:
    signs = _signs(DELIUS_OUTBOUND, dead_letters_waiting=2, queue_depth=20_000)
    health = assess(signs, SlaRule(), TUESDAY_MORNING)
    assert health.status == RED
    assert health.reasons == ("2 dead letter(s) waiting", "20000 messages queued")


def test_the_shipped_sla_file_loads_and_overrides_one_interface() -> None:
    rules = load_sla_rules()
    assert rules.rule_for("delius", "outbound").dead_letters_red == 1
    assert rules.rule_for("pnc", "inbound") == rules.defaults
    assert rules.defaults.working_days == frozenset(range(5))


def test_the_prison_shops_quiet_hours_between_order_files_are_not_a_fault() -> None:
    rule = load_sla_rules().rule_for("prison_shops", "inbound")
    shops = Interface("prison_shops", "inbound")
    quiet = _signs(shops, last_message_at=TUESDAY_MORNING - timedelta(hours=5))

    assert assess(quiet, rule, TUESDAY_MORNING).status == GREEN
    assert assess(quiet, SlaRule(), TUESDAY_MORNING).status == RED  # as any other would be


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[defaults]\nsilence_minuets = 30\n", "unknown key 'silence_minuets'"),
        ("[defaults]\nerror_rate_red = 5\n", "error_rate_red = 5"),
        ('[defaults]\nworking_hours = "19:00-07:00"\n', "working_hours"),
        ('[defaults]\ntimezone = "Mars/Olympus"\n', "not a known time zone"),
        ('[interfaces."pnc.sideways"]\nmin_messages = 1\n', '"pnc.sideways"'),
        ("[defaults\n", "not valid TOML"),
    ],
)
def test_a_mistake_in_the_sla_file_is_refused_naming_the_key(
    tmp_path: Path, text: str, named: str
) -> None:
    path = tmp_path / "sla.toml"
    path.write_text(text)
    with pytest.raises(SlaConfigurationError, match=named.replace("(", r"\(")) as error:
        load_sla_rules(path)
    assert str(path) in str(error.value)


@pytest.mark.parametrize(("waited", "status"), [(9, GREEN), (10, AMBER), (30, RED)], ids=str)
def test_a_message_left_unfinished_too_long_turns_the_interface_amber_then_red(
    waited: int, status: str
) -> None:
    signs = _signs(
        DELIUS_OUTBOUND, oldest_unfinished_at=TUESDAY_MORNING - timedelta(minutes=waited)
    )
    health = assess(signs, SlaRule(), TUESDAY_MORNING)
    assert health.status == status
    if status != GREEN:
        assert health.reasons == (f"the oldest unfinished message has waited {waited} minutes",)


@pytest.mark.parametrize(("held_minutes", "status"), [(9, GREEN), (11, AMBER)], ids=str)
def test_an_outbound_interface_holding_a_persons_deliveries_past_its_sla_turns_amber(
    held_minutes: int, status: str
) -> None:
    signs = _signs(
        DELIUS_OUTBOUND, oldest_hold_at=TUESDAY_MORNING - timedelta(minutes=held_minutes)
    )
    health = assess(signs, SlaRule(held_delivery_minutes_amber=10), TUESDAY_MORNING)
    assert health.status == status
    if status == AMBER:
        assert health.reasons == (
            f"a person's deliveries have been held for {held_minutes} minutes",
        )
