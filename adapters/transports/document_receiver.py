"""A simulated partner that receives Gatehouse's XML documents over HTTP, for tests, the
demo and the benchmark: it validates each POST against the schema for its root element (422
with the fault when invalid, or when the root is not one it takes) and records valid ones in
arrival order. ``running_document_receiver()`` serves one on a free 127.0.0.1 port.

As a partner should (``adapters.transports.partner_headers``), it keeps the event id
(``X-Gatehouse-Event-Id``) of every document it took and drops a document whose event id it
has seen, answering 202 all the same so that Gatehouse does not send it again; those are
counted apart (``duplicates_dropped``), not received twice.

Only a helper for the adapters' simulators (OASys's, the operators' notice receiver,
Delius's command line), never a transport Gatehouse delivers with.

``GET <path>/received`` answers the event ids received, in order (``eventIds``), and those
of the duplicates dropped (``duplicateIds``), and ``GET <path>/received/count`` how many
were received (``count``) and dropped (``duplicatesDropped``), for a benchmark running the
receiver in a process of its own. ``validate=False`` takes every document unread, as the
benchmark's receivers do: a real partner checks documents on its own machines.
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from lxml import etree

from adapters.transports.local_server import serving
from adapters.transports.partner_headers import event_id_of
from core_records.errors import InvalidMessage
from schemas.loader import validate
from schemas.xml import parse_xml


class DocumentReceiver:
    """Receives documents at ``path``; safe to use from any thread."""

    def __init__(
        self, title: str, path: str, schemas: Mapping[str, str], *, validate: bool = True
    ) -> None:
        self.path = path
        self._schemas = dict(schemas)
        self._validate = validate
        self._changed = threading.Condition()
        self._received: list[bytes] = []
        self._event_ids: list[str | None] = []
        self._seen: set[str] = set()
        self._duplicate_ids: list[str] = []
        self.app = FastAPI(title=title, openapi_url=None)
        self.app.add_api_route(path, self._receive, methods=["POST"])
        self.app.add_api_route(f"{path}/received", self._received_ids, methods=["GET"])
        self.app.add_api_route(f"{path}/received/count", self._received_count, methods=["GET"])

    @property
    def received(self) -> list[bytes]:
        """The valid documents received, in arrival order."""
        with self._changed:
            return list(self._received)

    @property
    def duplicates_dropped(self) -> int:
        """Documents dropped because their event id had been received before."""
        with self._changed:
            return len(self._duplicate_ids)

    def wait_for(self, count: int, timeout_s: float = 10.0) -> bool:
        """Wait until ``count`` documents have arrived; False if they did not in time."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self._received) >= count, timeout_s)

    async def _received_ids(self) -> JSONResponse:
        with self._changed:
            return JSONResponse(
                {"eventIds": list(self._event_ids), "duplicateIds": list(self._duplicate_ids)}
            )

    async def _received_count(self) -> JSONResponse:
        with self._changed:
            return JSONResponse(
                {"count": len(self._received), "duplicatesDropped": len(self._duplicate_ids)}
            )

    async def _receive(self, request: Request) -> Response:
        body = await request.body()
        try:
            if self._validate:
                self._check(body)
        except InvalidMessage as error:
            return JSONResponse(error.as_dict(), 422)
        event_id = event_id_of(request.headers)
        with self._changed:
            if event_id is not None and event_id in self._seen:
                self._duplicate_ids.append(event_id)
                return Response(status_code=202)
            if event_id is not None:
                self._seen.add(event_id)
            self._received.append(body)
            self._event_ids.append(event_id)
            self._changed.notify_all()
        return Response(status_code=202)

    def _check(self, body: bytes) -> None:
        document = parse_xml(body)
        root = etree.QName(document).localname
        if root not in self._schemas:
            raise InvalidMessage(f"{root} is not a document this partner takes", rule="root")
        validate(document, self._schemas[root])


@contextmanager
def running_document_receiver(receiver: DocumentReceiver) -> Iterator[str]:
    """Serve ``receiver`` on a free 127.0.0.1 port; yields the URL it receives at."""
    with serving(receiver.app, name=receiver.app.title) as url:
        yield f"{url}{receiver.path}"


def serve_from_command_line(
    description: str,
    default_port: int,
    make: Callable[[argparse.Namespace, bool], FastAPI],
    *,
    positional: tuple[str, str] | None = None,
) -> None:
    """A simulated partner's receiver in a process of its own, until interrupted: the
    ``main`` of ``python -m adapters.<partner>.simulator``. ``make(arguments, validate)``
    gives the receiver's app; ``positional`` is one more argument it needs, (name, help)."""
    parser = argparse.ArgumentParser(description=description)
    if positional is not None:
        parser.add_argument(positional[0], help=positional[1])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=default_port)
    parser.add_argument(
        "--no-validate",
        action="store_true",
        help="accept documents without checking them against the schema (for benchmarks)",
    )
    arguments = parser.parse_args()
    app = make(arguments, not arguments.no_validate)
    uvicorn.run(app, host=arguments.host, port=arguments.port, log_level="warning")
