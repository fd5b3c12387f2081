"""The demo's generic event subscriber, ``demo-webhook``: a partner with no code in the hub,
added as a row in the store (as ``gatehouse subscribers add`` does) for ``prisoner.*``, and
a small HTTP receiver in the demo process that checks each delivery's Standard Webhooks
signature with hmac and hashlib alone (as README.md's "Subscribing to events" shows) and
keeps one line per delivery in ``<data dir>/demo-webhook.log``.

The key that encrypts subscribers' secrets in the store is kept in the data directory, so
that subscribers added in one run of the demo can still be delivered to in the next.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from core_records.subscribers.store import SubscriberStore, new_encryption_key
from gatehouse.bootstrap import Hub
from routing.subscriber_deliveries import subscriber_topology

log = logging.getLogger("gatehouse.demo.subscriber")

NAME = "demo-webhook"
PATTERNS = ("prisoner.*",)
TOLERANCE_S = 300


def demo_subscriber_key(data_dir: Path) -> str:
    """``GATEHOUSE_SUBSCRIBER_SECRET_KEY`` if set; else the demo's own, made once and kept
    in the data directory."""
    given = os.environ.get("GATEHOUSE_SUBSCRIBER_SECRET_KEY")
    if given:
        return given
    path = data_dir / "subscriber-secret.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(new_encryption_key() + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


def verified(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Whether one of the delivery's signatures is ``secret``'s, and it is recent."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    msg_id, timestamp = headers.get("webhook-id", ""), headers.get("webhook-timestamp", "0")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE_S:
        return False
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(expected, sig.removeprefix("v1,"))
        for sig in headers.get("webhook-signature", "").split(" ")
    )


class DemoWebhook:
    """What the receiver knows: the secret to check with, and where it logs."""

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self.secret = ""
        self.url = ""
        self.lock = threading.Lock()

    def received(self, headers: dict[str, str], body: bytes) -> bool:
        with self.lock:
            ok = bool(self.secret) and verified(self.secret, headers, body)
            try:
                event = json.loads(body)
                what = f"{event['eventType']} {event.get('detailUrl', '')}"
            except (ValueError, KeyError, TypeError):
                what = "a body that is not an envelope"
            line = f"{'verified' if ok else 'REFUSED'} {headers.get('webhook-id', '-')} {what}"
            with self.log_path.open("a", encoding="utf-8") as out:
                out.write(line + "\n")
        log.info("%s received %s", NAME, line)
        return ok

    def subscribe(self, hub: Hub) -> None:
        """Add ``demo-webhook`` afresh (its URL changes from run to run), with its queue
        bound now so that nothing raised before the workers' first poll is lost."""
        store = SubscriberStore(hub.engine, hub.settings.subscriber_secret_key)
        store.remove(NAME, actor="demo")
        secret = store.add(NAME, self.url, PATTERNS, actor="demo")
        with self.lock:
            self.secret = secret
        settings = hub.settings
        hub.transport.declare(
            subscriber_topology(
                NAME, PATTERNS, namespace=settings.namespace, delay_tiers_ms=settings.delay_tiers_ms
            )
        )


@contextmanager
def running_demo_webhook(data_dir: Path) -> Iterator[DemoWebhook]:
    """The receiver serving on a free local port until the block ends."""
    data_dir.mkdir(parents=True, exist_ok=True)
    webhook = DemoWebhook(data_dir / f"{NAME}.log")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            # 401 for a bad signature: a permanent refusal, dead-lettered where it can be seen.
            self.send_response(204 if webhook.received(headers, body) else 401)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    webhook.url = f"http://127.0.0.1:{server.server_address[1]}/events"
    thread = threading.Thread(target=server.serve_forever, name=NAME, daemon=True)
    thread.start()
    try:
        yield webhook
    finally:
        server.shutdown()
        server.server_close()
