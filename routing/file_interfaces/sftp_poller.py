"""The embedded scheduler of an SFTP interface: ``gatehouse worker`` runs one poller per
inbound interface, each on its own schedule.

Every ``poll_every_s`` the poller lists the partner's drop directory and takes each
complete file it has not answered yet: it copies the file to the local spool (streamed,
hashed as it goes), registers it by name and SHA-256, and publishes its records
(``FileIntake``). Between polls it watches its unfinished files: once ingest has settled
every record, it writes the receipt back (``.part``, then renamed), moves the file to
``archive/`` and forgets the spool copy. A file the format cannot read goes to ``error/``,
with a receipt saying why. A file seen again with the same name and checksum is not
processed again: it is moved to ``archive/`` as ``NAME.duplicate-<time>``.

A crash at any point loses nothing and doubles nothing: the file stays in the drop directory
until its receipt is written, and the store holds how far its records got.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from adapters.transports.sftp import PART_SUFFIX, PartnerDrop, RemoteFile, connect
from adapters.transports.sftp_config import SftpInterface
from core_records.bookkeeping.file_transfers import (
    PUBLISHED,
    RECEIPTED,
    RECEIVING,
    UNREADABLE,
    FileTransfer,
)
from routing.file_interfaces.intake import FileIntake

log = logging.getLogger(__name__)


@dataclass
class _Sighting:
    size: int
    modified_at: int
    since: float


@dataclass
class SftpPoller:
    """Polls one inbound interface; a worker loop (``run_once`` per turn)."""

    interface_name: str
    interface: SftpInterface
    intake: FileIntake
    spool_dir: Path
    settle_check_every_s: float = 1.0
    connect: Callable[[SftpInterface], PartnerDrop] = connect
    clock: Callable[[], float] = time.monotonic
    name: str = ""
    _next_listing: float = 0.0
    _next_settle_check: float = 0.0
    _sightings: dict[str, _Sighting] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.name = self.name or f"sftp:{self.interface_name}"
        self.spool_dir.mkdir(parents=True, exist_ok=True)

    def run_once(self) -> int:
        now = self.clock()
        listing_due = now >= self._next_listing
        waiting: list[FileTransfer] = []
        if listing_due or now >= self._next_settle_check:
            self._next_settle_check = now + self.settle_check_every_s
            waiting = self.intake.transfers.unfinished(self.interface_name)
            waiting = [t for t in waiting if t.status == RECEIVING or self._answerable(t)]
        if not listing_due and not waiting:
            return 0
        handled = 0
        with self.connect(self.interface) as drop:
            for transfer in waiting:
                handled += self.advance(drop, transfer)
            if listing_due:
                self._next_listing = now + self.interface.poll_every_s
                # A file still being published or answered is advanced above, not fetched again.
                busy = {t.file_name for t in self.intake.transfers.unfinished(self.interface_name)}
                for remote in self.complete(drop.listing(), now):
                    if remote.name in busy:
                        continue
                    transfer = self.take(drop, remote)
                    if transfer is not None:
                        handled += self.advance(drop, transfer)
        return handled

    def poll_now(self) -> int:
        """List the drop directory at once, whatever the schedule (tests, the CLI)."""
        self._next_listing = 0.0
        return self.run_once()

    # --- which files are complete --------------------------------------------------------

    def complete(self, listing: list[RemoteFile], now: float) -> list[RemoteFile]:
        """The files of ``listing`` that are complete uploads, as of ``now``."""
        files = [f for f in listing if not f.name.endswith(PART_SUFFIX)]
        if self.interface.completion == "rename":
            return files
        complete = []
        seen = {}
        for remote in files:
            sighting = self._sightings.get(remote.name)
            if sighting is None or (sighting.size, sighting.modified_at) != (
                remote.size,
                remote.modified_at,
            ):
                sighting = _Sighting(remote.size, remote.modified_at, now)
            seen[remote.name] = sighting
            ready_at = sighting.since + self.interface.stable_for_s
            if now >= ready_at:
                complete.append(remote)
            else:
                # Look again as soon as it could count as stable, not a whole poll later.
                self._next_listing = min(self._next_listing, ready_at)
        self._sightings = seen
        return complete

    # --- taking and answering files ------------------------------------------------------

    def take(self, drop: PartnerDrop, remote: RemoteFile) -> FileTransfer | None:
        """Copy a complete file to the spool and register it; its transfer, or None when it
        was answered before (it is then moved aside, not processed again)."""
        download = self.spool_dir / f"{remote.name}.download"
        with download.open("wb") as local:
            sha256, size = drop.download(remote.name, local)
        transfers = self.intake.transfers
        transfer, new = transfers.begin(self.interface_name, remote.name, sha256, size)
        if not new and transfer.status == RECEIPTED:
            download.unlink()
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            moved = drop.move(
                remote.name,
                self.interface.archive_dir,
                as_name=f"{remote.name}.duplicate-{stamp}",
            )
            log.warning(
                "%s: %s was already processed (same name and checksum, %s on %s); "
                "not processing it again, moved to %s",
                self.interface_name,
                remote.name,
                transfer.status,
                transfer.finished_at,
                moved,
            )
            self._sightings.pop(remote.name, None)
            return None
        download.replace(self._spool_path(transfer))
        self._sightings.pop(remote.name, None)
        return transfer

    def advance(self, drop: PartnerDrop, transfer: FileTransfer) -> int:
        """Publish what is left of the file's records, and answer it once they are all
        settled; the number of records it holds (at least 1 once answered)."""
        intake = self.intake
        transfer = self.publish(drop, transfer)
        if transfer.status == RECEIVING:
            return transfer.records_published
        answer = intake.answer(transfer, self._spool_copy(drop, transfer))
        if answer is None:
            return transfer.records_published
        receipt, receipt_bytes = answer
        drop.put(
            self.interface.receipt_dir,
            intake.file_format.receipt_name(transfer.file_name),
            [receipt_bytes],
        )
        where = self.interface.error_dir if transfer.status == UNREADABLE else None
        self._file_away(drop, transfer, where or self.interface.archive_dir)
        if transfer.status == PUBLISHED:
            intake.transfers.mark(transfer.id, RECEIPTED)
        self._spool_path(transfer).unlink(missing_ok=True)
        log.info(
            "%s: %s answered: %d accepted, %d refused",
            self.interface_name,
            transfer.file_name,
            receipt.accepted,
            len(receipt.refused),
        )
        return max(1, transfer.records_published)

    def publish(self, drop: PartnerDrop, transfer: FileTransfer) -> FileTransfer:
        """Publish the records of a file still being received, from its spool copy."""
        if transfer.status != RECEIVING:
            return transfer
        return self.intake.publish(transfer, self._spool_copy(drop, transfer))

    def _spool_copy(self, drop: PartnerDrop, transfer: FileTransfer) -> Path:
        spool = self._spool_path(transfer)
        if not spool.exists():  # restarted elsewhere: fetch the same file again
            self._fetch_again(drop, transfer, spool)
        return spool

    def _answerable(self, transfer: FileTransfer) -> bool:
        if transfer.status == UNREADABLE:
            return True
        settled = self.intake.transfers.settled_count(transfer.correlation_id)
        return settled >= transfer.records_published

    def _file_away(self, drop: PartnerDrop, transfer: FileTransfer, directory: str) -> None:
        source = f"{self.interface.drop_dir}/{transfer.file_name}"
        if not drop.exists(source):
            return  # moved before a crash
        name = transfer.file_name
        if drop.exists(f"{directory}/{name}"):
            name = f"{name}.{transfer.sha256[:12]}"
        drop.move(transfer.file_name, directory, as_name=name)

    def _fetch_again(self, drop: PartnerDrop, transfer: FileTransfer, spool: Path) -> None:
        download = spool.with_suffix(".download")
        with download.open("wb") as local:
            sha256, _ = drop.download(
                transfer.file_name, local, directory=self._where(drop, transfer)
            )
        if sha256 != transfer.sha256:
            download.unlink()
            raise RuntimeError(
                f"{self.interface_name}: {transfer.file_name} changed while it was being "
                f"processed (checksum {sha256[:12]}, was {transfer.sha256[:12]})"
            )
        download.replace(spool)

    def _where(self, drop: PartnerDrop, transfer: FileTransfer) -> str:
        """The directory the file is in now: still in the drop, or filed away before a crash."""
        interface = self.interface
        for directory in (interface.drop_dir, interface.archive_dir, interface.error_dir):
            if drop.exists(f"{directory}/{transfer.file_name}"):
                return directory
        return interface.drop_dir

    def _spool_path(self, transfer: FileTransfer) -> Path:
        return self.spool_dir / f"{transfer.sha256}.file"

    def close(self) -> None:
        pass
