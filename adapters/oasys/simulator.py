"""A simulated OASys, for tests and the demo: it receives offender updates and prison merges
(checked against their schemas), and writes assessment summaries as OASys would send them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from lxml import etree

from adapters.oasys.prison_merge import SCHEMA as PRISON_MERGE_SCHEMA
from adapters.oasys.render import SCHEMA
from adapters.oasys.translate import NAMESPACE
from adapters.transports.document_receiver import (
    DocumentReceiver,
    running_document_receiver,
    serve_from_command_line,
)

PATH = "/offender-updates"


class OasysReceiver(DocumentReceiver):
    """Receives offender updates at ``/offender-updates``, dropping a repeat of an event."""

    def __init__(self, *, validate: bool = True) -> None:
        super().__init__(
            "Simulated OASys",
            PATH,
            {"OffenderUpdate": SCHEMA, "PrisonMerge": PRISON_MERGE_SCHEMA},
            validate=validate,
        )


@contextmanager
def running_oasys() -> Iterator[tuple[str, OasysReceiver]]:
    """Serve a simulated OASys on a free 127.0.0.1 port; yields (its URL, receiver)."""
    receiver = OasysReceiver()
    with running_document_receiver(receiver) as url:
        yield url, receiver


def assessment_summary(
    assessment_id: str,
    completed_at: datetime,
    rosh: dict[str, tuple[str | None, str | None]],
    *,
    prison_number: str | None = None,
    crn: str | None = None,
    scores: dict[str, int] | None = None,
    assessment_type: str = "LAYER3",
) -> bytes:
    """An assessment summary document; ``rosh`` maps a group to (custody, community) levels."""

    def add(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
        element = etree.SubElement(parent, f"{{{NAMESPACE}}}{name}")
        element.text = text
        return element

    root = etree.Element(f"{{{NAMESPACE}}}AssessmentSummary", nsmap={None: NAMESPACE})
    header = add(root, "MessageHeader")
    add(header, "SentAt", completed_at.isoformat())
    add(header, "MessageReference", f"OASYS-{assessment_id}")
    offender = add(root, "Offender")
    if prison_number:
        add(offender, "NomsNumber", prison_number)
    if crn:
        add(offender, "Crn", crn)
    assessment = add(root, "Assessment")
    add(assessment, "AssessmentId", assessment_id)
    add(assessment, "Type", assessment_type)
    add(assessment, "Status", "COMPLETE")
    add(assessment, "CompletedAt", completed_at.isoformat())
    risks = add(root, "RiskOfSeriousHarm")
    for group, (custody, community) in rosh.items():
        risk = add(risks, "Risk")
        risk.set("group", group)
        if custody:
            add(risk, "Custody", custody)
        if community:
            add(risk, "Community", community)
    if scores:
        parent = add(root, "Scores")
        for name, value in scores.items():
            add(parent, "Score", str(value)).set("name", name)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def main() -> None:
    """``python -m adapters.oasys.simulator``: a simulated OASys in a process of its own."""
    serve_from_command_line(
        "A simulated OASys offender-update receiver.",
        9001,
        lambda _, validate: OasysReceiver(validate=validate).app,
    )


if __name__ == "__main__":
    main()
