"""The business page over HTTP and its CSV, and ``gatehouse mi export``: the small known estate
of ``tests.business_example``, shown to viewers only, the same in every form."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from adapters.transports.local_server import serving
from core_records.timestamps import utc_now
from gatehouse.app import create_app
from gatehouse.bootstrap import Hub, build_hub
from gatehouse.cli import app as cli
from gatehouse.settings import Settings
from tests.business_example import EXPECTED_DAYS, EXPECTED_DELIVERY, write_estate
from tests.e2e.dashboard_support import create_user, signed_in_client

PERIOD = {"from": "2025-03-03", "to": "2025-03-05"}


@pytest.fixture
def hub(sqlite_url: str, tmp_path: Path) -> Iterator[Hub]:
    """A hub on the small estate: the API only, no workers (nothing moves)."""
    settings = Settings(database_url=sqlite_url, broker_url=None, data_dir=tmp_path)
    hub = build_hub(settings)
    write_estate(hub.engine)
    yield hub
    hub.close()


@pytest.fixture
def api(hub: Hub) -> Iterator[str]:
    with serving(create_app(hub), name="gatehouse-api") as base_url:
        yield base_url


@pytest.fixture
def viewer(hub: Hub, api: str) -> Iterator[httpx.Client]:
    create_user(hub, "vic", "viewer")
    client = signed_in_client(api, "vic")
    yield client
    client.close()


def _table(page: str, table_id: str) -> list[list[str]]:
    """The cells of each body row of the page's table ``table_id``, as text."""
    match = re.search(rf'<table id="{table_id}">.*?<tbody>(.*?)</tbody>', page, re.S)
    assert match, f"the page has a table {table_id}"
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]
        for cells in (re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
                      for row in re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S))
    ]  # fmt: skip


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))[1:]


def test_a_stranger_is_sent_to_sign_in_and_back(api: str) -> None:
    for path in ("/dashboard/business", "/dashboard/business.csv"):
        response = httpx.get(f"{api}{path}")
        assert response.status_code == 303
        assert response.headers["location"] == f"/dashboard/sign-in?next={path.replace('/', '%2F')}"


def test_a_viewer_sees_each_prisons_days_and_each_partners_delivery_times(
    viewer: httpx.Client,
) -> None:
    page = viewer.get("/dashboard/business", params=PERIOD)
    assert page.status_code == 200
    assert '<a href="/dashboard/business">Business</a>' in page.text
    assert _table(page.text, "establishments") == [
        [day.isoformat(), f"{code} {'Leeds' if code == 'LEI' else 'Moorland'}",
         *(str(n) for n in counts)]
        for day, code, *counts in EXPECTED_DAYS
    ]  # fmt: skip
    assert _table(page.text, "deliveries") == [
        [f"{adapter}.outbound", str(n), f"{median:.3f} s", f"{p95:.3f} s"]
        for adapter, (n, median, p95) in EXPECTED_DELIVERY.items()
    ]


def test_the_csv_downloads_say_what_the_page_says(viewer: httpx.Client) -> None:
    for establishment in ("", "MDI"):
        query = {**PERIOD, "establishment": establishment}
        page = viewer.get("/dashboard/business", params=query).text
        days = viewer.get("/dashboard/business.csv", params=query)
        assert days.headers["content-type"].startswith("text/csv")
        assert [
            [day, f"{code} {name}", *counts] for day, code, name, *counts in _csv(days.text)
        ] == _table(page, "establishments")
        times = viewer.get("/dashboard/business.csv", params={**query, "figures": "deliveries"})
        assert [
            [interface, n, f"{median} s", f"{p95} s"]
            for interface, n, median, p95 in _csv(times.text)
        ] == _table(page, "deliveries")
    assert len(_csv(viewer.get("/dashboard/business.csv", params=query).text)) == 3


def test_the_page_shows_the_last_week_unless_asked_for_a_period(viewer: httpx.Client) -> None:
    today = utc_now().date()
    page = viewer.get("/dashboard/business").text
    assert f"Business figures, {today - timedelta(days=6)} to {today}" in page


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ({"from": "2025-03-05", "to": "2025-03-03"}, "ends"),
        ({"from": "yesterday"}, "from must be a date"),
        ({"establishment": "XYZ"}, "no prison XYZ"),
        ({"from": "2024-01-01", "to": "2025-01-01"}, "at most 92 days"),
    ],
)
def test_a_period_that_cannot_be_shown_is_refused_with_the_reason(
    viewer: httpx.Client, query: dict[str, str], reason: str
) -> None:
    response = viewer.get("/dashboard/business", params=query)
    assert response.status_code == 422
    assert reason in response.json()["detail"]


def test_the_command_exports_what_the_page_downloads(
    hub: Hub, viewer: httpx.Client, tmp_path: Path
) -> None:
    environment = {
        "GATEHOUSE_DATABASE_URL": hub.settings.store_url,
        "GATEHOUSE_BROKER_URL": "",
        "GATEHOUSE_DATA_DIR": str(tmp_path),
    }
    written = tmp_path / "figures.csv"
    arguments = ["mi", "export", "--from", PERIOD["from"], "--to", PERIOD["to"]]
    result = CliRunner().invoke(cli, [*arguments, "--csv", str(written)], env=environment)
    assert result.exit_code == 0, result.output
    assert written.read_text() == viewer.get("/dashboard/business.csv", params=PERIOD).text
    result = CliRunner().invoke(cli, [*arguments, "--deliveries"], env=environment)
    assert result.exit_code == 0, result.output
    assert (
        result.stdout
        == viewer.get("/dashboard/business.csv", params={**PERIOD, "figures": "deliveries"}).text
    )
    refused = CliRunner().invoke(cli, [*arguments, "--establishment", "XYZ"], env=environment)
    assert (refused.exit_code, "no prison XYZ" in refused.output) == (2, True)


def test_the_command_recounts_the_delivery_summary(hub: Hub, tmp_path: Path) -> None:
    environment = {
        "GATEHOUSE_DATABASE_URL": hub.settings.store_url,
        "GATEHOUSE_BROKER_URL": "",
        "GATEHOUSE_DATA_DIR": str(tmp_path),
    }
    result = CliRunner().invoke(cli, ["mi", "catch-up", "--rebuild"], env=environment)
    assert result.exit_code == 0, result.output
    # The estate's seven (movement message, interface) pairs, read again from the journal.
    assert "summarised 7 movement deliveries" in result.output
