"""The ``gatehouse`` command as an operator uses it: tokens, dead letters, the schema."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from adapters.delius.simulator import DeliusReceiver
from adapters.transports.local_server import serving
from core_records import tables
from gatehouse.app import create_app
from gatehouse.bootstrap import Hub
from gatehouse.cli import app
from tests.running_hub import eventually

SAMPLE = (
    Path(__file__).parents[2] / "adapters/private_prisons/samples/valid/reception-new-person.xml"
)


def environment_of(hub: Hub) -> dict[str, str]:
    settings = hub.settings
    return {
        "GATEHOUSE_DATABASE_URL": settings.store_url,
        "GATEHOUSE_BROKER_URL": settings.broker_url or "",
        "GATEHOUSE_NAMESPACE": settings.namespace,
        "GATEHOUSE_DATA_DIR": str(settings.data_dir),
        "GATEHOUSE_DELAY_TIERS_MS": json.dumps(list(settings.delay_tiers_ms)),
    }


def run(hub: Hub, *arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(arguments), env=environment_of(hub))
    return result.exit_code, result.output


def test_db_upgrade_brings_a_new_embedded_store_to_the_latest_revision(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["db", "upgrade"],
        env={"GATEHOUSE_DATA_DIR": str(tmp_path), "GATEHOUSE_DATABASE_URL": ""},
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("store at revision ")
    assert (tmp_path / "gatehouse.sqlite3").exists()


def test_a_token_is_printed_once_and_only_its_hash_is_stored(hub: Hub) -> None:
    code, output = run(hub, "tokens", "create", "--partner", "serco")

    assert code == 0, output
    token = output.splitlines()[0]
    assert hub.credentials.authenticate(token) == "serco"
    with hub.engine.connect() as connection:
        stored = connection.execute(sa.select(tables.partner_token.c.token_hash)).scalars().all()
    assert stored and token not in stored
    assert all(token not in value for value in stored)


def test_a_token_for_an_unknown_partner_is_refused(hub: Hub) -> None:
    code, output = run(hub, "tokens", "create", "--partner", "hmp-nowhere")
    assert code == 2
    assert "hmp-nowhere" in output


@pytest.mark.parametrize("backend", ["rabbitmq"], indirect=True)
def test_a_dead_letter_is_listed_and_replayed_once_the_partner_takes_it(
    hub: Hub, delius: tuple[str, DeliusReceiver]
) -> None:
    _, receiver = delius
    receiver.fail_next(1, status=400)  # Delius refuses it outright: a permanent failure
    token = hub.credentials.issue("serco")

    with serving(create_app(hub)) as api:
        response = httpx.post(
            f"{api}/api/v1/inbound/private_prisons/reception",
            content=SAMPLE.read_bytes(),
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 202
    eventually(lambda: hub.dead_letters.count("waiting") == 1, "the refused event dead-lettered")

    code, listing = run(hub, "dead-letters", "list")
    assert code == 0, listing
    [line] = listing.splitlines()
    dead_letter_id = line.split()[0]
    assert hub.topology.outbound_queue("delius") in line
    assert "400" in line

    code, output = run(hub, "dead-letters", "replay", dead_letter_id)
    assert code == 0, output
    assert receiver.wait_for(1, timeout_s=30)
    assert run(hub, "dead-letters", "list")[1].strip() == "no waiting dead letters"
    [record] = hub.dead_letters.list(status="replayed")
    assert record.actioned_by and "@" in record.actioned_by

    code, output = run(hub, "dead-letters", "replay", dead_letter_id)
    assert code == 2
    assert "replayed, not waiting" in output


def test_replay_needs_an_id_or_all(hub: Hub) -> None:
    code, output = run(hub, "dead-letters", "replay")
    assert code == 2
    assert "give one dead letter id, or --all" in output


def test_adapters_list_shows_each_adapter_with_its_types(hub: Hub) -> None:
    code, output = run(hub, "adapters", "list")
    assert code == 0
    operators_send = "non-association, reception, release, sentence, transfer, visit"
    assert "private_prisons" in output and f"inbound: {operators_send}" in output
    assert "delius" in output and "inbound: allocation, case, licence, registration" in output
    delius_takes = (
        "prisoner.received, prisoner.released, prisoner.sentence-dates-changed,"
        " probation-case.prison-identifier.added"
    )
    assert f"subscriptions: {delius_takes}" in output
    assert "oasys" in output and "inbound: assessment" in output
