"""What every gatehouse command shares: its two ways to fail, the allowed-values check and
the progress bar that stays off a pipe."""

from __future__ import annotations

import io
import sys

import pytest
import typer

from gatehouse.cli.common import EXIT_FAILED, EXIT_USAGE, fail, fail_usage, one_of, progress


def test_a_domain_failure_exits_1_and_a_usage_failure_2() -> None:
    assert (EXIT_FAILED, EXIT_USAGE) == (1, 2)
    assert fail("no message x").exit_code == 1
    assert fail_usage("give an id").exit_code == 2


def test_a_value_outside_the_allowed_set_names_them(capsys: pytest.CaptureFixture[str]) -> None:
    assert one_of("--status", "waiting", ("waiting", "replayed")) == "waiting"
    with pytest.raises(typer.Exit) as refused:
        one_of("--status", "bogus", ("waiting", "replayed"))
    assert refused.value.exit_code == 2
    assert "--status must be one of waiting, replayed, not 'bogus'" in capsys.readouterr().err


def test_the_progress_bar_writes_nothing_when_stderr_is_not_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    with progress("importing", total=3) as steps:
        for _ in range(3):
            steps.advance()
    assert stderr.getvalue() == ""
