"""One JSON line a record, with the handled message's ids bound onto it."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator

import pytest

from gatehouse.logging_setup import HANDLER_NAME, configure
from routing.log_context import bound, bound_to, current_ids
from routing.messages import HEADER_CAUSATION_ID, HEADER_CORRELATION_ID, Message


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    configure("json", stream=stream)
    yield stream
    for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(handler)
    root.setLevel(level)


def records(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_record_is_one_json_line_with_time_level_logger_and_message(
    json_log: io.StringIO,
) -> None:
    logging.getLogger("gatehouse.test").info("applied %s", "m-1", extra={"partner": "serco"})
    (line,) = json_log.getvalue().splitlines()
    record = json.loads(line)
    assert record["level"] == "INFO"
    assert record["logger"] == "gatehouse.test"
    assert record["message"] == "applied m-1"
    assert record["partner"] == "serco"
    assert str(record["time"]).endswith("+00:00")
    assert "message_id" not in record


def test_uvicorns_coloured_copy_of_the_message_is_left_out(
    json_log: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As under `gatehouse serve` in JSON (uvicorn given no log config of its own): uvicorn's
    # records reach the root handler. A server started earlier in the same process (the
    # tests' `serving`) may have given uvicorn's loggers handlers of their own.
    for name in ("uvicorn", "uvicorn.error"):
        monkeypatch.setattr(logging.getLogger(name), "propagate", True)
        monkeypatch.setattr(logging.getLogger(name), "handlers", [])
        monkeypatch.setattr(logging.getLogger(name), "disabled", False)
    logging.getLogger("uvicorn.error").warning(
        "Started %d", 7, extra={"color_message": "Started \x1b[36m%d\x1b[0m"}
    )
    (record,) = records(json_log)
    assert record["message"] == "Started 7"
    assert "color_message" not in record


def test_a_traceback_is_folded_into_the_record(json_log: io.StringIO) -> None:
    try:
        raise ValueError("bad\ndocument")
    except ValueError:
        logging.getLogger("gatehouse.test").exception("could not apply")
    (line,) = json_log.getvalue().splitlines()
    record = json.loads(line)
    assert record["message"] == "could not apply"
    assert "Traceback (most recent call last)" in str(record["exc_info"])
    assert "ValueError: bad\ndocument" in str(record["exc_info"])


def test_bound_ids_are_on_every_record_inside_the_block_and_gone_after(
    json_log: io.StringIO,
) -> None:
    log = logging.getLogger("routing.test")
    message = Message(
        routing_key="reception",
        body=b"<x/>",
        message_id="m-1",
        headers={HEADER_CORRELATION_ID: "c-1", HEADER_CAUSATION_ID: "k-1"},
    )
    with bound_to(message):
        log.info("first")
        with bound(message_id="e-2"):
            log.warning("nested")
        log.info("second")
    log.info("after")
    first, nested, second, after = records(json_log)
    ids = ("message_id", "correlation_id", "causation_id")
    assert [first.get(k) for k in ids] == ["m-1", "c-1", "k-1"]
    assert [nested.get(k) for k in ids] == ["e-2", "c-1", "k-1"]
    assert [second.get(k) for k in ids] == ["m-1", "c-1", "k-1"]
    assert not any(k in after for k in ids)


def test_each_thread_binds_its_own_ids() -> None:
    seen: dict[str, str | None] = {}

    def other() -> None:
        seen["other"] = current_ids().get("message_id")

    with bound(message_id="main"):
        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
        seen["main"] = current_ids().get("message_id")
    assert seen == {"other": None, "main": "main"}


def test_configuring_twice_keeps_one_handler_of_ours(json_log: io.StringIO) -> None:
    configure("text", stream=json_log)
    ours = [h for h in logging.getLogger().handlers if h.get_name() == HANDLER_NAME]
    assert len(ours) == 1
    logging.getLogger("gatehouse.test").warning("plain")
    assert json_log.getvalue().rstrip().endswith("WARNING gatehouse.test: plain")


@pytest.mark.parametrize(
    ("setting", "default", "chosen"),
    [
        (None, "json", "json"),
        (None, "text", "text"),
        ("text", "json", "text"),
        ("json", "text", "json"),
    ],
)
def test_the_log_format_setting_wins_over_the_commands_default(
    monkeypatch: pytest.MonkeyPatch, setting: str | None, default: str, chosen: str
) -> None:
    from gatehouse.cli.processes import configure_logging

    if setting is None:
        monkeypatch.delenv("GATEHOUSE_LOG_FORMAT", raising=False)
    else:
        monkeypatch.setenv("GATEHOUSE_LOG_FORMAT", setting)
    root = logging.getLogger()
    level = root.level
    try:
        assert configure_logging(default_format=default) == chosen  # type: ignore[arg-type]
    finally:
        for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
            root.removeHandler(handler)
        root.setLevel(level)


def test_a_log_format_not_json_or_text_is_left_for_the_hub_to_refuse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pydantic import ValidationError

    from gatehouse.settings import Settings

    monkeypatch.setenv("GATEHOUSE_LOG_FORMAT", "xml")
    with pytest.raises(ValidationError, match="log_format"):
        Settings()
