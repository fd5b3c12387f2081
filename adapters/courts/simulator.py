"""A simulated court case management system, for tests and the demo: it writes the documents
a court sends (hearing lists, hearing results, warrants) and receives Gatehouse's custody
notices (``python -m adapters.courts.simulator --port 9006``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from lxml import etree

from adapters.courts.render import SCHEMA
from adapters.courts.translate import NAMESPACE
from adapters.transports.document_receiver import (
    DocumentReceiver,
    running_document_receiver,
    serve_from_command_line,
)
from schemas.xsd_values import xsd_date_time

PATH = "/custody-notices"


@dataclass(frozen=True)
class Defendant:
    surname: str
    forenames: str
    date_of_birth: date
    sex: str = "M"
    prison_number: str | None = None
    pnc_id: str | None = None
    cro_number: str | None = None


def _add(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NAMESPACE}}}{name}")
    element.text = text
    return element


def _root(name: str, court: str, sent_at: datetime, reference: str) -> etree._Element:
    root = etree.Element(f"{{{NAMESPACE}}}{name}", nsmap={None: NAMESPACE})
    header = _add(root, "MessageHeader")
    _add(header, "CourtCode", court)
    _add(header, "SentAt", xsd_date_time(sent_at))
    _add(header, "MessageReference", reference)
    return root


def _defendant(parent: etree._Element, who: Defendant) -> None:
    element = _add(parent, "Defendant")
    for name, value in (("PrisonNumber", who.prison_number), ("PncId", who.pnc_id),
                        ("CroNumber", who.cro_number)):  # fmt: skip
        if value is not None:
            _add(element, name, value)
    _add(element, "Surname", who.surname)
    _add(element, "Forenames", who.forenames)
    _add(element, "DateOfBirth", who.date_of_birth.isoformat())
    _add(element, "Sex", who.sex)


def _bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def hearing_list(
    court: str,
    hearing_date: date,
    hearings: Iterable[tuple[str, Defendant]],
    *,
    sent_at: datetime,
    reference: str,
) -> bytes:
    """A HearingList: (case reference, defendant) for each hearing at ``court``."""
    root = _root("HearingList", court, sent_at, reference)
    _add(root, "HearingDate", hearing_date.isoformat())
    for case_reference, who in hearings:
        hearing = _add(root, "Hearing")
        _add(hearing, "CaseReference", case_reference)
        _defendant(hearing, who)
    return _bytes(root)


def hearing_result(
    court: str,
    case_reference: str,
    who: Defendant,
    outcome: str,
    result_at: datetime,
    *,
    reference: str,
    left_prison_at: datetime | None = None,
    committed_to: str | None = None,
    key_dates: dict[str, date] | None = None,
) -> bytes:
    """A HearingResult for one defendant."""
    root = _root("HearingResult", court, result_at, reference)
    _add(root, "CaseReference", case_reference)
    _defendant(root, who)
    _add(root, "Outcome", outcome)
    _add(root, "ResultAt", xsd_date_time(result_at))
    if left_prison_at is not None:
        _add(root, "LeftPrisonAt", xsd_date_time(left_prison_at))
    if committed_to is not None:
        _add(root, "CommittedTo", committed_to)
    if key_dates:
        sentence = _add(root, "Sentence")
        for code, when in sorted(key_dates.items()):
            _add(sentence, "KeyDate", when.isoformat()).set("code", code)
    return _bytes(root)


class CourtReceiver(DocumentReceiver):
    """Receives custody notices at ``/custody-notices``, checked against their schema."""

    def __init__(self, *, validate: bool = True) -> None:
        super().__init__(
            "Simulated court case management", PATH, {"CustodyNotice": SCHEMA}, validate=validate
        )


@contextmanager
def running_court() -> Iterator[tuple[str, CourtReceiver]]:
    """Serve a receiver on a free 127.0.0.1 port; yields (its URL, receiver)."""
    receiver = CourtReceiver()
    with running_document_receiver(receiver) as url:
        yield url, receiver


def main() -> None:
    serve_from_command_line(
        "A simulated court's custody-notice receiver.",
        9006,
        lambda arguments, validate: CourtReceiver(validate=validate).app,
    )


if __name__ == "__main__":
    main()
