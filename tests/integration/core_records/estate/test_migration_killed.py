"""A migration killed mid-file (SIGKILL, no chance to tidy up) and run again ends with every
row loaded exactly once: nothing half-loaded, nothing twice. On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from core_records.estate.migration import figures, migrate
from core_records.estate.migration.generator import Dirt, generate_extract
from core_records.store.database import create_engine
from core_records.store.record_store import RecordStore

PRISON = "LEI"
PEOPLE = 300
KILL_AFTER_ROWS = 40

_MIGRATE = """
import sys
import time
from pathlib import Path
from core_records.estate.migration import migrate
from core_records.store.database import create_engine
from core_records.store.record_store import RecordStore

store = RecordStore(create_engine(sys.argv[1]))
# A pause after each batch keeps the run going long enough to be killed mid-file: unpaused,
# SQLite can load the 260 rows after the first 40 before the kill arrives.
migrate(
    store, "LEI", Path(sys.argv[2]).read_text(), extract_name="leeds.csv", batch_size=10,
    advance=lambda steps: time.sleep(0.1),
)
"""


def _rows_recorded(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.text("SELECT count(*) FROM migration_row")).scalar_one()


def _wait_for_rows(engine: sa.Engine, process: subprocess.Popen[bytes], rows: int) -> None:
    deadline = time.monotonic() + 120
    while _rows_recorded(engine) < rows:
        assert process.poll() is None, "the migration ended before it could be killed"
        assert time.monotonic() < deadline, "the migration recorded no rows"
        time.sleep(0.02)


def test_a_migration_killed_mid_file_and_run_again_loads_every_row_once(
    store: RecordStore, database_url: str, tmp_path: Path
) -> None:
    made = generate_extract(
        PRISON, PEOPLE, Dirt(bad_check_letters=6, unknown_codes=4, duplicates_on_record=3), 11
    )
    store.apply(made.on_record)
    extract = tmp_path / "leeds.csv"
    extract.write_text(made.text)
    root = Path(__file__).resolve().parents[4]
    process = subprocess.Popen(
        [sys.executable, "-c", _MIGRATE, database_url, str(extract)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    try:
        _wait_for_rows(store.engine, process, KILL_AFTER_ROWS)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    loaded_before = _rows_recorded(store.engine)
    assert KILL_AFTER_ROWS <= loaded_before < PEOPLE

    run = migrate(store, PRISON, made.text, extract_name="leeds.csv")
    found = figures(run)
    expected = len(made.dirt["clean"]) + len(made.dirt["matched"])
    assert found.loaded == expected
    assert found.loaded_before == loaded_before
    assert found.reconciles
    with store.engine.connect() as connection:
        per_row = connection.execute(
            sa.text(
                "SELECT pi.value, count(*) FROM person_identifier pi JOIN person p"
                " ON p.id = pi.person_id WHERE pi.type = 'LIDS'"
                " AND p.current_establishment = 'LEI' GROUP BY pi.value"
            )
        ).all()
        messages = connection.execute(
            sa.text("SELECT count(*) FROM inbox WHERE message_id LIKE 'migration:LEI:%'")
        ).scalar_one()
        bookings = connection.execute(
            sa.text("SELECT count(*) FROM booking WHERE establishment = 'LEI'")
        ).scalar_one()
    # Each row's own number, with its prison, once; previous numbers are recorded only where
    # they name the prison that issued them (Moorland's, in the generated extract), once too.
    current_numbers = dict(per_row)
    own = {f"{PRISON}/{number}" for number in (*made.dirt["clean"], *made.dirt["matched"])}
    assert own <= set(current_numbers)
    assert all(number.startswith("MDI/") for number in set(current_numbers) - own)
    assert set(current_numbers.values()) == {1}
    assert messages == bookings == expected


def test_a_migration_interrupted_with_ctrl_c_says_so_and_the_rerun_finishes_it(
    sqlite_url: str, tmp_path: Path
) -> None:
    store = RecordStore(create_engine(sqlite_url))
    # Long enough that Ctrl-C lands mid-file: 300 rows can be loaded before the signal
    # arrives, and a process that has finished no longer turns it into a clean exit.
    people = 10 * PEOPLE
    made = generate_extract(PRISON, people, Dirt(bad_check_letters=6), 12)
    extract = tmp_path / "leeds.csv"
    extract.write_text(made.text)
    root = Path(__file__).resolve().parents[4]
    command = [
        *(sys.executable, "-m", "gatehouse", "estate", "migrate", PRISON),
        *("--extract", str(extract), "--report-dir", str(tmp_path), "--batch-size", "10"),
    ]
    environment = {**os.environ, "PYTHONPATH": str(root), "GATEHOUSE_DATABASE_URL": sqlite_url,
                   "GATEHOUSE_BROKER_URL": ""}  # fmt: skip
    process = subprocess.Popen(command, cwd=root, env=environment, stderr=subprocess.PIPE)
    try:
        _wait_for_rows(store.engine, process, KILL_AFTER_ROWS)
        process.send_signal(signal.SIGINT)
        _, error = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 1, error.decode()[-3000:]
    assert b"interrupted" in error and b"run the same command again" in error

    rerun = subprocess.run(command, cwd=root, env=environment, capture_output=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    loaded = people - 6
    assert f"rows read {people} = loaded {loaded} + refused 6 + held 0".encode() in rerun.stdout
    with store.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM person")).scalar_one() == loaded
    store.engine.dispose()
