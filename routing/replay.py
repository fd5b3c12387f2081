"""Replay: an interface's delivered documents sent to its partner again, at a bounded rate.

A replay run (``core_records.bookkeeping.replays``) names the documents: those the live
delivery journalled as delivered in a window, to one person, or one event (a resend). This
runner sends them straight to the partner's delivery, one after another in outbox order
(each person's order), paced to the run's rate, each marked ``X-Gatehouse-Delivery: replay``
and ``X-Gatehouse-Replay: <run id>`` so that the partner can tell them from live traffic.

Why a runner of its own rather than the interface's outbound queue: the live queue skips an
event it has delivered (a replay would be dropped as a duplicate), holds a person's events
behind a retrying one, and a window of thousands published into it would sit ahead of every
new event. Beside it, the live queue keeps its own order and pace for new events, and the
partner sees at most ``rate_per_s`` replayed documents a second on top of them.

Re-rendering applies the sharing policy as it is today (an event it now withholds is
``filtered``, not sent); ``stored`` mode sends the bytes sent at the time, when the message
history holds them (``missing`` otherwise).

A partner that is unavailable leaves the run ``waiting``, to be taken up again after the
cursor; a document it refuses outright is counted ``failed`` and the run goes on.
"""

from __future__ import annotations

import logging
import socket
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from adapters.base import EVERYONE, Adapter
from adapters.transports import partner_headers
from core_records.bookkeeping.message_history import DocumentCorrupt
from core_records.bookkeeping.replays import (
    DONE,
    STORED,
    Progress,
    ReplayRun,
    ReplayRuns,
    resent_hop,
)
from core_records.errors import PartnerUnavailable, PermanentError
from core_records.store.outbox import OutboxEntry
from core_records.timestamps import utc_now
from routing.delivery import PartnerDelivery
from routing.retry import describe

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PartnerDeliveries:
    """How an adapter's documents reach its partners: ``delivery`` for an adapter whose
    partners share one endpoint, or each partner's own (``by_partner``)."""

    delivery: PartnerDelivery | None = None
    by_partner: Mapping[str, PartnerDelivery] = field(default_factory=dict)

    def for_recipients(
        self, adapter: Adapter, recipients: tuple[str, ...]
    ) -> list[PartnerDelivery]:
        if adapter.policy.rows == EVERYONE:
            if self.delivery is None:
                raise PermanentError(f"no delivery is configured for {adapter.name}")
            return [self.delivery]
        missing = [r for r in recipients if r not in self.by_partner]
        if missing:
            raise PermanentError(f"no delivery is configured for {', '.join(missing)}")
        return [self.by_partner[r] for r in recipients]

    def close(self) -> None:
        for delivery in {
            id(d): d for d in [self.delivery, *self.by_partner.values()] if d
        }.values():
            delivery.close()


StoredDocument = Callable[[str, str], bytes | None]
"""The bytes an adapter's partner was sent for an event (event id, adapter), if kept."""


@dataclass
class ReplayRunner:
    """Works through replay runs, a step at a time: a worker loop (role ``replays``), and
    what ``gatehouse messages replay`` runs in its own process."""

    runs: ReplayRuns
    adapters: Mapping[str, Adapter]
    deliveries: Callable[[Adapter], PartnerDeliveries]
    stored_document: StoredDocument | None = None
    paused: Callable[[str], bool] = lambda _adapter: False
    """Whether a service manager has paused the adapter's outbound interface: a replay to
    it waits as its live deliveries do."""
    step: int = 50
    """Documents per step: the cursor and the journal are written after each step."""
    lease_s: float = 60.0
    wait_when_down_s: float = 30.0
    idle_poll_s: float = 1.0
    """How often the worker role looks for a run to take when it has none."""
    backoff_s: float = 0.0
    """How long the worker runner pauses before the next ``run_once``."""
    name: str = "replays"
    owner: str = field(default_factory=lambda: f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}")
    _open: dict[str, PartnerDeliveries] = field(default_factory=dict, init=False, repr=False)
    _next_send: float = field(default=0.0, init=False, repr=False)

    def run_once(self) -> int:
        """One step of the oldest run there is to take; the documents handled."""
        run = self.runs.claim(self.owner, self.lease_s)
        # Replays are rare: with none to run, look again only every idle_poll_s.
        self.backoff_s = self.idle_poll_s if run is None else 0.0
        if run is None:
            return 0
        _, handled = self.step_run(run)
        return handled

    def run_to_end(
        self, run_id: str, on_step: Callable[[ReplayRun], None] = lambda r: None
    ) -> ReplayRun:
        """Claim a run and work it to its end (or until the partner is unavailable)."""
        run = self.runs.claim(self.owner, self.lease_s, run_id)
        if run is None:
            raise LookupError(f"replay {run_id} is not there to run, or another process runs it")
        while run.status == "running":
            run, _ = self.step_run(run)
            on_step(run)
        return run

    def step_run(self, run: ReplayRun) -> tuple[ReplayRun, int]:
        adapter = self.adapters.get(run.adapter)
        if adapter is None:
            return self.runs.finish(run, "failed", f"no adapter {run.adapter}"), 0
        if run.mode == STORED and self.stored_document is None:
            return self.runs.finish(run, "failed", "documents are not stored on this hub"), 0
        if self.paused(adapter.name):
            self.runs.pause(run, f"{adapter.name}.outbound is paused", self.wait_when_down_s)
            return self._reread(run), 0
        try:
            self._deliveries(adapter)
        except Exception as error:  # no URL configured, say: nothing to wait for
            return self.runs.finish(run, "failed", describe(error)), 0
        entries = self.runs.events(run.window, after=run.cursor, limit=self.step)
        if not entries:
            return self.runs.finish(run, DONE), 0
        counts = {"sent": 0, "filtered": 0, "missing": 0, "failed": 0}
        hops = []
        cursor = run.cursor
        for entry in entries:
            try:
                outcome, recipients = self._send(run, adapter, entry)
            except PartnerUnavailable as error:
                run = self.runs.advance(run, Progress(cursor, hops=hops, **counts), self.lease_s)
                log.warning("replay %s waits: %s", run.id, describe(error))
                self.runs.pause(run, describe(error), self.wait_when_down_s)
                return self._reread(run), len(hops)
            except (PermanentError, DocumentCorrupt) as error:
                outcome, recipients = "failed", ()
                log.warning(
                    "replay %s: %s refused: %s", run.id, entry.event.event_id, describe(error)
                )
            counts[outcome] += 1
            if outcome == "sent":
                hops.append(resent_hop(run, entry, recipients, utc_now()))
            cursor = entry.sequence
        run = self.runs.advance(run, Progress(cursor, hops=hops, **counts), self.lease_s)
        return run, len(entries)

    def _send(
        self, run: ReplayRun, adapter: Adapter, entry: OutboxEntry
    ) -> tuple[str, tuple[str, ...]]:
        event = entry.event
        recipients = adapter.recipients(event)
        if run.mode == STORED:
            assert self.stored_document is not None
            # Only to partners today's policy still lets see the event: a withdrawn
            # permission is not undone by a replay.
            if not recipients:
                return "filtered", ()
            body = self.stored_document(event.event_id, adapter.name)
            if body is None:
                return "missing", ()
        else:
            body = adapter.render(event) if recipients else None
            if body is None:
                return "filtered", ()
        headers = {
            partner_headers.EVENT_ID: event.event_id,
            partner_headers.EVENT_TYPE: event.event_type,
            partner_headers.CORRELATION_ID: entry.correlation_id,
            partner_headers.DELIVERY: partner_headers.REPLAY,
            partner_headers.REPLAY_ID: run.id,
        }
        deliveries = self._deliveries(adapter).for_recipients(adapter, recipients)
        self._pace(run.rate_per_s)
        for delivery in deliveries:
            delivery.deliver(body, content_type=adapter.delivery_content_type, headers=headers)
        return "sent", recipients

    def _reread(self, run: ReplayRun) -> ReplayRun:
        found = self.runs.get(run.id)
        assert found is not None
        return found

    def _pace(self, rate_per_s: float) -> None:
        """At most ``rate_per_s`` documents a second, evenly spaced."""
        now = time.monotonic()
        if self._next_send > now:
            time.sleep(self._next_send - now)
            now = self._next_send
        self._next_send = now + 1.0 / rate_per_s

    def _deliveries(self, adapter: Adapter) -> PartnerDeliveries:
        if adapter.name not in self._open:
            self._open[adapter.name] = self.deliveries(adapter)
        return self._open[adapter.name]

    def close(self) -> None:
        for deliveries in self._open.values():
            deliveries.close()
        self._open.clear()
