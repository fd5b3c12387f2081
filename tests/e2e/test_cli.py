"""The ``gatehouse`` command as an operator uses it: tokens, dead letters, the schema."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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
    assert code == 1  # not found: the hub could not do it
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
    code, listed = run(hub, "dead-letters", "list", "--json")
    assert code == 0, listed
    [record] = json.loads(listed)
    assert (record["id"], record["status"]) == (int(dead_letter_id), "waiting")
    assert record["originQueue"] == hub.topology.outbound_queue("delius")
    assert "400" in record["reason"] and record["attempts"] == []  # permanent: never retried

    code, output = run(hub, "dead-letters", "replay", dead_letter_id)
    assert code == 0, output
    assert receiver.wait_for(1, timeout_s=30)
    assert run(hub, "dead-letters", "list")[1].strip() == "no waiting dead letters"
    [record] = hub.dead_letters.list(status="replayed")
    assert record.actioned_by and "@" in record.actioned_by

    code, output = run(hub, "dead-letters", "replay", dead_letter_id)
    assert code == 1  # refused: the command line was right
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
        "prisoner.merged, prisoner.received, prisoner.released,"
        " prisoner.sentence-dates-changed, prisoner.unmerged, prisoner.updated,"
        " probation-case.prison-identifier.added"
    )
    assert f"subscriptions: {delius_takes}" in output
    assert "oasys" in output and "inbound: assessment" in output


def test_version_prints_the_installed_distributions_version() -> None:
    from importlib import metadata

    result = CliRunner().invoke(app, ["--version"])

    assert result.exit_code == 0, result.output
    # A reinstall in place (pip install -e . again) can list the package twice.
    [distribution] = set(metadata.packages_distributions()["gatehouse"])
    assert result.output == f"gatehouse {metadata.version(distribution)}\n"


def test_every_bare_group_prints_its_help_and_exits_2() -> None:
    groups = [group.name for group in app.registered_groups]
    assert {"identity", "credentials", "dead-letters", "users"} <= set(groups)
    for group in groups:
        result = CliRunner().invoke(app, [group])
        assert result.exit_code == 2, (group, result.output)
        assert f"Usage: root {group} [OPTIONS] COMMAND" in result.output, group
        assert "Commands" in result.output, group
    top = CliRunner().invoke(app, ["--help"])
    assert "Exit codes: 0 done; 1 the hub could not do it" in " ".join(top.output.split())


def test_a_bad_option_value_exits_2_naming_the_allowed_values(tmp_path: Path) -> None:
    env = {"GATEHOUSE_DATA_DIR": str(tmp_path), "GATEHOUSE_DATABASE_URL": ""}
    bogus = CliRunner().invoke(app, ["dead-letters", "list", "--status", "bogus"], env=env)
    cases = CliRunner().invoke(app, ["identity", "cases", "--status", "shut"], env=env)
    role = CliRunner().invoke(
        app, ["users", "create", "bo", "--role", "king", "--password", "x" * 20], env=env
    )

    assert bogus.exit_code == 2
    assert "--status must be one of waiting, replayed, discarded, not 'bogus'" in bogus.output
    assert cases.exit_code == 2
    assert "--status must be one of open, linked, new, all, not 'shut'" in cases.output
    assert role.exit_code == 2 and "--role must be one of" in role.output
    assert not (tmp_path / "gatehouse.sqlite3").exists()  # refused before touching the hub


@pytest.mark.parametrize("backend", ["embedded"], indirect=True)
def test_what_is_not_there_exits_1(hub: Hub) -> None:
    for arguments in (
        ("messages", "show", "no-such-message"),
        ("identity", "case", "999"),
        ("canteen", "account", "Z9999ZZ"),
        ("dead-letters", "discard", "999"),
    ):
        code, output = run(hub, *arguments)
        assert code == 1, (arguments, output)
        assert output.startswith("error: "), (arguments, output)


@pytest.mark.parametrize("backend", ["embedded"], indirect=True)
def test_every_list_and_show_command_gives_json(hub: Hub, api: str) -> None:
    token = hub.credentials.issue("serco")
    response = httpx.post(
        f"{api}/api/v1/inbound/private_prisons/reception",
        content=SAMPLE.read_bytes(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/xml"},
    )
    assert response.status_code == 202, response.text
    message_id = response.json()["messageId"]
    eventually(lambda: hub.journal.trace(message_id), "the message to be journalled")

    def as_json(*arguments: str) -> object:
        code, output = run(hub, *arguments, "--json")
        assert code == 0, (arguments, output)
        return json.loads(output)

    adapters = as_json("adapters", "list")
    assert {"name", "partner", "transports", "inbound", "subscriptions"} <= set(adapters[0])
    assert "private_prisons" in {adapter["name"] for adapter in adapters}
    [issued] = as_json("tokens", "list", "--partner", "serco")
    assert issued["partner"] == "serco" and "token" not in issued
    shown = as_json("messages", "show", message_id)
    assert shown["messageId"] == message_id and shown["hops"]
    assert as_json("dead-letters", "list") == []
    assert as_json("dead-letters", "list", "--status", "discarded") == []
    assert as_json("identity", "cases", "--status", "all") == []
    assert as_json("identity", "candidates") == []
    assert as_json("identity", "merges") == []
    assert as_json("pnc", "awaiting") == []
    assert as_json("files", "interfaces") == []
    assert as_json("users", "lockouts") == []


def test_a_setting_that_fails_its_check_names_the_variable_and_exits_1(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gatehouse", "dead-letters", "list"],
        env={**os.environ, "GATEHOUSE_DATA_DIR": str(tmp_path), "GATEHOUSE_MAX_ATTEMPTS": "0"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "error: GATEHOUSE_MAX_ATTEMPTS: " in result.stderr
    assert "Traceback" not in result.stderr
