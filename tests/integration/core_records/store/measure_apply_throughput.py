"""Measure ``RecordStore.apply`` throughput: new-person receptions, in batches (not a test).

    .venv/bin/python -m tests.integration.core_records.store.measure_apply_throughput \
        [--messages 10000] [--batch 200] [--only sqlite|postgresql]

Each database is a fresh one: a SQLite file in a temporary directory, and a PostgreSQL
database created beside ``GATEHOUSE_TEST_POSTGRES_URL`` (default: the local test server)
and dropped afterwards. Prints messages per second for each.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa

from core_records.commands import InboundMessage, PersonName, PersonParticulars, RecordReception
from core_records.identifiers import PNC, Identifier, pnc_check_letter
from core_records.store.database import create_engine
from core_records.store.migrate import upgrade
from core_records.store.record_store import RecordStore

ADMIN_URL = os.environ.get(
    "GATEHOUSE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PRISONS = ("LEI", "MDI", "BXI", "WWI", "PVI", "BMI", "MRI", "LPI", "DMI", "FKI")


def receptions(count: int) -> list[InboundMessage]:
    start = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
    messages = []
    for n in range(count):
        serial = 1_000_000 + n
        pnc = Identifier(PNC, f"2019/{serial:07d}{pnc_check_letter(2019, serial)}")
        person = PersonParticulars(
            identifiers=(pnc,),
            name=PersonName(surname=f"SURNAME{n}", forenames="JOHN PAUL"),
            date_of_birth=date(1970, 1, 1) + timedelta(days=n % 15_000),
            sex="M",
        )
        command = RecordReception(
            person=person,
            establishment=PRISONS[n % len(PRISONS)],
            reason_code="N",
            occurred_at=start + timedelta(seconds=n),
            from_agency="LEEDMC",
        )
        messages.append(
            InboundMessage(
                message_id=str(uuid.uuid4()),
                correlation_id=str(uuid.uuid4()),
                adapter="private_prisons",
                message_type="reception",
                partner="g4s",
                received_at=start,
                commands=(command,),
            )
        )
    return messages


def measure(url: str, count: int, batch: int) -> float:
    upgrade(url)
    engine = create_engine(url)
    store = RecordStore(engine)
    store.reload_reference_data()
    messages = receptions(count)
    started = time.perf_counter()
    for offset in range(0, count, batch):
        outcomes = store.apply(messages[offset : offset + batch])
        assert all(o.status == "applied" for o in outcomes), outcomes
    elapsed = time.perf_counter() - started
    engine.dispose()
    return count / elapsed


def _described(arguments: argparse.Namespace) -> str:
    return f"({arguments.messages} in batches of {arguments.batch})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    arguments = parser.parse_args()
    if arguments.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as directory:
            url = f"sqlite:///{Path(directory) / 'measure.sqlite3'}"
            rate = measure(url, arguments.messages, arguments.batch)
            print(f"sqlite:     {rate:8.0f} receptions/s", _described(arguments))
    if arguments.only in (None, "postgresql"):
        name = f"gh_measure_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            url = urlsplit(ADMIN_URL)._replace(path=f"/{name}").geturl()
            rate = measure(url, arguments.messages, arguments.batch)
            print(f"postgresql: {rate:8.0f} receptions/s", _described(arguments))
        finally:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
