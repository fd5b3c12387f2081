"""``gatehouse estate migrate`` from the command line: a dry run reports and changes nothing,
the real run moves the prison to migrating, prints the same figures as its reports, and the
dashboard serves the latest report to viewers."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from adapters.transports.local_server import serving
from core_records import estate
from core_records.estate.migration.generator import Dirt, generate_extract
from gatehouse.app import create_app
from gatehouse.bootstrap import Hub, build_hub
from gatehouse.cli import app as cli
from gatehouse.settings import Settings
from tests.e2e.dashboard_support import create_user, signed_in_client

PEOPLE = 60
DIRT = Dirt(bad_check_letters=3, unknown_codes=2, duplicates_on_record=2, held_elsewhere=1)


@pytest.fixture
def hub(sqlite_url: str, tmp_path: Path) -> Iterator[Hub]:
    hub = build_hub(Settings(database_url=sqlite_url, broker_url=None, data_dir=tmp_path))
    yield hub
    hub.close()


def _migrate(hub: Hub, *arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli,
        ["estate", "migrate", *arguments],
        env={"GATEHOUSE_DATABASE_URL": hub.settings.store_url, "GATEHOUSE_BROKER_URL": ""},
    )
    return result.exit_code, result.output


def _people(hub: Hub) -> int:
    with hub.engine.connect() as connection:
        return connection.execute(sa.text("SELECT count(*) FROM person")).scalar_one()


def _state(hub: Hub, code: str) -> str:
    with hub.engine.connect() as connection:
        return estate.state_of(connection, code).state


def test_a_migration_from_the_command_line_reports_and_the_dashboard_serves_it(
    hub: Hub, tmp_path: Path
) -> None:
    made = generate_extract("LEI", PEOPLE, DIRT, seed=4)
    hub.store.apply(made.on_record)
    extract = tmp_path / "leeds.csv"
    extract.write_text(made.text)
    reports = tmp_path / "reports"
    before = _people(hub)

    code, output = _migrate(hub, "LEI", "--extract", str(extract), "--dry-run",
                            "--report-dir", str(reports))  # fmt: skip
    assert code == 0, output
    assert "dry run" in output and f"rows read {PEOPLE} =" in output
    assert _people(hub) == before
    assert _state(hub, "LEI") == estate.LEGACY
    assert len(list(reports.glob("LEI-migration-*.html"))) == 1

    code, output = _migrate(hub, "LEI", "--extract", str(extract), "--report-dir", str(reports))
    assert code == 0, output
    loaded = PEOPLE - 3 - 2 - 1
    assert f"rows read {PEOPLE} = loaded {loaded} + refused 6 + held 0" in output
    assert _people(hub) == before + loaded - 2
    assert _state(hub, "LEI") == estate.MIGRATING
    [report_csv] = sorted(reports.glob("LEI-migration-*.csv"))[-1:]
    rows = list(csv.DictReader(io.StringIO(report_csv.read_text())))
    # A CSV line per finding and note: a refused row may have a note beside its reason.
    assert len({r["line"] for r in rows if r["outcome"] == "refused"}) == 6

    with serving(create_app(hub), name="gatehouse-api") as api:
        anonymous = httpx.get(f"{api}/dashboard/estate/LEI/migration-report", timeout=30)
        assert anonymous.status_code in (303, 401)
        create_user(hub, "vic", "viewer")
        viewer = signed_in_client(api, "vic")
        try:
            page = viewer.get("/dashboard/estate/LEI/migration-report")
            assert page.status_code == 200
            shown = dict(re.findall(r"data-figure='([a-z-]+)'>(\d+)<", page.text))
            assert (shown["rows-read"], shown["loaded"], shown["refused"]) == (
                str(PEOPLE),
                str(loaded),
                "6",
            )
            assert "dry run" not in page.text
            served = viewer.get("/dashboard/estate/LEI/migration-report.csv")
            assert served.text == report_csv.read_text()
            assert viewer.get("/dashboard/estate/WWI/migration-report").status_code == 404
        finally:
            viewer.close()


def test_a_contracted_prison_or_a_missing_extract_is_refused(hub: Hub, tmp_path: Path) -> None:
    extract = tmp_path / "x.csv"
    extract.write_text(generate_extract("DNI", 3, Dirt()).text)
    code, output = _migrate(hub, "DNI", "--extract", str(extract))
    assert code == 1 and "run by its operator" in output
    code, output = _migrate(hub, "LEI", "--extract", str(tmp_path / "missing.csv"))
    assert code == 2 and "is not a file" in output
