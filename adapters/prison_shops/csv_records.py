"""CSV records on binary streams, one record per line: what the shop file formats share.

Writing buffers a few hundred records and encodes them as UTF-8 with LF line endings;
reading takes one line at a time, so neither side ever holds a whole file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import BinaryIO

_FLUSH_EVERY = 500


class RecordWriter:
    """Writes CSV records to a binary stream; ``close`` flushes (it leaves the stream open)."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._buffer = io.StringIO()
        self._csv = csv.writer(self._buffer, lineterminator="\n")
        self._pending = 0

    def write(self, *fields: object) -> None:
        self._csv.writerow([_one_line(value) for value in fields])
        self._pending += 1
        if self._pending >= _FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        self._stream.write(self._buffer.getvalue().encode("utf-8"))
        self._buffer.seek(0)
        self._buffer.truncate()
        self._pending = 0

    def close(self) -> None:
        self.flush()
        self._stream.flush()


def records(stream: BinaryIO) -> Iterator[list[str]]:
    """The CSV records of a stream written by ``RecordWriter``, one line at a time."""
    for raw in stream:
        text = raw.decode("utf-8").rstrip("\r\n")
        if text:
            yield next(csv.reader([text]))


def _one_line(value: object) -> object:
    # One record per physical line is what lets readers stream: no value may break a line.
    if value is None:
        return ""
    if isinstance(value, str) and ("\n" in value or "\r" in value):
        return " ".join(value.splitlines())
    return value
