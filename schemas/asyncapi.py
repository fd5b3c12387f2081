"""The event catalogue as an AsyncAPI 3.0 document (served at ``/asyncapi.json``).

One channel per event type, addressed by the type (the routing key on the events exchange,
and the ``eventType`` a subscriber filters on); one ``send`` operation per channel, since
Gatehouse publishes them; one message per channel whose payload is the canonical envelope
with that type's ``additionalInformation`` schema; every schema under
``components.schemas``, so that each ``$ref`` resolves inside the document.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from schemas.catalogue import catalogue
from schemas.events import envelope_schema

ASYNCAPI_VERSION = "3.0.0"
ENVELOPE = "envelope"

SIGNATURE_HEADERS = {
    "type": "object",
    "description": "Standard Webhooks headers on every delivery to an event subscriber.",
    "properties": {
        "webhook-id": {"type": "string", "description": "the event id (eventId)"},
        "webhook-timestamp": {"type": "string", "description": "unix seconds"},
        "webhook-signature": {
            "type": "string",
            "description": "space-separated v1,<base64 HMAC-SHA256 of id.timestamp.body>",
        },
    },
}


def _component_key(event_type: str) -> str:
    return event_type


def _rewrite_refs(value: Any, prefix: str) -> Any:
    """The envelope's ``#/$defs/x`` references as ``#/components/schemas/x``."""
    if isinstance(value, dict):
        return {
            key: (
                item.replace("#/$defs/", prefix)
                if key == "$ref" and isinstance(item, str)
                else _rewrite_refs(item, prefix)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_rewrite_refs(item, prefix) for item in value]
    return value


def _bare(schema: Mapping[str, Any]) -> dict[str, Any]:
    # $schema and $id belong to a standalone file; inside the document they would move the
    # base URI that references resolve against.
    return {k: copy.deepcopy(v) for k, v in schema.items() if k not in ("$schema", "$id", "$defs")}


def asyncapi_document(
    *,
    version: str,
    recipients: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """The AsyncAPI document; ``recipients`` names, per event type, the adapters and
    subscribers that receive it (shown as ``x-gatehouse-recipients``)."""
    recipients = recipients or {}
    envelope = envelope_schema()
    schemas: dict[str, Any] = {
        name: _rewrite_refs(_bare(definition), "#/components/schemas/")
        for name, definition in envelope.get("$defs", {}).items()
    }
    schemas[ENVELOPE] = _rewrite_refs(_bare(envelope), "#/components/schemas/")
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for entry in catalogue():
        event_type = entry["eventType"]
        key = _component_key(event_type)
        payload = entry["schema"] or {"type": "object", "description": "no schema yet"}
        schemas[key] = _bare(payload)
        messages[key] = {
            "name": event_type,
            "title": event_type,
            "summary": entry["description"],
            "contentType": "application/json",
            "headers": {"$ref": "#/components/schemas/webhookHeaders"},
            "payload": {
                "allOf": [
                    {"$ref": f"#/components/schemas/{ENVELOPE}"},
                    {
                        "type": "object",
                        "properties": {
                            "eventType": {"const": event_type},
                            "additionalInformation": {"$ref": f"#/components/schemas/{key}"},
                        },
                    },
                ]
            },
        }
        channel: dict[str, Any] = {
            "address": event_type,
            "title": event_type,
            "description": entry["description"],
            "messages": {key: {"$ref": f"#/components/messages/{key}"}},
            "x-gatehouse-recipients": sorted(recipients.get(event_type, ())),
        }
        if entry["namingNote"]:
            channel["x-gatehouse-naming"] = entry["namingNote"]
        channels[key] = channel
        operations[f"publish.{key}"] = {
            "action": "send",
            "title": f"Gatehouse publishes {event_type}",
            "channel": {"$ref": f"#/channels/{key}"},
            "messages": [{"$ref": f"#/channels/{key}/messages/{key}"}],
        }
    schemas["webhookHeaders"] = SIGNATURE_HEADERS
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "Gatehouse canonical events",
            "version": version,
            "description": (
                "Every event Gatehouse raises, in the justice domain's envelope. Partners"
                " receive them through their adapters, or as they are through an event"
                " subscriber (`gatehouse subscribers add`), signed per Standard Webhooks."
            ),
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"schemas": schemas, "messages": messages},
    }
