"""The information-governance page over HTTP, and ``gatehouse retention``: what is held, for
how long, and when it was last pruned, on a running hub whose default worker prunes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import sqlalchemy as sa

from core_records.bookkeeping.retention import HELD, last_pruned
from core_records.bookkeeping.tables import journal
from gatehouse.bootstrap import Hub
from tests.e2e.dashboard_support import create_user, signed_in_client
from tests.e2e.test_cli import run
from tests.running_hub import eventually


def _pruned_by_the_worker(hub: Hub) -> bool:
    with hub.engine.connect() as connection:
        return all(last_pruned(connection, held.kind) is not None for held in HELD)


def test_the_page_shows_each_kind_held_its_period_and_its_last_prune(hub: Hub, api: str) -> None:
    # A default worker runs the retention role: its first prune is recorded at start.
    eventually(lambda: _pruned_by_the_worker(hub), "the worker's first prune")
    expired_at = datetime.now(UTC) - timedelta(days=800)
    with hub.engine.begin() as connection:
        expired = connection.execute(
            sa.insert(journal)
            .values(message_id="old-hop", hop="received", at=expired_at, outcome="ok")
            .returning(journal.c.id)
        ).scalar_one()

    code, output = run(hub, "retention", "prune", "--dry-run")
    assert code == 0, output
    assert "journal: would remove 1 rows" in output
    code, output = run(hub, "retention", "prune")
    assert code == 0, output
    assert "journal: removed 1 rows" in output
    with hub.engine.connect() as connection:
        assert connection.scalar(sa.select(journal.c.id).where(journal.c.id == expired)) is None

    create_user(hub, "ig", "viewer")
    client = signed_in_client(api, "ig")
    try:
        page = client.get("/dashboard/information-governance")
    finally:
        client.close()
    assert page.status_code == 200
    assert 'href="/dashboard/information-governance"' in page.text
    journal_row = page.text.split('id="held-journal"', 1)[1].split("</tr>", 1)[0]
    assert "730 days" in journal_row
    assert "1 rows older than" in journal_row
    assert "90 days" in page.text.split('id="held-documents"', 1)[1].split("</tr>", 1)[0]
    assert "2557 days" in page.text.split('id="held-data_share_audit"', 1)[1]
    if hub.engine.dialect.name == "postgresql":
        this_month = f"journal_{datetime.now(UTC):%Y_%m}"
        assert this_month in page.text.split('id="partitions-journal"', 1)[1]

    code, output = run(hub, "retention", "status", "--json")
    assert code == 0, output
    status = {entry["kind"]: entry for entry in json.loads(output)}
    assert status["journal"]["periodDays"] == 730
    assert status["journal"]["lastPruned"]["rowsDeleted"] == 1


def test_a_stranger_is_sent_to_sign_in_first(hub: Hub, api: str) -> None:
    response = httpx.get(f"{api}/dashboard/information-governance")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/dashboard/sign-in")
