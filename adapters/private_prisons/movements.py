"""Private-prison movement documents (Reception, Transfer, Release; format v1) to canonical
commands: pure translators, and the person's canonical identifiers the other translators
share.

Each translator checks that the calling operator is the one the header names, and that the
movement concerns a prison that operator runs (the receiving prison of a reception, the
prison left by a transfer or a release); anything else is ``NotPermitted``. Identifiers are
parsed to canonical form (``InvalidIdentifier`` says what is wrong with one); the operator's
own id becomes ``LOCAL`` ``operator:local-id``. Codes are not checked against reference data
here: the store does that.
"""

from __future__ import annotations

from lxml import etree

from adapters.base import PartnerScope
from adapters.private_prisons.messages import ROOT_ELEMENTS, OperatorMessage, OperatorPerson
from adapters.private_prisons.reading import read_message
from core_records.commands import (
    PersonName,
    PersonParticulars,
    RecordReception,
    RecordRelease,
    RecordTransfer,
)
from core_records.errors import InvalidMessage, NotPermitted
from core_records.identifiers import CRO, LOCAL, NOMS, PNC, Identifier, parse_identifier


def identifiers(person: OperatorPerson, operator: str) -> tuple[Identifier, ...]:
    """The person's identifiers in canonical form, the prison number first."""
    found = [
        parse_identifier(NOMS, person.prison_number) if person.prison_number else None,
        parse_identifier(LOCAL, f"{operator}:{person.local_id}"),
        parse_identifier(PNC, person.pnc_id) if person.pnc_id else None,
        parse_identifier(CRO, person.cro_number) if person.cro_number else None,
    ]
    return tuple(identifier for identifier in found if identifier is not None)


def particulars(person: OperatorPerson, operator: str) -> PersonParticulars:
    """Who the person is, as a reception records them; aliases as name type A."""
    return PersonParticulars(
        identifiers=identifiers(person, operator),
        name=PersonName(surname=person.surname, forenames=person.forenames),
        date_of_birth=person.date_of_birth,
        sex=person.sex,
        aliases=tuple(PersonName(a.surname, a.forenames, name_type="A") for a in person.aliases),
    )


_ESTABLISHMENT_SIDE = {"reception": "ToAgency", "transfer": "FromAgency", "release": "FromAgency"}
"""Which end of the movement is the operator's prison, per message type."""


def _movement_establishment(message: OperatorMessage, scope: PartnerScope) -> str:
    """The prison the movement concerns, once the caller is shown to be allowed to say so."""
    header = message.header
    if header.operator != scope.partner:
        raise NotPermitted(
            f"the message header names the operator {header.operator!r}, but"
            f" {scope.partner!r} sent it"
        )
    side = _ESTABLISHMENT_SIDE[message.message_type]
    movement = message.movement
    establishment = movement.to_agency if side == "ToAgency" else movement.from_agency
    element = f"/{ROOT_ELEMENTS[message.message_type]}/Movement/{side}"
    if establishment is None:
        raise InvalidMessage(f"the movement has no {side}", element=element, rule="required")
    for code in dict.fromkeys((header.establishment, establishment)):
        if code not in scope.establishments:
            raise NotPermitted(f"{scope.partner} does not run the prison {code}")
    if establishment != header.establishment:
        raise InvalidMessage(
            f"the movement's {side} {establishment} is not the header's establishment"
            f" {header.establishment}",
            element=element,
            rule="establishment-mismatch",
        )
    return establishment


def translate_reception(document: etree._Element, scope: PartnerScope) -> tuple[RecordReception]:
    """A Reception document to ``RecordReception``."""
    message = read_message(document, "reception")
    establishment = _movement_establishment(message, scope)
    return (
        RecordReception(
            person=particulars(message.person, scope.partner),
            establishment=establishment,
            reason_code=message.movement.reason_code,
            occurred_at=message.movement.occurred_at,
            from_agency=message.movement.from_agency,
        ),
    )


def translate_transfer(document: etree._Element, scope: PartnerScope) -> tuple[RecordTransfer]:
    """A Transfer document to ``RecordTransfer``."""
    message = read_message(document, "transfer")
    establishment = _movement_establishment(message, scope)
    destination = message.movement.to_agency
    if destination is None or destination == establishment:
        raise InvalidMessage(
            f"a transfer from {establishment} must name another prison as its ToAgency",
            element="/Transfer/Movement/ToAgency",
            rule="transfer-destination",
        )
    return (
        RecordTransfer(
            person=identifiers(message.person, scope.partner),
            from_establishment=establishment,
            to_establishment=destination,
            reason_code=message.movement.reason_code,
            occurred_at=message.movement.occurred_at,
        ),
    )


def translate_release(document: etree._Element, scope: PartnerScope) -> tuple[RecordRelease]:
    """A Release document to ``RecordRelease``."""
    message = read_message(document, "release")
    establishment = _movement_establishment(message, scope)
    return (
        RecordRelease(
            person=identifiers(message.person, scope.partner),
            establishment=establishment,
            reason_code=message.movement.reason_code,
            occurred_at=message.movement.occurred_at,
            to_agency=message.movement.to_agency,
        ),
    )
