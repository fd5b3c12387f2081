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


@dataclass(frozen=True)
class AssignPoliceIdentifiers:
    """PNC has given the person (named by prison number) a PNC id, and a CRO number."""

    person: tuple[Identifier, ...]
    pnc_id: Identifier
    cro_number: Identifier | None
    occurred_at: datetime


@dataclass(frozen=True)
class RecordPoliceLookup:
    """PNC's answer to the hub's lookup of a person received without a PNC id.

    ``outcome`` FOUND carries the ids, which are assigned as by ``AssignPoliceIdentifiers``;
    NOT_FOUND carries none. Either way the answer is recorded, however late it came."""

    person: tuple[Identifier, ...]
    outcome: str
    pnc_id: Identifier | None
    cro_number: Identifier | None
    occurred_at: datetime


@dataclass(frozen=True)
class AmendPoliceRecord:
    """PNC amended the record of the person holding ``person`` (a PNC id): a corrected CRO
    number, names PNC knows the person by (kept as aliases), a corrected date of birth."""

    person: tuple[Identifier, ...]
    cro_number: Identifier | None
    aliases: tuple[PersonName, ...]
    occurred_at: datetime
    date_of_birth: date | None = None


@dataclass(frozen=True)
class MergePoliceRecords:
    """PNC merged the record ``merged`` into ``retained``: whoever the hub holds with the
    merged PNC id is known by the retained one instead."""

    person: tuple[Identifier, ...]
    """The retained and merged PNC ids, in that order."""
    retained: Identifier
    merged: Identifier
    occurred_at: datetime


@dataclass(frozen=True)
class RecordSecurityAlert:
    """The security application raised (``active``) or closed a security (X type) alert."""

    person: tuple[Identifier, ...]
    reference: str
    """The security application's own id for the alert."""
    alert_code: str
    active: bool
    occurred_at: datetime


@dataclass(frozen=True)
class RecordIntelligenceFlag:
    """The security application flagged a person (``flag_code``), with its grading."""

    person: tuple[Identifier, ...]
    reference: str
    flag_code: str
    grading: str
    occurred_at: datetime


Command = (
    RecordReception
    | RecordTransfer
    | RecordRelease
    | AssignPoliceIdentifiers
    | RecordPoliceLookup
    | AmendPoliceRecord
    | MergePoliceRecords
    | RecordSecurityAlert
    | RecordIntelligenceFlag
)


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
