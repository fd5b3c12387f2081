"""Standard Webhooks signatures (https://www.standardwebhooks.com/) on deliveries.

Each delivery carries ``webhook-id`` (the event id, the same on every retry, so that a
subscriber can drop a second copy), ``webhook-timestamp`` (unix seconds, so that it can
refuse a stale replay) and ``webhook-signature``: ``v1,`` and the base64 HMAC-SHA256 of
``{id}.{timestamp}.{body}`` under the secret's bytes (the base64 after ``whsec_``), one
per secret that signs, separated by spaces, so that during a rotation the old and the new
secret both verify.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from adapters.transports import partner_headers

WEBHOOK_ID = "webhook-id"
WEBHOOK_TIMESTAMP = "webhook-timestamp"
WEBHOOK_SIGNATURE = "webhook-signature"
SECRET_PREFIX = "whsec_"


def secret_bytes(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256>`` of one delivery under one secret."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_headers(
    secrets: Sequence[str], message_id: str, body: bytes, timestamp: int
) -> dict[str, str]:
    return {
        WEBHOOK_ID: message_id,
        WEBHOOK_TIMESTAMP: str(timestamp),
        WEBHOOK_SIGNATURE: " ".join(signature(s, message_id, timestamp, body) for s in secrets),
    }


class Delivery(Protocol):
    def deliver(self, body: bytes, *, content_type: str, headers: Mapping[str, str]) -> None: ...

    def close(self) -> None: ...


class SignedDelivery:
    """A delivery whose every request is signed with the secrets ``secrets()`` gives at the
    time (read afresh, so that a rotation takes effect without a new delivery)."""

    def __init__(
        self,
        inner: Delivery,
        secrets: Callable[[], Sequence[str]],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._inner = inner
        self._secrets = secrets
        self._clock = clock

    def deliver(self, body: bytes, *, content_type: str, headers: Mapping[str, str]) -> None:
        message_id = partner_headers.event_id_of(headers) or ""
        signed = signature_headers(self._secrets(), message_id, body, int(self._clock()))
        self._inner.deliver(body, content_type=content_type, headers={**headers, **signed})

    def close(self) -> None:
        self._inner.close()
