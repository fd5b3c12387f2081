"""A pausable delivery worker: while paused it takes nothing and has closed its consumer;
on resume it takes a new consumer, counts afresh before releasing unseen holds, and
delivers again. The pause is read from the store only every so often."""

from __future__ import annotations

from dataclasses import dataclass, field

from routing.interface_pause import PausableDelivery


@dataclass
class FakeConsumer:
    closed: bool = False

    def close(self) -> None:
        self.closed = True


@dataclass
class FakeWorker:
    consumer: FakeConsumer
    name: str = "delivery:delius"
    backoff_s: float = 0.0
    batches: int = 0
    clock_restarts: int = 0
    closed: bool = False

    def run_once(self) -> int:
        assert not self.consumer.closed, "delivered from a closed consumer"
        self.batches += 1
        return 1

    def restart_hold_clock(self) -> None:
        self.clock_restarts += 1

    def close(self) -> None:
        self.closed = True
        self.consumer.close()


@dataclass
class Switch:
    paused: bool = False
    reads: int = 0
    opened: list[FakeConsumer] = field(default_factory=list)

    def is_paused(self) -> bool:
        self.reads += 1
        return self.paused

    def reopen(self) -> FakeConsumer:
        self.opened.append(FakeConsumer())
        return self.opened[-1]


def pausable(switch: Switch, check_every_s: float = 0.0) -> tuple[PausableDelivery, FakeWorker]:
    worker = FakeWorker(FakeConsumer())
    loop = PausableDelivery(worker, switch.is_paused, switch.reopen, check_every_s)  # type: ignore[arg-type]
    return loop, worker


def test_a_paused_worker_closes_its_consumer_and_takes_nothing_until_resumed() -> None:
    switch = Switch()
    loop, worker = pausable(switch)
    first = worker.consumer
    assert loop.run_once() == 1

    switch.paused = True
    assert loop.run_once() == 0
    assert loop.run_once() == 0
    assert first.closed and worker.batches == 1
    assert loop.backoff_s == loop.check_every_s

    switch.paused = False
    assert loop.run_once() == 1
    assert worker.consumer is switch.opened[0] and not worker.consumer.closed
    assert worker.clock_restarts == 1 and worker.batches == 2


def test_the_pause_is_read_only_every_so_often() -> None:
    switch = Switch()
    loop, _ = pausable(switch, check_every_s=3600)
    for _ in range(5):
        loop.run_once()
    assert switch.reads == 1


def test_closing_a_paused_worker_closes_it_once_more_harmlessly() -> None:
    switch = Switch(paused=True)
    loop, worker = pausable(switch)
    loop.run_once()
    loop.close()
    assert worker.closed and worker.consumer.closed
