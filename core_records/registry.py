"""The one list of command handlers: which area applies which command.

Each area module that changes the record names its handlers in a ``HANDLERS`` dict (command
type to handler) and, where a handler reads ahead for a whole batch, its ``prepare`` steps
in a ``PREPARERS`` dict (see ``core_records.store.batch_state``). This module gathers them,
explicitly, into a ``CommandHandlers`` that the record store applies commands through::

    handlers = command_handlers()
    handlers.prepare_batch(work, commands)
    events = handlers.apply(work, command)

A new command is added by writing its handler in its area, naming it in that area's
``HANDLERS``, and, if the area is new, adding the area's dict below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from core_records.canteen import handler as canteen
from core_records.commands import Command
from core_records.custody import applications, prison_records, temporary_movements
from core_records.custody import handlers as custody
from core_records.errors import InvalidMessage
from core_records.events import CanonicalEvent
from core_records.partner_records import (
    courts,
    non_associations,
    police,
    probation,
    risk,
    security,
    sentences,
    visits,
)
from core_records.store.unit_of_work import UnitOfWork

Handler = Callable[[UnitOfWork, Any], list[CanonicalEvent]]
"""Applies one command through the batch's unit of work; returns the events it produced."""

Prepare = Callable[[UnitOfWork, Sequence[Any]], None]
"""Reads ahead, once per batch, for all of the batch's commands of one type."""


@dataclass(frozen=True)
class CommandHandlers:
    """Handlers and batch ``prepare`` steps, by the type of command they take."""

    handlers: Mapping[type, Handler]
    preparers: Mapping[type, Prepare]

    def prepare_batch(self, work: UnitOfWork, commands: Sequence[Command]) -> None:
        """Read ahead for a batch's ``commands``: who holds the identifiers they mention (the
        unit of work), then what each handler with a ``prepare`` step reads for its own."""
        work.prepare(commands)
        by_type: dict[type, list[Any]] = {}
        for command in commands:
            if type(command) in self.preparers:
                by_type.setdefault(type(command), []).append(command)
        for kind, some in by_type.items():
            self.preparers[kind](work, some)

    def apply(self, work: UnitOfWork, command: Command) -> list[CanonicalEvent]:
        """Apply ``command``; raises ``PermanentError`` subclasses for a command that is wrong."""
        handler = self.handlers.get(type(command))
        if handler is None:
            raise InvalidMessage(f"the record store has no handler for {type(command).__name__}")
        if command.occurred_at.utcoffset() is None:
            raise InvalidMessage(f"the time {command.occurred_at.isoformat()} has no UTC offset")
        return handler(work, command)


@cache
def command_handlers() -> CommandHandlers:
    """Every area's handlers, gathered once."""
    return CommandHandlers(
        handlers={
            **custody.HANDLERS,
            **applications.HANDLERS,
            **temporary_movements.HANDLERS,
            **prison_records.HANDLERS,
            **courts.HANDLERS,
            **police.HANDLERS,
            **security.HANDLERS,
            **probation.HANDLERS,
            **risk.HANDLERS,
            **visits.HANDLERS,
            **sentences.HANDLERS,
            **non_associations.HANDLERS,
            **canteen.HANDLERS,
        },
        preparers={**canteen.PREPARERS},
    )
