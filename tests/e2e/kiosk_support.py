"""A kiosk's side of the kiosk HTTP interface: send an order or application, read back."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.running_hub import eventually


def send(api: str, token: str, message_type: str, document: Any) -> httpx.Response:
    """POST an order or application (a JSON-able document, or raw bytes as they are)."""
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    return httpx.post(
        f"{api}/api/v1/inbound/kiosks/{message_type}",
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        timeout=30,
    )


def read(api: str, token: str, path: str) -> httpx.Response:
    """GET ``accounts/{prison number}``, ``orders/{reference}`` or ``applications/{reference}``."""
    return httpx.get(
        f"{api}/api/v1/kiosks/{path}", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def order_outcome(api: str, token: str, reference: str) -> dict[str, Any]:
    """The outcome of an order, once the hub has decided it."""
    found: list[dict[str, Any]] = []

    def decided() -> bool:
        response = read(api, token, f"orders/{reference}")
        if response.status_code == 200:
            found.append(response.json())
        return bool(found)

    eventually(decided, f"the outcome of order {reference}")
    return found[0]
