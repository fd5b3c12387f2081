"""An operator's batch file through a running hub: each document on the normal pipeline,
refused ones reported by number and reason without stopping the rest. Both backends."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from adapters.delius.simulator import DeliusReceiver
from core_records.errors import NotPermitted
from core_records.identifiers import Identifier
from core_records.partner_records.tables import visit
from gatehouse.bootstrap import Hub
from gatehouse.cli.private_prisons import import_batch
from tests.running_hub import eventually

SAMPLES = Path(__file__).parents[2] / "adapters" / "private_prisons" / "samples"


def document(name: str) -> str:
    text = (SAMPLES / name).read_text()
    return re.sub(r"<\?xml[^>]*\?>|<!--.*?-->", "", text, flags=re.S).strip()


def write_batch(path: Path, *names: str, operator: str = "serco") -> Path:
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Batch xmlns="urn:gatehouse:private-prisons:v1">\n'
        f"<BatchHeader><Operator>{operator}</Operator>"
        "<CreatedAt>2024-05-02T23:00:00+01:00</CreatedAt>"
        "<BatchReference>SER-NIGHTLY-0502</BatchReference></BatchHeader>\n"
        + "\n".join(document(name) for name in names)
        + "\n</Batch>\n"
    )
    return path


def test_a_batch_file_is_applied_document_by_document_and_its_refusals_reported(
    hub: Hub, delius: tuple[str, DeliusReceiver], tmp_path: Path
) -> None:
    _, receiver = delius
    path = write_batch(
        tmp_path / "nightly.xml",
        "valid/reception-new-person.xml",
        "valid/visit-social-completed.xml",
        "invalid/reception-bad-pnc-check-letter.xml",
        "invalid/reception-at-prison-operator-does-not-run.xml",
        "valid/release-conditional.xml",
    )

    report = import_batch(hub, path, "serco")

    assert report.reference == "SER-NIGHTLY-0502"
    assert len(report.accepted) == 3
    assert [(r.number, r.line is not None) for r in report.refused] == [(3, True), (4, True)]
    assert "check letter" in report.refused[0].reason
    assert "serco does not run the prison OWI" in report.refused[1].reason

    # The reception reached Delius and the visit is on the person's record; the release
    # (of someone not in custody) was accepted by the file but refused by the record.
    assert receiver.wait_for(1, timeout_s=30)
    person = hub.store.person_view(Identifier("LOCAL", "serco:DN0458812"))
    assert person is not None and person["establishment"] == "DNI"

    def visited() -> bool:
        with hub.engine.connect() as connection:
            return connection.execute(sa.select(sa.func.count()).select_from(visit)).scalar() == 1

    eventually(visited, "the visit to be recorded")
    release_id = report.accepted[2]
    eventually(
        lambda: any(h.hop == "rejected" for h in hub.journal.trace(release_id)),
        "the release to be refused by the record",
    )
    [rejected] = [h for h in hub.journal.trace(release_id) if h.hop == "rejected"]
    assert rejected.correlation_id == "SER-NIGHTLY-0502"
    assert (
        rejected.detail is not None
        and "no one in custody at ASI has NOMS A1234BC" in rejected.detail
    )
    assert len(receiver.received) == 1


def test_a_batch_that_names_another_operator_is_refused_whole(hub: Hub, tmp_path: Path) -> None:
    path = write_batch(tmp_path / "b.xml", "valid/reception-new-person.xml", operator="sodexo")
    with pytest.raises(NotPermitted, match="names the operator 'sodexo', not 'serco'"):
        import_batch(hub, path, "serco")
