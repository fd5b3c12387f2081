"""Security application documents (format v1) to canonical commands: pure translators.

Whether the alert code is a security (X type) code in the reference data, and whether the
person is on record, is the store's business; the schema already insists on an X code.
"""

from __future__ import annotations

from lxml import etree

from adapters.base import PartnerScope
from adapters.security.documents import date_time, root, text
from core_records.commands import RecordIntelligenceFlag, RecordSecurityAlert
from core_records.identifiers import NOMS, parse_identifier


def translate_alert(document: etree._Element, scope: PartnerScope) -> tuple[RecordSecurityAlert]:
    element = root(document, "alert")
    return (
        RecordSecurityAlert(
            person=(parse_identifier(NOMS, text(element, "PrisonNumber")),),
            reference=text(element, "AlertReference"),
            alert_code=text(element, "AlertCode"),
            active=text(element, "Status") == "RAISED",
            occurred_at=date_time(element, "At"),
        ),
    )


def translate_flag(document: etree._Element, scope: PartnerScope) -> tuple[RecordIntelligenceFlag]:
    element = root(document, "flag")
    return (
        RecordIntelligenceFlag(
            person=(parse_identifier(NOMS, text(element, "PrisonNumber")),),
            reference=text(element, "FlagReference"),
            flag_code=text(element, "FlagCode"),
            grading=text(element, "Grading"),
            occurred_at=date_time(element, "RaisedAt"),
        ),
    )
