"""Court documents (format v1) to canonical commands: pure translators.

    HearingList     one ``RecordListedHearing`` per defendant named by a prison number or
                    PNC id (anyone else the hub cannot hold, so cannot be told about)
    HearingResult   ``RecordHearingResult``
    Warrant         ``RecordReception`` into the prison the court committed the person to

Identifiers are parsed to canonical form (``InvalidIdentifier`` says what is wrong with one).
Court and prison codes are checked against the reference data by the store.
"""

from __future__ import annotations

from datetime import date, datetime

from lxml import etree

from adapters.base import MESSAGE_REFERENCE, InboundType, PartnerScope
from adapters.render_kit import ElementPaths
from core_records.commands import PersonName, PersonParticulars, RecordReception
from core_records.errors import InvalidMessage
from core_records.identifiers import CRO, NOMS, PNC, Identifier, parse_identifier
from core_records.partner_records.courts import RecordHearingResult, RecordListedHearing

NAMESPACE = "urn:gatehouse:courts:v1"
SCHEMAS = {
    "hearing-list": "courts/hearing-list-v1.xsd",
    "hearing-result": "courts/hearing-result-v1.xsd",
    "warrant": "courts/warrant-v1.xsd",
}
WARRANT_RECEPTIONS = {"REMAND": ("N", "REMAND"), "COMMITTAL": ("N", "REMAND"),
                      "SENTENCE": ("I", "SENTENCED")}  # fmt: skip
"""Warrant type to the reception's ADM reason and the person's legal status."""

_PATHS = ElementPaths(NAMESPACE, "c")


def _time(element: etree._Element, path: str) -> datetime:
    text = _PATHS.required(element, path)
    value = datetime.fromisoformat(text)
    if value.utcoffset() is None:
        raise InvalidMessage(f"{path} {text!r} has no offset from UTC", rule="time-offset")
    return value


def _optional_time(element: etree._Element, path: str) -> datetime | None:
    return _time(element, path) if _PATHS.text(element, path) else None


def _court(document: etree._Element) -> str:
    return _PATHS.required(document, "c:MessageHeader/c:CourtCode")


def _identifiers(defendant: etree._Element) -> tuple[Identifier, ...]:
    found = []
    for name, kind in (("PrisonNumber", NOMS), ("PncId", PNC), ("CroNumber", CRO)):
        value = _PATHS.text(defendant, f"c:{name}")
        if value:
            found.append(parse_identifier(kind, value))
    return tuple(found)


def _particulars(defendant: etree._Element) -> PersonParticulars:
    return PersonParticulars(
        identifiers=_identifiers(defendant),
        name=PersonName(
            surname=_PATHS.required(defendant, "c:Surname"),
            forenames=" ".join(_PATHS.required(defendant, "c:Forenames").split()),
        ),
        date_of_birth=date.fromisoformat(_PATHS.required(defendant, "c:DateOfBirth")),
        sex=_PATHS.required(defendant, "c:Sex"),
    )


def _defendant(element: etree._Element) -> etree._Element:
    found = element.find("c:Defendant", {"c": NAMESPACE})
    if found is None:
        raise InvalidMessage("the document has no Defendant", rule="required")
    return found


def _root(document: etree._Element, name: str) -> None:
    if document.tag != f"{{{NAMESPACE}}}{name}":
        raise InvalidMessage(f"the message must be a {name} element in {NAMESPACE}",
                             rule="root-element")  # fmt: skip


def translate_hearing_list(
    document: etree._Element, scope: PartnerScope
) -> tuple[RecordListedHearing, ...]:
    _root(document, "HearingList")
    court = _court(document)
    sent_at = _time(document, "c:MessageHeader/c:SentAt")
    hearing_date = date.fromisoformat(_PATHS.required(document, "c:HearingDate"))
    commands = []
    for hearing in document.iterfind("c:Hearing", {"c": NAMESPACE}):
        identifiers = tuple(i for i in _identifiers(_defendant(hearing)) if i.type in (NOMS, PNC))
        if identifiers:
            reference = _PATHS.required(hearing, "c:CaseReference")
            commands.append(
                RecordListedHearing(identifiers, court, hearing_date, reference, sent_at)
            )
    return tuple(commands)


def translate_hearing_result(
    document: etree._Element, scope: PartnerScope
) -> tuple[RecordHearingResult]:
    _root(document, "HearingResult")
    defendant = _defendant(document)
    particulars = _particulars(defendant)
    key_dates = tuple(
        (str(element.get("code")), date.fromisoformat((element.text or "").strip()))
        for element in document.iterfind("c:Sentence/c:KeyDate", {"c": NAMESPACE})
    )
    if len({code for code, _ in key_dates}) != len(key_dates):
        raise InvalidMessage("a sentence key date is given twice", rule="key-date-twice")
    return (
        RecordHearingResult(
            person=particulars.identifiers,
            particulars=particulars,
            court=_court(document),
            case_reference=_PATHS.required(document, "c:CaseReference"),
            outcome=_PATHS.required(document, "c:Outcome"),
            occurred_at=_time(document, "c:ResultAt"),
            left_prison_at=_optional_time(document, "c:LeftPrisonAt"),
            committed_to=_PATHS.text(document, "c:CommittedTo"),
            key_dates=key_dates,
        ),
    )


def translate_warrant(document: etree._Element, scope: PartnerScope) -> tuple[RecordReception]:
    _root(document, "Warrant")
    reason_code, legal_status = WARRANT_RECEPTIONS[_PATHS.required(document, "c:WarrantType")]
    return (
        RecordReception(
            person=_particulars(_defendant(document)),
            establishment=_PATHS.required(document, "c:CommittedTo"),
            reason_code=reason_code,
            occurred_at=_time(document, "c:ReceivedAt"),
            from_agency=_court(document),
            legal_status=legal_status,
        ),
    )


_TRANSLATORS = {
    "hearing-list": translate_hearing_list,
    "hearing-result": translate_hearing_result,
    "warrant": translate_warrant,
}

INBOUND = {
    message_type: InboundType(
        message_type, SCHEMAS[message_type], translate, reference_at=MESSAGE_REFERENCE
    )
    for message_type, translate in _TRANSLATORS.items()
}
"""Message type (as in the inbound URL) to what the adapter takes."""
