"""PNC documents (format v1) to canonical commands: pure translators.

Identifiers are parsed to canonical form with their check letters checked
(``InvalidIdentifier`` names the letter expected). Whether the person exists, and whether
the ids are free to give them, is the store's business.
"""

from __future__ import annotations

from datetime import date

from lxml import etree

from adapters.base import PartnerScope
from adapters.pnc.documents import children, date_time, optional_text, root, text
from core_records.commands import (
    AmendPoliceRecord,
    AssignPoliceIdentifiers,
    MergePoliceRecords,
    PersonName,
    RecordPoliceLookup,
)
from core_records.errors import InvalidMessage
from core_records.identifiers import CRO, NOMS, PNC, Identifier, parse_identifier


def _optional(identifier_type: str, value: str | None) -> Identifier | None:
    return parse_identifier(identifier_type, value) if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def translate_identifiers(
    document: etree._Element, scope: PartnerScope
) -> tuple[AssignPoliceIdentifiers]:
    element = root(document, "identifiers")
    return (
        AssignPoliceIdentifiers(
            person=(parse_identifier(NOMS, text(element, "PrisonNumber")),),
            pnc_id=parse_identifier(PNC, text(element, "PncId")),
            cro_number=_optional(CRO, optional_text(element, "CroNumber")),
            occurred_at=date_time(element, "AssignedAt"),
        ),
    )


def translate_amendment(document: etree._Element, scope: PartnerScope) -> tuple[AmendPoliceRecord]:
    element = root(document, "amendment")
    names = tuple(
        PersonName(text(name, "Surname").upper(), text(name, "Forenames").upper(), name_type="A")
        for name in children(element, "Name")
    )
    return (
        AmendPoliceRecord(
            person=(parse_identifier(PNC, text(element, "PncId")),),
            cro_number=_optional(CRO, optional_text(element, "CroNumber")),
            aliases=names,
            occurred_at=date_time(element, "AmendedAt"),
            date_of_birth=_date(optional_text(element, "DateOfBirth")),
        ),
    )


def translate_merge(document: etree._Element, scope: PartnerScope) -> tuple[MergePoliceRecords]:
    element = root(document, "merge")
    retained = parse_identifier(PNC, text(element, "RetainedPncId"))
    merged = parse_identifier(PNC, text(element, "MergedPncId"))
    if retained == merged:
        raise InvalidMessage(
            f"a merge must name two PNC records, not {retained.value} twice",
            element="/RecordsMerged/MergedPncId",
            rule="merge-same-record",
        )
    return (
        MergePoliceRecords(
            person=(retained, merged),
            retained=retained,
            merged=merged,
            occurred_at=date_time(element, "MergedAt"),
        ),
    )


def translate_reply(document: etree._Element, scope: PartnerScope) -> tuple[RecordPoliceLookup]:
    element = root(document, "reply")
    outcome = text(element, "Outcome")
    pnc_id = _optional(PNC, optional_text(element, "PncId"))
    cro_number = _optional(CRO, optional_text(element, "CroNumber"))
    if outcome == "FOUND" and pnc_id is None:
        raise InvalidMessage(
            "a FOUND lookup reply must give the PNC id",
            element="/LookupReply/PncId",
            rule="found-without-pnc-id",
        )
    if outcome == "NOT_FOUND" and (pnc_id or cro_number):
        raise InvalidMessage(
            "a NOT_FOUND lookup reply cannot give a PNC id or CRO number",
            element="/LookupReply/Outcome",
            rule="not-found-with-ids",
        )
    return (
        RecordPoliceLookup(
            person=(parse_identifier(NOMS, text(element, "PrisonNumber")),),
            outcome=outcome,
            pnc_id=pnc_id,
            cro_number=cro_number,
            occurred_at=date_time(element, "AnsweredAt"),
        ),
    )
