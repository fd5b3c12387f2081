"""A public prison's nightly LIDS extract from a local copy (``gatehouse lids import``),
through a running hub: each message on the normal pipeline, a row for another prison and an
element that is no LIDS message refused by number and reason without stopping the rest, and
the same file imported again applying nothing twice. Both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from adapters.delius.simulator import DeliusReceiver
from adapters.lids.extract import write_extract
from adapters.lids.simulator import LidsMessages, LidsPerson, day_of_traffic
from core_records.errors import NotPermitted
from core_records.tables import canteen_transaction, person
from gatehouse.bootstrap import Hub
from gatehouse.cli.lids import import_extract
from tests.running_hub import eventually

DAY = datetime(2024, 5, 1, tzinfo=UTC)


def count(hub: Hub, table: sa.Table, *where: object) -> int:
    with hub.engine.connect() as connection:
        return int(connection.scalar(sa.select(sa.func.count()).select_from(table).where(*where)))


def test_an_extract_is_applied_message_by_message_once_however_often_it_is_imported(
    hub: Hub, delius: tuple[str, DeliusReceiver], tmp_path: Path
) -> None:
    _, receiver = delius
    day = [body for _, _, body in day_of_traffic(["PVI"], DAY, people_each=2)]
    # A Brixton row in Pentonville's extract.
    someone = LidsPerson("BX0001", "NAYLOR", "GARY", date(1980, 1, 2))
    brixton = LidsMessages("BXI").credit(someone, "PAY", 100, DAY)
    extract = write_extract("PVI", "2024-05-01", "2024-05-01T23:30:00+01:00", [*day, brixton])
    extract = extract.replace(
        b"</LidsExtract>", b'  <Gossip xmlns="urn:gatehouse:lids:v1"/>\n</LidsExtract>'
    )
    path = tmp_path / "PVI-20240501.xml"
    path.write_bytes(extract)

    report = import_extract(hub, path, "PVI")

    assert len(report.accepted) == len(day)
    assert [r.number for r in report.refused] == [len(day) + 1, len(day) + 2]
    assert "may not send rows for BXI" in report.refused[0].reason
    assert "not a LIDS message" in report.refused[1].reason
    eventually(lambda: count(hub, canteen_transaction) == 2, "both credits applied")
    assert count(hub, person, person.c.current_establishment == "PVI") == 2
    assert receiver.wait_for(2, timeout_s=30)  # Delius hears of both receptions

    again = import_extract(hub, path, "PVI")
    assert len(again.repeated) == len(day)
    assert count(hub, canteen_transaction) == 2

    with pytest.raises(NotPermitted, match="the extract is PVI's, not LEI's"):
        import_extract(hub, path, "LEI")
