"""Commands: what an inbound partner message asks the record store to do.

Adapters translate partner documents into these; the store's handlers apply them. They are
imperative (``RecordReception``), frozen, and hold canonical values only: codes from the
reference data, identifiers already parsed, times with an offset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from core_records.identifiers import Identifier


@dataclass(frozen=True)
class PersonName:
    surname: str
    forenames: str
    """First and middle names, separated by single spaces."""
    name_type: str = "CN"
    """CN current, A alias, MAID maiden, NICK nickname."""


@dataclass(frozen=True)
class PersonParticulars:
    """Who a message is about, as the sending partner knows them."""

    identifiers: tuple[Identifier, ...]
    name: PersonName
    date_of_birth: date
    sex: str
    """M, F, NK (not known) or NS (not specified)."""
    aliases: tuple[PersonName, ...] = ()


@dataclass(frozen=True)
class RecordReception:
    """A person was received into a prison (an ADM movement, direction IN)."""

    person: PersonParticulars
    establishment: str
    reason_code: str
    """ADM movement reason: N remand, I imprisonment, INT transfer in, L recall, ..."""
    occurred_at: datetime
    from_agency: str | None = None
    legal_status: str | None = None


@dataclass(frozen=True)
class RecordTransfer:
    """A person left one establishment for another (a TRN movement)."""

    person: tuple[Identifier, ...]
    from_establishment: str
    to_establishment: str
    reason_code: str
    """TRN movement reason: NOTR normal, SEC security, MED medical, ..."""
    occurred_at: datetime


@dataclass(frozen=True)
class RecordRelease:
    """A person left custody (a REL movement, direction OUT)."""

    person: tuple[Identifier, ...]
    establishment: str
    reason_code: str
    """REL movement reason: CR conditional release, SC sentence completed, DEC died, ..."""
    occurred_at: datetime
    to_agency: str | None = None


Command = RecordReception | RecordTransfer | RecordRelease


@dataclass(frozen=True)
class InboundMessage:
    """The facts about one inbound partner message that the store records with its changes."""

    message_id: str
    correlation_id: str
    adapter: str
    message_type: str
    partner: str | None
    received_at: datetime
    commands: tuple[Command, ...] = field(default=())
