"""A simulated Delius that receives Gatehouse's documents, for tests and the demo.

``DeliusReceiver`` is a small FastAPI app: it validates each POSTed document against its
schema (custody status or prison identifier; 422 with the fault when invalid), records
valid ones in arrival order, and can be told to fail for outage tests (503 for the next N
requests, or until told to recover) or to answer slowly. ``running_receiver()`` serves one
under uvicorn on a free 127.0.0.1 port in a background thread, and stops it cleanly.

As a partner should (``adapters.transports.partner_headers``), it drops a document whose
event id (``X-Gatehouse-Event-Id``) it has received before, answering 202 all the same so
that Gatehouse does not send it again, and keeps it apart (``duplicates``), unless it comes
marked as a replay (``X-Gatehouse-Replay``), which it takes again.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from lxml import etree

from adapters.delius.render import CUSTODY_STATUS_SCHEMA as SCHEMA
from adapters.delius.render import DOCUMENT_SCHEMAS as SCHEMAS
from adapters.transports.document_receiver import serve_from_command_line
from adapters.transports.local_server import serving
from adapters.transports.partner_headers import event_id_of, replay_id_of
from core_records.errors import InvalidMessage
from schemas.loader import validate
from schemas.xml import parse_xml

PATH = "/custody-status"


@dataclass(frozen=True)
class ReceivedDocument:
    """One valid document as it arrived; header names are lower case."""

    body: bytes
    content_type: str
    headers: dict[str, str]
    received_at: datetime


class DeliusReceiver:
    """Receives custody-status POSTs at ``/custody-status``; safe to use from any thread."""

    def __init__(self, *, validate: bool = True) -> None:
        self._validate = validate
        self._changed = threading.Condition()
        self._received: list[ReceivedDocument] = []
        self._seen: set[str] = set()
        self._duplicates: list[ReceivedDocument] = []
        self._requests = 0
        self._failures_left = 0
        self._failing = False
        self._failure_status = 503
        self._delays: list[float] = []
        self._poison: tuple[bytes, int] | None = None
        self.app = FastAPI(title="Simulated Delius", openapi_url=None)
        self.app.add_api_route(PATH, self._receive, methods=["POST"])
        self.app.add_api_route(f"{PATH}/received", self._received_ids, methods=["GET"])
        self.app.add_api_route(f"{PATH}/received/count", self._received_count, methods=["GET"])

    # --- what arrived -----------------------------------------------------------------------

    @property
    def received(self) -> list[ReceivedDocument]:
        """The valid documents received, in arrival order."""
        with self._changed:
            return list(self._received)

    @property
    def duplicates(self) -> list[ReceivedDocument]:
        """The documents dropped because their event id had been received before."""
        with self._changed:
            return list(self._duplicates)

    @property
    def duplicates_dropped(self) -> int:
        with self._changed:
            return len(self._duplicates)

    @property
    def requests(self) -> int:
        """Every request answered, whatever the answer."""
        with self._changed:
            return self._requests

    def wait_for(self, count: int, timeout_s: float = 10.0) -> bool:
        """Wait until ``count`` valid documents have arrived; False if they did not in time."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self._received) >= count, timeout_s)

    # --- outages ----------------------------------------------------------------------------

    def fail_next(self, count: int, status: int = 503) -> None:
        """Answer ``status`` to the next ``count`` requests."""
        with self._changed:
            self._failures_left, self._failure_status = count, status

    def fail_until_recovered(self, status: int = 503) -> None:
        """Answer ``status`` to every request until ``recover()``."""
        with self._changed:
            self._failing, self._failure_status = True, status

    def refuse_documents_containing(self, text: str, status: int = 500) -> None:
        """Answer ``status`` to every document containing ``text``: a partner that chokes on
        one record (a poison message) while taking all the others."""
        with self._changed:
            self._poison = (text.encode(), status)

    def recover(self) -> None:
        """Stop failing: answer normally from the next request."""
        with self._changed:
            self._failing, self._failures_left = False, 0

    def delay_next(self, count: int, seconds: float) -> None:
        """Answer the next ``count`` requests only after ``seconds``."""
        with self._changed:
            self._delays = [seconds] * count

    async def _received_ids(self) -> JSONResponse:
        """The event ids received, in order, and those of the duplicates dropped, for a
        benchmark running this in its own process."""
        with self._changed:
            return JSONResponse(
                {
                    "eventIds": [event_id_of(d.headers) for d in self._received],
                    "duplicateIds": [event_id_of(d.headers) for d in self._duplicates],
                }
            )

    async def _received_count(self) -> JSONResponse:
        """How many documents were received, for a benchmark waiting for them."""
        with self._changed:
            return JSONResponse(
                {"count": len(self._received), "duplicatesDropped": len(self._duplicates)}
            )

    # --- the endpoint -----------------------------------------------------------------------

    def _admit(self) -> tuple[float, int | None]:
        """This request's delay, and the failure status to answer with, if any."""
        with self._changed:
            self._requests += 1
            delay = self._delays.pop(0) if self._delays else 0.0
            if self._failing:
                return delay, self._failure_status
            if self._failures_left:
                self._failures_left -= 1
                return delay, self._failure_status
            return delay, None

    async def _receive(self, request: Request) -> Response:
        delay, failure = self._admit()
        if delay:
            await asyncio.sleep(delay)
        if failure is not None:
            return JSONResponse({"reason": "Delius is unavailable (simulated)"}, failure)
        body = await request.body()
        with self._changed:
            poison = self._poison
        if poison and poison[0] in body:
            return JSONResponse({"reason": "Delius could not process this record"}, poison[1])
        if self._validate:
            try:
                document = parse_xml(body)
                validate(document, SCHEMAS.get(etree.QName(document).localname, SCHEMA))
            except InvalidMessage as error:
                return JSONResponse(error.as_dict(), 422)
        document = ReceivedDocument(
            body=body,
            content_type=request.headers.get("content-type", ""),
            headers=dict(request.headers),
            received_at=datetime.now(UTC),
        )
        event_id = event_id_of(document.headers)
        # A replay is what the partner asked for (after restoring a backup, say): taken again.
        replayed = replay_id_of(document.headers) is not None
        with self._changed:
            if event_id is not None and event_id in self._seen and not replayed:
                self._duplicates.append(document)
                return Response(status_code=202)
            if event_id is not None:
                self._seen.add(event_id)
            self._received.append(document)
            self._changed.notify_all()
        return Response(status_code=202)


@contextmanager
def running_receiver(
    receiver: DeliusReceiver | None = None, *, start_timeout_s: float = 10.0
) -> Iterator[tuple[str, DeliusReceiver]]:
    """Serve a receiver on a free 127.0.0.1 port; yields (its custody-status URL, receiver)."""
    receiver = receiver or DeliusReceiver()
    with serving(receiver.app, start_timeout_s=start_timeout_s, name="delius-receiver") as url:
        yield f"{url}{PATH}", receiver


def main() -> None:
    """``python -m adapters.delius.simulator``: a simulated Delius for compose.yaml."""
    serve_from_command_line(
        "A simulated Delius custody-status receiver.",
        9000,
        lambda _, validate: DeliusReceiver(validate=validate).app,
    )


if __name__ == "__main__":
    main()
