"""The API's error answers: a JSON body ``{"error": ..., "reason": ..., detail...}`` with the
status, the same shape on every route, so a partner reads every refusal one way."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse


def problem(status: int, error: str, reason: str, **detail: Any) -> JSONResponse:
    """An error answer; ``detail`` entries that are None are left out. A 401 names the
    Bearer scheme in ``WWW-Authenticate``."""
    body = {"error": error, "reason": reason, **{k: v for k, v in detail.items() if v is not None}}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)
