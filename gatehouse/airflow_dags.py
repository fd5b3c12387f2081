"""Apache Airflow as the scheduler of the SFTP interfaces, where a deployment already runs it.

``build_dags()`` makes one DAG per interface in ``GATEHOUSE_SFTP_INTERFACES``:

- inbound, ``gatehouse_sftp_<name>``, every ``poll_every_s``: ``wait_for_file`` (the SFTP
  provider's sensor, on a connection pinned to the interface's host key) → ``fetch``
  (complete files to the spool, registered by checksum) → ``hand_to_gatehouse`` (records
  onto the pipeline) → ``archive`` (once every record is settled: receipt back, file to
  ``archive/``);
- outbound, ``gatehouse_sftp_<name>``, on the interface's cron ``schedule`` (nightly by
  default): ``send_file`` for each of its establishments (the prison-shop roll, say).

The tasks are ``gatehouse.file_tasks``: the same code as the embedded poller, so the
guarantees are the same (nothing processed twice, resumable after a crash). Ingest itself
still runs in ``gatehouse worker``; Airflow only schedules the file steps. Run
``gatehouse worker --role ingest --role relay --role delivery --role dead-letters`` beside
Airflow, without the ``sftp`` role, so the interfaces are not polled twice.

Needs the ``airflow`` extra: ``pip install 'gatehouse-hub[airflow]'``.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

from airflow.providers.sftp.sensors.sftp import SFTPSensor
from airflow.sdk import DAG, task

from adapters.transports.sftp_config import SftpInterface
from gatehouse import file_tasks
from gatehouse.settings import Settings

START = datetime(2026, 1, 1, tzinfo=UTC)


def dag_id(interface: str) -> str:
    return f"gatehouse_sftp_{interface}"


def connection_id(interface: str) -> str:
    return f"gatehouse_sftp_{interface}"


def airflow_connection(interface: SftpInterface) -> str:
    """The Airflow connection (JSON) for the provider's sensor: our key, the pinned host key,
    and host key checking on."""
    return json.dumps(
        {
            "conn_type": "sftp",
            "host": interface.host,
            "port": interface.port,
            "login": interface.username,
            "extra": {
                "key_file": str(interface.key_file),
                "host_key": interface.host_key,
                "no_host_key_check": False,
                "conn_timeout": interface.connect_timeout_s,
            },
        }
    )


def inbound_dag(name: str, interface: SftpInterface) -> DAG:
    with DAG(
        dag_id=dag_id(name),
        description=f"Batch files from {interface.partner} ({interface.adapter}) over SFTP",
        schedule=timedelta(seconds=interface.poll_every_s),
        start_date=START,
        catchup=False,
        max_active_runs=1,
        tags=["gatehouse", "sftp", "inbound"],
    ) as dag:
        wait = SFTPSensor(
            task_id="wait_for_file",
            sftp_conn_id=connection_id(name),
            path=interface.drop_dir,
            file_pattern=interface.pattern,
            poke_interval=min(60.0, interface.poll_every_s),
            timeout=interface.poll_every_s,
            mode="reschedule",
            soft_fail=True,  # no file this time: skip the run, not fail it
        )

        @task(task_id="fetch")
        def fetch() -> list[int]:
            return file_tasks.fetch_files(name)

        @task(task_id="hand_to_gatehouse", retries=3, retry_delay=timedelta(seconds=30))
        def hand_over(transfer_ids: list[int]) -> list[int]:
            return file_tasks.hand_to_gatehouse(name, transfer_ids)

        @task(task_id="archive", retries=3, retry_delay=timedelta(minutes=5))
        def archive(transfer_ids: list[int]) -> list[str]:
            return file_tasks.answer_files(name, transfer_ids)

        fetched = fetch()
        wait >> fetched
        archive(hand_over(fetched))
    return dag


def outbound_dag(name: str, interface: SftpInterface) -> DAG:
    with DAG(
        dag_id=dag_id(name),
        description=f"Files for {interface.partner} ({interface.adapter}) over SFTP",
        schedule=interface.schedule,
        start_date=START,
        catchup=False,
        max_active_runs=1,
        tags=["gatehouse", "sftp", "outbound"],
    ) as dag:

        @task(task_id="send_file", retries=3, retry_delay=timedelta(minutes=5))
        def send(establishment: str) -> str:
            return file_tasks.send_file(name, establishment)

        send.expand(establishment=list(interface.establishments))
    return dag


def build_dags(settings: Settings | None = None) -> dict[str, DAG]:
    """One DAG per configured SFTP interface, by DAG id."""
    settings = settings or Settings()
    dags = {}
    for name, interface in sorted(settings.sftp_interfaces.items()):
        # The sensor finds its connection in the environment, as Airflow looks there first.
        os.environ.setdefault(
            f"AIRFLOW_CONN_{connection_id(name).upper()}", airflow_connection(interface)
        )
        build = inbound_dag if interface.direction == "inbound" else outbound_dag
        dags[dag_id(name)] = build(name, interface)
    return dags
