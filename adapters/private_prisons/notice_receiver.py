"""A simulated operator system receiving custody notices, for tests and the demo.

``NoticeReceiver`` is a small FastAPI app: it validates each POSTed notice against the
custody-notice schema (422 with the fault when invalid) and records valid ones in arrival
order. ``running_notice_receiver()`` serves one on a free 127.0.0.1 port.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from adapters.private_prisons.custody_notice import SCHEMA
from adapters.transports.local_server import serving
from core_records.errors import InvalidMessage
from schemas.loader import validate
from schemas.xml import parse_xml

PATH = "/custody-notices"


class NoticeReceiver:
    """Receives custody notices at ``/custody-notices``; safe to use from any thread."""

    def __init__(self, operator: str) -> None:
        self.operator = operator
        self._changed = threading.Condition()
        self._received: list[bytes] = []
        self.app = FastAPI(title=f"Simulated {operator} system", openapi_url=None)
        self.app.add_api_route(PATH, self._receive, methods=["POST"])

    @property
    def received(self) -> list[bytes]:
        """The valid notices received, in arrival order."""
        with self._changed:
            return list(self._received)

    def wait_for(self, count: int, timeout_s: float = 10.0) -> bool:
        """Wait until ``count`` notices have arrived; False if they did not in time."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self._received) >= count, timeout_s)

    async def _receive(self, request: Request) -> Response:
        body = await request.body()
        try:
            validate(parse_xml(body), SCHEMA)
        except InvalidMessage as error:
            return JSONResponse(error.as_dict(), 422)
        with self._changed:
            self._received.append(body)
            self._changed.notify_all()
        return Response(status_code=202)


@contextmanager
def running_notice_receiver(operator: str) -> Iterator[tuple[str, NoticeReceiver]]:
    """Serve a receiver on a free 127.0.0.1 port; yields (its URL, receiver)."""
    receiver = NoticeReceiver(operator)
    with serving(receiver.app, name=f"{operator}-notices") as url:
        yield f"{url}{PATH}", receiver
