"""The steps of a file interface as separate tasks, for a scheduler that runs each step on
its own (Apache Airflow: ``gatehouse.airflow_dags``). Each builds its hub from the
``GATEHOUSE_*`` environment, does one step and returns plain values (for XCom).

Inbound: ``fetch_files`` (complete files to the spool, registered), ``hand_to_gatehouse``
(their records onto the pipeline), ``answer_files`` (once every record is settled: receipt
back, file to ``archive/``). Outbound: ``send_file`` (one file, ``.part`` then renamed).
The embedded poller (``routing.file_interfaces.sftp_poller``) does the same steps in one loop.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from adapters.transports.file_formats import UnknownFileFormat, load_outbound_file_format
from adapters.transports.sftp import connect
from core_records.bookkeeping.file_transfers import PUBLISHED, RECEIPTED, RECEIVING, FileTransfer
from gatehouse.bootstrap import ConfigurationError, build_hub
from gatehouse.file_interfaces import sftp_poller
from gatehouse.settings import Settings
from routing.file_interfaces.sftp_poller import SftpPoller

log = logging.getLogger(__name__)


class NotYetSettled(Exception):
    """Ingest has not settled every record of the files yet; try the step again later."""


@contextmanager
def _poller(interface: str) -> Iterator[SftpPoller]:
    hub = build_hub(Settings())
    try:
        yield sftp_poller(hub, interface)
    finally:
        hub.close()


def fetch_files(interface: str) -> list[int]:
    """Copy the interface's complete files to the spool; the ids of their transfers."""
    with _poller(interface) as poller, connect(poller.interface) as drop:
        complete = poller.complete(drop.listing(), time.monotonic())
        if poller.interface.completion == "stable":
            time.sleep(poller.interface.stable_for_s)
            complete = poller.complete(drop.listing(), time.monotonic())
        taken = [poller.take(drop, remote) for remote in complete]
        ids = [transfer.id for transfer in taken if transfer is not None]
    log.info("%s: fetched %d file(s)", interface, len(ids))
    return ids


def hand_to_gatehouse(interface: str, transfer_ids: list[int]) -> list[int]:
    """Publish the records of each file (resuming where a failed try stopped)."""
    with _poller(interface) as poller, connect(poller.interface) as drop:
        for transfer_id in transfer_ids:
            transfer = poller.intake.transfers.get(transfer_id)
            if transfer.status == RECEIVING:
                poller.publish(drop, transfer)
    return transfer_ids


def answer_files(interface: str, transfer_ids: list[int], *, poll_s: float = 0.5) -> list[str]:
    """Wait (up to the interface's ``answer_within_s``) for every record to be settled,
    then write each receipt and archive each file; the names of the files answered."""
    with _poller(interface) as poller:
        transfers = poller.intake.transfers
        deadline = time.monotonic() + poller.interface.answer_within_s
        waiting = list(transfer_ids)
        answered: list[str] = []
        while waiting:
            current = [transfers.get(i) for i in waiting]
            ready = [t for t in current if t.status == RECEIPTED or _answerable(poller, t)]
            if ready:
                with connect(poller.interface) as drop:
                    for transfer in ready:
                        if transfer.status != RECEIPTED:
                            poller.advance(drop, transfer)
                        answered.append(transfer.file_name)
                done = {t.id for t in ready}
                waiting = [i for i in waiting if i not in done]
                continue
            if time.monotonic() > deadline:
                names = ", ".join(t.file_name for t in current)
                raise NotYetSettled(f"{interface}: records of {names} are not all settled yet")
            time.sleep(poll_s)
    return answered


def _answerable(poller: SftpPoller, transfer: FileTransfer) -> bool:
    if transfer.status != PUBLISHED:
        return transfer.status != RECEIVING
    settled = poller.intake.transfers.settled_count(transfer.correlation_id)
    return settled >= transfer.records_published


def send_file(interface: str, key: str, day: date | None = None) -> str:
    """Write the interface's file for ``key`` (an establishment) to its drop directory."""
    settings = Settings()
    try:
        config = settings.sftp_interfaces[interface]
        file_format = load_outbound_file_format(config.file_format)
    except KeyError:
        raise ConfigurationError(f"no SFTP interface {interface!r}") from None
    except UnknownFileFormat as error:
        raise ConfigurationError(f"SFTP interface {interface}: {error}") from error
    day = day or datetime.now(UTC).date()
    hub = build_hub(settings)
    try:
        name = file_format.file_name(key, day)
        with connect(config) as drop:
            path = drop.put_with(
                config.drop_dir, name, lambda out: file_format.write(hub.engine, key, day, out)
            )
    finally:
        hub.close()
    log.info("%s: wrote %s", interface, path)
    return path
