"""``gatehouse messages replay`` and ``resend`` refuse a wrong command line (exit 2) before
they touch the hub, saying what to give; a replay window must make sense."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from core_records.bookkeeping.replays import ReplayWindow
from gatehouse.cli import app

REPLAY = ["messages", "replay", "--interface", "delius.outbound"]


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        ([*REPLAY, "--since", "2026-12-01T09:00", "--dry-run"], "--since and --until go together"),
        ([*REPLAY, "--dry-run"], "give a window (--since and --until) or a --person"),
        ([*REPLAY, "--person", "A1234BC"], "--reason is needed to replay"),
        ([*REPLAY, "--person", "A1234BC", "--mode", "fresh", "--dry-run"], "--mode must be one of"),
        (
            ["messages", "replay", "--interface", "delius.inbound", "--person", "A1", "--dry-run"],
            "--interface must name an outbound interface",
        ),
        (
            [*REPLAY, "--since", "yesterday", "--until", "today", "--dry-run"],
            "--since must be an ISO 8601 time",
        ),
        (
            [*REPLAY, "--since", "2026-12-01T11:00", "--until", "2026-12-01T09:00", "--dry-run"],
            "since must come before its until",
        ),
        (["messages", "resend", "--reason", "lost"], "give --document or --event"),
        (["messages", "resend", "--event", "e1", "--reason", "lost"], "--event needs --interface"),
    ],
)
def test_a_wrong_command_line_is_refused_with_exit_2(arguments: list[str], said: str) -> None:
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 2, result.output
    assert said in result.output


def test_a_window_needs_since_and_until_a_person_or_an_event() -> None:
    with pytest.raises(ValueError, match="needs a window"):
        ReplayWindow("delius", since=datetime(2026, 12, 1, tzinfo=UTC))
    assert ReplayWindow("delius", person_key="A1234BC").person_key == "A1234BC"
    assert ReplayWindow("delius", event_id="e1").event_id == "e1"
