"""Gatehouse's Airflow DAGs, each run with ``dag.test()`` against the real OpenSSH server,
with ingest running on RabbitMQ and PostgreSQL in a hub beside it. Airflow runs in
``.venv-airflow`` (``tests.airflow_run``), the hub in this process."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from core_records.bookkeeping.file_transfers import RECEIPTED, FileTransfers
from core_records.tables import person
from gatehouse.bootstrap import Hub
from tests.airflow_run import airflow_python
from tests.reception_files import reception_line, receptions_file
from tests.running_hub import hub_settings, running_hub
from tests.sftp_server import SftpServer
from tests.support import service_unavailable

REPO = Path(__file__).resolve().parents[3]


def airflow_python_path() -> Path:
    """The Python of the Airflow venv; the test skips (or fails, where services are
    required) without it."""
    python = airflow_python()
    if python is None:
        service_unavailable("Apache Airflow in .venv-airflow (make .venv-airflow/.installed)")
    assert python is not None
    return python


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A throwaway AIRFLOW_HOME with its own migrated SQLite metadata database."""
    python = airflow_python_path()
    home = tmp_path_factory.mktemp("airflow")
    env = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
    }
    subprocess.run(
        [str(python.parent / "airflow"), "db", "migrate"],
        env={**os.environ, **env},
        check=True,
        capture_output=True,
        timeout=300,
    )
    return env


@pytest.fixture
def interfaces(sftp: SftpServer) -> dict[str, dict[str, Any]]:
    return {
        "serco_receptions": sftp.interface(
            adapter="private_prisons",
            partner="serco",
            file_format="tests.reception_files:FORMAT",
            drop_dir="outbox",
            pattern="*.csv",
            poll_every_s=60,
            answer_within_s=60,
        ),
        "serco_roll": sftp.interface(
            adapter="private_prisons",
            partner="serco",
            file_format="tests.reception_files:ROLL",
            direction="outbound",
            drop_dir="inbox",
            establishments=["DNI", "DGI"],
        ),
    }


@pytest.fixture
def hub(
    interfaces: dict[str, dict[str, Any]],
    postgres_url: str,
    rabbitmq_url: str,
    namespace: str,
    tmp_path: Path,
) -> Iterator[Hub]:
    settings = hub_settings(
        database_url=postgres_url,
        broker_url=rabbitmq_url,
        namespace=namespace,
        data_dir=tmp_path / "hub",
        delius_url="http://127.0.0.1:9/unused",
        sftp_interfaces=interfaces,
    )
    with running_hub(settings, roles=("ingest", "dead-letters")) as running:
        yield running


def run_dag(
    dag_id: str, hub: Hub, interfaces: dict[str, Any], airflow_home: dict[str, str], tmp: Path
) -> None:
    env = {
        **os.environ,
        **airflow_home,
        "GATEHOUSE_DATABASE_URL": hub.settings.store_url,
        "GATEHOUSE_BROKER_URL": hub.settings.broker_url or "",
        "GATEHOUSE_NAMESPACE": hub.settings.namespace,
        "GATEHOUSE_DATA_DIR": str(tmp / "airflow-worker"),
        "GATEHOUSE_SFTP_INTERFACES": json.dumps(interfaces),
        "PYTHONPATH": str(REPO),
    }
    done = subprocess.run(
        [str(airflow_python_path()), "-m", "tests.airflow_run", dag_id],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, f"{dag_id} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"


def test_the_inbound_dag_takes_a_file_through_the_hub_and_answers_it(
    hub: Hub, sftp: SftpServer, interfaces: dict[str, Any], airflow_home: dict[str, str], tmp_path
) -> None:  # type: ignore[no-untyped-def]
    outbox = sftp.path("outbox")
    outbox.mkdir()
    lines = [reception_line(n) for n in range(1, 11)]
    lines.append("serco,DNI,DN9999999,ONLY,FIVE")
    (outbox / "receptions-af.csv").write_bytes(receptions_file(lines))
    (outbox / "still-uploading.csv.part").write_bytes(receptions_file(lines[:2]))

    run_dag("gatehouse_sftp_serco_receptions", hub, interfaces, airflow_home, tmp_path)

    receipt = sftp.path("receipts/receptions-af.csv.receipt").read_text()
    assert "accepted,10\n" in receipt and "refused,1\n" in receipt
    assert "line 12,expected 8 fields, found 5" in receipt
    assert sftp.path("archive/receptions-af.csv").exists()
    assert sftp.path("outbox/still-uploading.csv.part").exists()
    with hub.engine.connect() as connection:
        assert connection.scalar(sa.select(sa.func.count()).select_from(person)) == 10
    (transfer,) = [
        FileTransfers(hub.engine).find("serco_receptions", "receptions-af.csv", sha)
        for sha in [_sha(receipt)]
    ]
    assert transfer is not None and transfer.status == RECEIPTED


def test_the_outbound_dag_writes_one_roll_per_establishment(
    hub: Hub, sftp: SftpServer, interfaces: dict[str, Any], airflow_home: dict[str, str], tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from gatehouse.file_interfaces import sftp_poller
    from tests.running_hub import eventually

    outbox = sftp.path("outbox")
    outbox.mkdir()
    lines = [reception_line(n, establishment="DNI") for n in range(1, 4)]
    lines.append(reception_line(9, establishment="DGI"))
    (outbox / "receptions.csv").write_bytes(receptions_file(lines))
    poller = sftp_poller(hub, "serco_receptions")
    poller.poll_now()
    eventually(lambda: poller.run_once() and sftp.path("archive/receptions.csv").exists(), "intake")

    run_dag("gatehouse_sftp_serco_roll", hub, interfaces, airflow_home, tmp_path)

    day = datetime.now(UTC).strftime("%Y%m%d")
    dni = sftp.path(f"inbox/roll-DNI-{day}.csv").read_text().splitlines()
    dgi = sftp.path(f"inbox/roll-DGI-{day}.csv").read_text().splitlines()
    assert dni[0] == "prison_number,establishment" and len(dni) == 4
    assert all(line.endswith(",DNI") for line in dni[1:])
    assert len(dgi) == 2 and dgi[1].endswith(",DGI")
    assert not [p for p in sftp.path("inbox").iterdir() if p.name.endswith(".part")]


def _sha(receipt: str) -> str:
    return dict(line.split(",", 1) for line in receipt.splitlines())["sha256"]
