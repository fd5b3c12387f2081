"""Service-level rules of each interface, kept as configuration (a TOML file).

``monitoring/sla.toml`` holds the defaults; ``GATEHOUSE_SLA_FILE`` points at an operator's
own. A file with a mistake is refused at start-up with the key and the file named, so a
typo never silently turns a rule off.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from datetime import datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_SLA_FILE = Path(__file__).with_name("sla.toml")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class SlaConfigurationError(ValueError):
    """The SLA file cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class SlaRule:
    silence_minutes: float = 30
    working_hours: tuple[time, time] = (time(7), time(19))
    working_days: frozenset[int] = frozenset(range(5))
    """Monday is 0."""
    timezone: str = "Europe/London"
    error_window_minutes: float = 15
    error_rate_amber: float = 0.05
    error_rate_red: float = 0.25
    min_messages: int = 5
    dead_letters_amber: int = 1
    dead_letters_red: int = 10
    queue_depth_amber: int = 1000
    queue_depth_red: int = 10000
    oldest_message_minutes_amber: float = 10
    oldest_message_minutes_red: float = 30
    held_delivery_minutes_amber: float = 10

    def in_working_hours(self, at: datetime) -> bool:
        local = at.astimezone(ZoneInfo(self.timezone))
        start, end = self.working_hours
        return local.weekday() in self.working_days and start <= local.time() < end


@dataclass(frozen=True)
class SlaRules:
    defaults: SlaRule
    interfaces: dict[str, SlaRule]
    """By ``adapter.direction``."""

    def rule_for(self, adapter: str, direction: str) -> SlaRule:
        return self.interfaces.get(f"{adapter}.{direction}", self.defaults)


def load_sla_rules(path: Path | None = None) -> SlaRules:
    path = path or DEFAULT_SLA_FILE
    try:
        document = tomllib.loads(path.read_text())
    except OSError as error:
        raise SlaConfigurationError(f"cannot read the SLA file {path}: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise SlaConfigurationError(f"the SLA file {path} is not valid TOML: {error}") from error
    unknown = sorted(set(document) - {"defaults", "interfaces"})
    if unknown:
        raise SlaConfigurationError(f"{path}: unknown section {', '.join(unknown)}")
    defaults = _rule(SlaRule(), document.get("defaults", {}), f"{path} [defaults]")
    interfaces = {
        name: _rule(defaults, values, f'{path} [interfaces."{name}"]')
        for name, values in document.get("interfaces", {}).items()
    }
    for name in interfaces:
        if name.rpartition(".")[2] not in ("inbound", "outbound"):
            raise SlaConfigurationError(
                f'{path}: interface "{name}" must be ADAPTER.inbound or ADAPTER.outbound'
            )
    return SlaRules(defaults, interfaces)


def _rule(base: SlaRule, values: dict[str, Any], where: str) -> SlaRule:
    known = {f.name for f in fields(SlaRule)}
    changes: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            raise SlaConfigurationError(f"{where}: unknown key {key!r}")
        try:
            changes[key] = _parse(key, value)
        except (TypeError, ValueError) as error:
            raise SlaConfigurationError(f"{where}: {key} = {value!r}: {error}") from error
    rule = replace(base, **changes)
    if rule.error_rate_amber > rule.error_rate_red:
        raise SlaConfigurationError(f"{where}: error_rate_amber is above error_rate_red")
    return rule


def _parse(key: str, value: Any) -> Any:
    if key == "working_hours":
        start, _, end = str(value).partition("-")
        hours = (time.fromisoformat(start.strip()), time.fromisoformat(end.strip()))
        if hours[0] >= hours[1]:
            raise ValueError("the start must come before the end, as in 07:00-19:00")
        return hours
    if key == "working_days":
        if not isinstance(value, list) or any(day not in DAYS for day in value):
            raise ValueError(f"expected a list of {', '.join(DAYS)}")
        return frozenset(DAYS.index(day) for day in value)
    if key == "timezone":
        try:
            ZoneInfo(str(value))
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError("not a known time zone") from error
        return str(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError("expected a number")
    if value < 0:
        raise ValueError("must not be negative")
    if key.startswith("error_rate") and value > 1:
        raise ValueError("an error rate is a fraction between 0 and 1")
    return int(value) if key in _WHOLE_NUMBERS else float(value)


_WHOLE_NUMBERS = {
    "min_messages",
    "dead_letters_amber",
    "dead_letters_red",
    "queue_depth_amber",
    "queue_depth_red",
}
