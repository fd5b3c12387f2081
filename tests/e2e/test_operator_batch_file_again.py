"""An operator's batch file imported again, or resumed from an item already sent, applies
nothing twice: each document's ``MessageReference`` is claimed as a post's is. Both
backends."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from adapters.delius.simulator import DeliusReceiver
from core_records import tables
from gatehouse.bootstrap import Hub
from gatehouse.cli.private_prisons import import_batch
from tests.e2e.test_operator_batch_file import write_batch
from tests.running_hub import eventually

NIGHTLY = ("valid/reception-new-person.xml", "valid/visit-social-completed.xml")


def count(hub: Hub, table: sa.Table) -> int:
    with hub.engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def settled(hub: Hub, message_ids: list[str]) -> None:
    """Every message has been through ingest and the queue is empty."""
    for message_id in message_ids:
        eventually(
            lambda m=message_id: any(h.hop == "stored" for h in hub.journal.trace(m)),
            f"{message_id} to be stored",
        )
    eventually(
        lambda: hub.transport.queue_depth(hub.topology.ingest_queue) == 0, "ingest to be idle"
    )


def test_importing_a_batch_again_or_resuming_early_applies_nothing_twice(
    hub: Hub, delius: tuple[str, DeliusReceiver], tmp_path: Path
) -> None:
    _, receiver = delius
    path = write_batch(tmp_path / "nightly.xml", *NIGHTLY)

    first = import_batch(hub, path, "serco")
    assert len(first.accepted) == 2 and first.repeated == [] and first.refused == []
    settled(hub, first.accepted)

    again = import_batch(hub, path, "serco")
    resumed = import_batch(hub, path, "serco", from_item=2)

    assert again.accepted == first.accepted and again.repeated == [1, 2]
    assert resumed.accepted == first.accepted[1:] and resumed.repeated == [2]
    assert again.refused == [] and resumed.refused == []
    settled(hub, first.accepted)
    assert count(hub, tables.person) == 1
    assert count(hub, tables.visit) == 1
    assert count(hub, tables.dead_letter) == 0
    for message_id in first.accepted:
        hops = [h.hop for h in hub.journal.trace(message_id) if h.message_id == message_id]
        assert "rejected" not in hops and "dead_lettered" not in hops, hops
    assert receiver.wait_for(1, timeout_s=30)
    assert len(receiver.received) == 1


def test_a_reference_reused_for_another_document_in_a_batch_is_refused(
    hub: Hub, tmp_path: Path
) -> None:
    first = import_batch(hub, write_batch(tmp_path / "a.xml", NIGHTLY[0]), "serco")
    changed = tmp_path / "b.xml"
    write_batch(changed, NIGHTLY[0])
    changed.write_text(changed.read_text().replace("<Surname>", "<Surname>X", 1))

    report = import_batch(hub, changed, "serco")

    assert report.accepted == []
    [refusal] = report.refused
    assert refusal.number == 1
    assert "already sent a different message with the reference 'SER-DNI-2024-0001873'" in (
        refusal.reason
    )
    assert first.accepted[0] in refusal.reason
    settled(hub, first.accepted)
    assert count(hub, tables.person) == 1
