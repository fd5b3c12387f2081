"""The event catalogue over HTTP: /asyncapi.json (no sign-in) as an AsyncAPI 3 document whose
every reference resolves, and the dashboard's events page, for viewers, showing who receives
each event, event subscribers included."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet

from adapters.transports.local_server import serving
from core_records.subscribers.store import SubscriberStore
from gatehouse.app import create_app
from gatehouse.bootstrap import Hub, build_hub
from gatehouse.settings import Settings
from schemas.catalogue import event_types
from tests.e2e.dashboard_support import create_user, signed_in_client


@pytest.fixture
def hub(sqlite_url: str, tmp_path: Path) -> Iterator[Hub]:
    """The API only, no workers: the catalogue needs none."""
    key = Fernet.generate_key().decode()
    settings = Settings(
        database_url=sqlite_url, broker_url=None, data_dir=tmp_path, subscriber_secret_key=key
    )
    hub = build_hub(settings)
    SubscriberStore(hub.engine, key).add("cjs-mi", "https://mi.example/events", ["prisoner.*"])
    yield hub
    hub.close()


@pytest.fixture
def api(hub: Hub) -> Iterator[str]:
    with serving(create_app(hub), name="gatehouse-api") as base_url:
        yield base_url


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        assert part in node, f"{ref} does not resolve ({part!r} missing)"
        node = node[part]
    return node


def _refs(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "$ref":
                yield item
            else:
                yield from _refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item)


def test_asyncapi_json_is_an_asyncapi_3_document_of_every_event(api: str) -> None:
    answer = httpx.get(f"{api}/asyncapi.json")
    assert answer.status_code == 200
    document = answer.json()
    assert document["asyncapi"].startswith("3.")
    assert document["info"]["title"] and document["info"]["version"]
    schemas = document["components"]["schemas"]
    for event_type in event_types():
        channel = document["channels"][event_type]
        assert channel["address"] == event_type
        operation = document["operations"][f"publish.{event_type}"]
        assert operation["action"] == "send"
        assert _resolve(document, operation["channel"]["$ref"]) is channel
        message = _resolve(document, operation["messages"][0]["$ref"])
        message = _resolve(document, message["$ref"])
        assert message["name"] == event_type
        assert event_type in schemas
    for ref in set(_refs(document)):
        _resolve(document, ref)
    received = document["channels"]["prisoner.received"]["x-gatehouse-recipients"]
    assert {"delius", "subscribers.cjs-mi"} <= set(received)
    assert (
        "nomisMovementReasonCode" in document["channels"]["prisoner.received"]["x-gatehouse-naming"]
    )


def test_the_events_page_lists_each_event_and_who_receives_it(hub: Hub, api: str) -> None:
    assert httpx.get(f"{api}/dashboard/events").status_code in (303, 401)
    create_user(hub, "vic", "viewer")
    viewer = signed_in_client(api, "vic")
    try:
        page = viewer.get("/dashboard/events")
        overview = viewer.get("/dashboard")
    finally:
        viewer.close()
    assert page.status_code == 200
    assert 'href="/dashboard/events"' in page.text
    for event_type in event_types():
        assert f'<tr id="{event_type}">' in page.text
    row = page.text.split('<tr id="prisoner.received">')[1].split("</tr>")[0]
    assert "delius" in row and "subscribers.cjs-mi" in row
    assert "nomisMovementReasonCode" in row
    assert "additionalInformation schema" in page.text
    # The subscriber is an interface of its own on the overview, as every partner is.
    assert overview.status_code == 200
    assert "subscribers.cjs-mi" in overview.text
