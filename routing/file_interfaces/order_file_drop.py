"""Canteen order files on a local drop directory: take a file, publish its lines, answer it.

    <root>/incoming/     the shop puts ``*.csv`` order files here (written under another name
                         and renamed, so that a half-written file is never taken)
    <root>/processing/   files taken, each with a ``.published`` marker once every line is
                         durable on the broker
    <root>/receipts/     one ``<file>.receipt.csv`` per file, written whole and then renamed
    <root>/done/         files answered
    <root>/rejected/     files refused whole (their receipt says why)

``OrderFileDrop.run_once`` is a worker loop. A file is checked whole first (header, every
line, trailer; and the prison against the reference data); then each well-formed line is
published as an ``order_line`` message, 500 at a time with pipelined confirms. Message ids
come from the file's SHA-256 and the line number, so a crash part way through costs
nothing: the file is still in ``processing/`` without its marker, and is published again,
and the store's inbox ignores the lines it has already applied. Once the store has decided
every line (``core_records.canteen.ledger``), the receipt is written from the file (read
again) and the store's outcomes.

The SFTP transport can reuse ``submit_order_file`` and ``answer_order_file`` with
its own file movements.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import BinaryIO

from adapters.prison_shops import (
    NAME,
    PARTNER,
    OrderFileRejected,
    OrderFileSummary,
    OrderLine,
    ReceiptIncomplete,
    answer_order_file,
    check_order_file,
    line_document,
    line_message_id,
    order_line_person_key,
    read_order_file,
    write_rejection,
)
from adapters.prison_shops.translate import MESSAGE_TYPE
from core_records.bookkeeping import journal
from core_records.bookkeeping.journal import Hop
from core_records.canteen.ledger import LineOutcome
from core_records.errors import GatehouseError, UnknownReferenceCode
from routing.inbound import Submission

log = logging.getLogger(__name__)

PUBLISH_BATCH = 500

PublishBatch = Callable[[Sequence[Submission]], object]
"""Publishes submissions and returns once all are durable; raises ``TransientError``."""
Outcomes = Callable[[str], list[LineOutcome]]
Decided = Callable[[str], int]
RequirePrison = Callable[[str], object]
"""Raises ``UnknownReferenceCode`` for a code that is not a prison."""
RecordHops = Callable[[Sequence[Hop]], None]


def order_file_id(file_id: str) -> str:
    """The journal's message id for a whole order file, which is also the correlation id of
    each of its lines: ``gatehouse messages show`` finds the file, and every line from it."""
    return f"canteen-order:{file_id}"


def submit_order_file(
    stream: BinaryIO,
    publish: PublishBatch,
    require_prison: RequirePrison,
    *,
    received_at: datetime,
) -> OrderFileSummary:
    """Check the whole file, then publish each well-formed line; the file's summary (its
    ``sha256`` is the file id). Raises ``OrderFileRejected`` for a file refused whole, having
    published nothing. ``stream`` must be seekable: it is read twice."""
    summary = check_order_file(stream)
    try:
        require_prison(summary.header.establishment)
    except UnknownReferenceCode as error:
        raise OrderFileRejected(error.reason, line=1, rule="header") from None
    stream.seek(0)
    reader = read_order_file(stream)
    batch: list[Submission] = []
    for item in reader:
        if not isinstance(item, OrderLine):
            continue
        batch.append(
            Submission(
                adapter=NAME,
                message_type=MESSAGE_TYPE,
                partner=PARTNER,
                body=line_document(summary.sha256, reader.header, item),
                received_at=received_at,
                correlation_id=order_file_id(summary.sha256),
                content_type="application/json",
                message_id=line_message_id(summary.sha256, item.line_number),
                person_key=order_line_person_key(item),
                schema_checked=True,  # written from the fields check_order_file checked
            )
        )
        if len(batch) >= PUBLISH_BATCH:
            publish(batch)
            batch = []
    if batch:
        publish(batch)
    return summary


@dataclass
class OrderFileDrop:
    """The drop-directory cycle for canteen order files, as a worker loop."""

    root: Path
    publish: PublishBatch
    outcomes: Outcomes
    decided: Decided
    require_prison: RequirePrison
    record_hops: RecordHops | None = None
    """Journals each file received, refused and answered, when given."""
    name: str = "canteen-files"

    def __post_init__(self) -> None:
        for folder in ("incoming", "processing", "receipts", "done", "rejected"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)

    def run_once(self) -> int:
        handled = 0
        processing = self.root / "processing"
        taken = [p for p in sorted(processing.glob("*.csv")) if not _marker(p).exists()]
        for path in sorted((self.root / "incoming").glob("*.csv")):
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
            target = processing / f"{stamp}-{path.name}"
            os.replace(path, target)
            taken.append(target)
        for path in taken:
            self._submit(path)
            handled += 1
        for path in sorted(processing.glob("*.csv")):
            if _marker(path).exists() and self._answer(path):
                handled += 1
        return handled

    def close(self) -> None:
        pass

    def _submit(self, path: Path) -> None:
        with path.open("rb") as stream:
            try:
                summary = submit_order_file(
                    stream, self.publish, self.require_prison, received_at=datetime.now(UTC)
                )
            except OrderFileRejected as error:
                refused: OrderFileRejected | None = error
            else:
                refused = None
        if refused is not None:
            log.info("order file %s refused: %s", path.name, refused.reason)
            self._journal(path, f"refused-{path.name}", journal.REJECTED, refused.reason, "error")
            self._write_receipt(path, partial(write_rejection, "", refused, written_at=_now()))
            os.replace(path, self.root / "rejected" / path.name)
            return
        marker = {"fileId": summary.sha256, "transactions": summary.transactions}
        _write_atomically(_marker(path), json.dumps(marker).encode())
        self._journal(
            path,
            summary.sha256,
            journal.RECEIVED,
            f"{path.name}: {summary.transactions} lines published, "
            f"{summary.refused_lines} refused as read",
        )
        log.info("order file %s: %d lines published", path.name, summary.transactions)

    def _answer(self, path: Path) -> bool:
        marker = json.loads(_marker(path).read_bytes())
        file_id = marker["fileId"]
        if self.decided(file_id) < marker["transactions"]:
            return False
        try:
            with path.open("rb") as stream:
                self._write_receipt(
                    path,
                    lambda out: answer_order_file(
                        stream, file_id, self.outcomes, out, written_at=_now()
                    ),
                )
        except ReceiptIncomplete:
            return False
        os.replace(path, self.root / "done" / path.name)
        _marker(path).unlink()
        self._journal(path, file_id, journal.DELIVERED, f"receipt {path.stem}.receipt.csv written")
        return True

    def _journal(
        self, path: Path, file_id: str, hop: str, detail: str, outcome: str = "ok"
    ) -> None:
        if self.record_hops is None:
            return
        message_id = order_file_id(file_id)
        try:
            self.record_hops(
                [
                    Hop(
                        message_id=message_id,
                        hop=hop,
                        at=_now(),
                        outcome=outcome,
                        correlation_id=message_id,
                        adapter=NAME,
                        partner=PARTNER,
                        direction=journal.INBOUND,
                        message_type="order_file",
                        detail=detail,
                    )
                ]
            )
        except GatehouseError as error:  # the file's work is done; only its hop is lost
            log.warning("could not journal order file %s: %s", path.name, error)

    def _write_receipt(self, path: Path, write: Callable[[BinaryIO], object]) -> None:
        final = self.root / "receipts" / f"{path.stem}.receipt.csv"
        partial = final.with_suffix(".partial")
        with partial.open("wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, final)


def _marker(path: Path) -> Path:
    return path.with_suffix(".published")


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_suffix(".partial")
    partial.write_bytes(data)
    os.replace(partial, path)


def _now() -> datetime:
    return datetime.now(UTC)
