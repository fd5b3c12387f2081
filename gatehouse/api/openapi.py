"""What ``/openapi.json`` says of the API, declared once for every route module.

- ``bearer``: the HTTP bearer security scheme. Routes that take a token declare it with
  ``dependencies=[Security(bearer)]``; it never refuses (``auto_error=False``): each route
  still reads the token itself and answers its own 401 or 403 problem.
- ``Problem`` and ``problem_responses(...)``: the RFC 9457 error answers a route can give,
  ``application/problem+json`` (``gatehouse.api.problems``).
- ``inbound_request_body``: the inbound edge reads its body itself, so its XML (and JSON)
  request body is declared here, with one example per adapter message type, taken from each
  adapter's ``samples/valid/``.
- ``install_openapi``: the document itself: the package's version, the tags, and the
  ``Problem`` schema the error responses refer to.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ConfigDict

from adapters.base import JSON, Adapter, InboundType
from adapters.registry import AdapterRegistry
from gatehouse.api.problems import PROBLEM_JSON, PROBLEM_TYPES

DISTRIBUTION = "gatehouse-hub"

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="A token from `gatehouse credentials issue <partner>`: a partner's, a "
    "kiosk system's, or one with the data-share or admin scope.",
)

TAGS = [
    {"name": "inbound", "description": "Partners post their documents."},
    {"name": "messages", "description": "What became of a message a partner posted."},
    {"name": "data share", "description": "Partners read people's records (audited)."},
    {"name": "kiosks", "description": "In-cell kiosks read balances and outcomes."},
    {
        "name": "case management",
        "description": "Staff at a live prison record movements, incentive reviews, credits"
        " and alerts.",
    },
    {
        "name": "admin",
        "description": "The identity review, the audit trail, interface pauses and dead letters"
        " (admin scope).",
    },
    {"name": "health", "description": "Liveness and readiness."},
    {"name": "problems", "description": "The problem types every error answer names."},
    {"name": "metrics", "description": "Prometheus metrics."},
]


class Problem(BaseModel):
    """An error answer (RFC 9457); ``type`` is a page under ``/problems``."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    error: str
    """The type's short code (``not_found``)."""
    reason: str
    """The same text as ``detail``."""
    rule: str | None = None
    line: int | None = None
    element: str | None = None
    messageId: str | None = None


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route that can answer each of ``statuses`` with a problem."""
    schema = {"$ref": "#/components/schemas/Problem"}
    return {
        status: {
            "description": _description(status),
            "content": {PROBLEM_JSON: {"schema": schema}},
        }
        for status in statuses
    }


def _description(status: int) -> str:
    titles = sorted(
        {kind.title for kind in PROBLEM_TYPES.values() if _STATUS_OF.get(kind.error) == status}
    )
    return "; ".join(titles) or "Error"


# The statuses each problem type is answered with, for the responses' descriptions.
_STATUS_OF = {
    "bad_request": 400,
    "invalid_xml": 400,
    "invalid_json": 400,
    "invalid_idempotency_key": 400,
    "purpose_required": 400,
    "invalid_identifier": 400,
    "invalid_date": 400,
    "unauthorised": 401,
    "forbidden": 403,
    "not_found": 404,
    "unknown_message_type": 404,
    "conflict": 409,
    "reference_reused": 409,
    "too_large": 413,
    "invalid_request": 422,
    "invalid_message": 422,
    "rate_limited": 429,
    "internal_error": 500,
    "unavailable": 503,
    "unconfirmed": 503,
}


def samples_of(adapter: Adapter) -> dict[str, Path]:
    """The first valid sample of each of the adapter's inbound message types, by type, from
    the ``samples/valid/`` of the package its translators are in (none if it has none)."""
    found: dict[str, Path] = {}
    for directory in _sample_dirs(adapter.inbound.values()):
        for path in sorted(directory.glob("*")):
            kind = _message_type_of(path, adapter.inbound)
            if kind is not None and path.suffix in (".xml", ".json"):
                found.setdefault(kind, path)
    return found


def _sample_dirs(types: Iterable[InboundType]) -> list[Path]:
    dirs: list[Path] = []
    for inbound in types:
        module = sys.modules.get(getattr(inbound.translate, "__module__", "") or "")
        here = Path(module.__file__).parent if module and module.__file__ else None
        while here is not None and here.name and here.parent != here:
            if (here / "samples" / "valid").is_dir():
                if here / "samples" / "valid" not in dirs:
                    dirs.append(here / "samples" / "valid")
                break
            if not (here / "__init__.py").exists():
                break
            here = here.parent
    return dirs


def _message_type_of(path: Path, accepted: Iterable[str]) -> str | None:
    """``reception`` for ``reception-new-person.xml``: the longest type the name starts with."""
    stem = path.name.removesuffix(path.suffix)
    named = [kind for kind in accepted if stem == kind or stem.startswith(f"{kind}-")]
    return max(named, key=len) if named else None


@cache
def _sample_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def inbound_request_body(registry: AdapterRegistry) -> dict[str, Any]:
    """``openapi_extra`` for the inbound edge: its body, XML (or JSON for a JSON type), with
    one example per ``adapter/type`` that has a sample."""
    xml: dict[str, Any] = {}
    as_json: dict[str, Any] = {}
    for adapter in sorted(registry.adapters.values(), key=lambda a: a.name):
        samples = samples_of(adapter)
        for kind, inbound in sorted(adapter.inbound.items()):
            path = samples.get(kind)
            if path is None:
                continue
            name = f"{adapter.name}/{kind}"
            summary = f"POST /api/v1/inbound/{name}: {path.name}"
            if inbound.format == JSON:
                as_json[name] = {"summary": summary, "value": json.loads(_sample_text(path))}
            else:
                xml[name] = {"summary": summary, "value": _sample_text(path)}
    content: dict[str, Any] = {
        "application/xml": {"schema": {"type": "string", "format": "binary"}, "examples": xml},
    }
    if as_json:
        content["application/json"] = {"schema": {"type": "object"}, "examples": as_json}
    return {
        "requestBody": {
            "required": True,
            "description": "The partner's document, in the message type's format; it is "
            "checked against the adapter's schema (XSD or JSON Schema).",
            "content": content,
        }
    }


def package_version() -> str:
    """The installed ``gatehouse-hub`` distribution's version."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _problem_for_validation(schema: dict[str, Any]) -> None:
    """FastAPI describes request validation's 422 as its own ``HTTPValidationError``; this
    API answers it with a problem (``gatehouse.api.problems``), so say so."""
    invalid = problem_responses(422)[422]
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            answer = operation.get("responses", {}).get("422", {})
            if "HTTPValidationError" in json.dumps(answer):
                operation["responses"]["422"] = invalid
    for name in ("HTTPValidationError", "ValidationError"):
        schema["components"]["schemas"].pop(name, None)


def install_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` (``/openapi.json``) the document described above."""

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
                tags=TAGS,
            )
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            schemas["Problem"] = Problem.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            _problem_for_validation(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]
