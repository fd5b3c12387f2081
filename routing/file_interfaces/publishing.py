"""How a file's records reach the broker: in batches, one in flight while the next is read,
each batch's progress mark moved only after the broker confirmed it, in file order; and a
reader that counts a file's lines as a format reads them."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import BinaryIO

from core_records.bookkeeping.file_transfers import FileTransfer, FileTransfers
from core_records.bookkeeping.journal import Hop
from routing.messages import Message
from routing.transport import Transport


class CountingReader:
    """A binary file that counts the lines read through it; reading it again from the
    start counts afresh."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self._newlines = 0
        self._open_line = False

    @property
    def lines(self) -> int:
        return self._newlines + self._open_line

    def readline(self, size: int = -1) -> bytes:
        return self._counted(self._handle.readline(size))

    def read(self, size: int = -1) -> bytes:
        return self._counted(self._handle.read(size))

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line

    def seek(self, offset: int, whence: int = 0) -> int:
        position = self._handle.seek(offset, whence)
        if position == 0:
            self._newlines, self._open_line = 0, False
        return position

    def tell(self) -> int:
        return self._handle.tell()

    def _counted(self, data: bytes) -> bytes:
        if data:
            self._newlines += data.count(b"\n")
            self._open_line = not data.endswith(b"\n")
        return data


class PublishedBatches:
    """Batches of one file on their way to the broker, one batch in flight while the next is
    read: each batch's progress mark moves only after the broker confirmed it, in order."""

    def __init__(
        self,
        transport: Transport,
        exchange: str,
        transfers: FileTransfers,
        transfer: FileTransfer,
    ) -> None:
        self._transport = transport
        self._exchange = exchange
        self._transfers = transfers
        self._transfer = transfer
        self.published = transfer.records_published
        self.last_line = transfer.lines_read
        self.batch: list[Message] = []
        self.errors: list[tuple[int, str]] = []
        self.hops: list[Hop] = []
        self._sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="file-publish")
        self._in_flight: Future[None] | None = None

    def __enter__(self) -> PublishedBatches:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._sender.shutdown(wait=True)

    def flush(self) -> None:
        """Hand the batch to the sender, once the previous one is confirmed and marked."""
        self._wait()
        self.published += len(self.batch)
        self._in_flight = self._sender.submit(
            self._send, self.batch, self.last_line, self.published, self.errors, self.hops
        )
        self.batch, self.errors, self.hops = [], [], []

    def finish(self) -> None:
        self.flush()
        self._wait()

    def _wait(self) -> None:
        if self._in_flight is not None:
            in_flight, self._in_flight = self._in_flight, None
            in_flight.result()

    def _send(
        self,
        batch: list[Message],
        last_line: int,
        published: int,
        errors: list[tuple[int, str]],
        hops: list[Hop],
    ) -> None:
        if batch:
            self._transport.publish(self._exchange, batch)
        self._transfers.record_progress(
            self._transfer.id,
            lines_read=last_line,
            records_published=published,
            line_errors=errors,
            hops=hops,
        )
