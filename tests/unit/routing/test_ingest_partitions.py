"""Partitioned ingest: a person's messages always choose the same partition, people spread
over all of them, and every routing key reaches exactly one partition's queue."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime

import pytest

from core_records.commands import PersonName, PersonParticulars, RecordReception, RecordRelease
from core_records.identifiers import LIDS, LOCAL, NOMS, PNC, Identifier
from core_records.store.identity_locks import identity_keys, lock_number
from routing.embedded.topic_matching import topic_matches
from routing.inbound import Submission, inbound_message
from routing.ingest_partitions import (
    PartitionedConsumer,
    PartitionShare,
    partition_of,
    person_key_of,
    slot_of,
)
from routing.messages import Delivery, Message
from routing.topology import INGEST_SLOTS, build_topology
from routing.transport import Consumer

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def reception(*identifiers: Identifier, surname: str = "Smith") -> RecordReception:
    particulars = PersonParticulars(
        identifiers, PersonName(surname, "John Paul"), date(1980, 1, 2), "M"
    )
    return RecordReception(particulars, "ASI", "N", NOW)


def test_the_slot_of_a_key_is_the_same_in_every_process() -> None:
    # Not Python's hash(), which each process seeds anew: a fixed value, and another process.
    assert slot_of("NOMS:A1234BC") == 60
    other = subprocess.run(
        [sys.executable, "-c", "from routing.ingest_partitions import slot_of;"
         "print(slot_of('NOMS:A1234BC'))"],
        capture_output=True, text=True, check=True, env={"PYTHONHASHSEED": "7"},
    )  # fmt: skip
    assert other.stdout.strip() == "60"
    assert slot_of(None) == 0


@pytest.mark.parametrize("partitions", [2, 3, 4])
def test_people_spread_over_every_partition(partitions: int) -> None:
    counts = Counter(partition_of(f"NOMS:A{n:04d}BC", partitions) for n in range(10_000))
    assert sorted(counts) == list(range(partitions))
    mean = 10_000 / partitions
    assert all(abs(count - mean) < 0.15 * mean for count in counts.values()), counts


def test_the_person_key_prefers_the_senders_own_number_then_the_prison_number() -> None:
    own = Identifier(LOCAL, "serco:991")
    prison_number = Identifier(NOMS, "A1234BC")
    # An operator's first reception names no prison number, its release does: one key, so
    # one partition, so the release cannot overtake the reception.
    first = person_key_of([reception(Identifier(PNC, "2001/0023456K"), own)])
    release = RecordRelease((prison_number, own), "ASI", "CR", NOW)
    assert first == person_key_of([release]) == "LOCAL:serco:991"
    assert person_key_of([reception(prison_number, own)]) == "LOCAL:serco:991"
    lids = Identifier(LIDS, "LEI:123456")
    assert person_key_of([RecordRelease((prison_number, lids), "LEI", "CR", NOW)]) == (
        "LIDS:LEI:123456"
    )
    assert person_key_of([RecordRelease((prison_number,), "ASI", "CR", NOW)]) == "NOMS:A1234BC"
    police = Identifier(PNC, "2001/0023456K")
    assert person_key_of([RecordRelease((police,), "ASI", "CR", NOW)]) == "PNC:2001/0023456K"


def test_a_first_reception_by_particulars_alone_is_keyed_by_name_and_birth() -> None:
    assert person_key_of([reception()]) == person_key_of([reception(surname="SMITH ")])
    assert person_key_of([reception()]) != person_key_of([reception(surname="Jones")])
    assert person_key_of([]) is None


@pytest.mark.parametrize("partitions", [1, 2, 3])
def test_every_routing_key_reaches_exactly_one_partition(partitions: int) -> None:
    topology = build_topology({}, namespace="gh", ingest_partitions=partitions)
    queues = topology.ingest_queues
    assert len(queues) == partitions
    for slot in range(INGEST_SLOTS):
        message = inbound_message(
            Submission("private_prisons", "reception", "serco", b"<x/>", NOW, None)
        )
        key = message.routing_key.rsplit(".", 1)[0] + f".s{slot}"
        reached = [
            q
            for q in queues
            if any(topic_matches(b.routing_key, key) for b in topology.queue(q).bindings)
        ]
        assert len(reached) == 1, (slot, reached)
        if partitions > 1:
            assert reached == [f"gh.ingest.{slot % partitions}-of-{partitions}"]


def test_the_edge_routes_by_the_person_key() -> None:
    submission = Submission(
        "private_prisons", "reception", "serco", b"<x/>", NOW, None, person_key="NOMS:A1234BC"
    )
    assert inbound_message(submission).routing_key == "private_prisons.reception.s60"


def test_one_partition_keeps_the_single_ingest_queue_and_too_many_are_refused() -> None:
    assert build_topology({}).ingest_queues == ("gatehouse.ingest",)
    with pytest.raises(ValueError, match="1 to 64"):
        build_topology({}, ingest_partitions=65)


def test_identity_keys_name_the_numbers_and_each_name_key_with_the_birth() -> None:
    keys = identity_keys([reception(Identifier(PNC, "2001/0023456K"))])
    assert "id:PNC:2001/0023456K" in keys
    assert "name:SMITH|JOHN|1980-01-02" in keys
    assert identity_keys([RecordRelease((Identifier(NOMS, "A1234BC"),), "ASI", "CR", NOW)]) == set()
    assert lock_number("name:SMITH|JOHN|1980-01-02") == -2989653305800564035


class ListConsumer(Consumer):
    def __init__(self, queue: str, bodies: Sequence[bytes]) -> None:
        self.waiting = [
            Delivery(Message("k", body, f"{queue}-{n}"), queue, False, 1, None)
            for n, body in enumerate(bodies)
        ]
        self.acked: list[str] = []
        self.released: list[str] = []
        self.dead: list[str] = []

    def fetch(self, max_messages: int, timeout_s: float) -> list[Delivery]:
        taken, self.waiting = self.waiting[:max_messages], self.waiting[max_messages:]
        return taken

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        self.acked.extend(d.message.message_id for d in deliveries)

    def retry_later(
        self, delivery: Delivery, delay_ms: int, reason: str, *, kind: str = ""
    ) -> None:
        raise AssertionError("not used")

    def dead_letter(self, delivery: Delivery, reason: str) -> None:
        self.dead.append(delivery.message.message_id)

    def release(self, deliveries: Sequence[Delivery]) -> None:
        self.released.extend(d.message.message_id for d in deliveries)

    def close(self) -> None:
        pass


def test_a_partitioned_consumer_takes_from_every_partition_in_order_and_settles_with_each() -> None:
    first, second = ListConsumer("p0", [b"a", b"b", b"c"]), ListConsumer("p1", [b"x", b"y"])
    consumer = PartitionedConsumer({"p0": first, "p1": second}.__getitem__, ["p0", "p1"])
    got = consumer.fetch(10, 0.1)
    assert [d.message.message_id for d in got if d.queue == "p0"] == ["p0-0", "p0-1", "p0-2"]
    assert [d.message.message_id for d in got if d.queue == "p1"] == ["p1-0", "p1-1"]
    consumer.ack(got[:-1])
    consumer.dead_letter(got[-1], "bad")
    assert sorted(first.acked + second.acked + first.dead + second.dead) == sorted(
        d.message.message_id for d in got
    )
    assert set(first.acked) <= {"p0-0", "p0-1", "p0-2"} and set(second.acked) <= {"p1-0", "p1-1"}
    assert consumer.fetch(10, 0.01) == []


class MemoryLeases:
    """Leases in a dict, with a clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0
        self.held: dict[str, tuple[str, float]] = {}

    def claim_lease(self, name: str, owner: str, ttl_s: float) -> bool:
        current = self.held.get(name)
        if current is None or current[0] == owner or current[1] <= self.now:
            self.held[name] = (owner, self.now + ttl_s)
            return True
        return False

    def release_lease(self, name: str, owner: str) -> None:
        if self.held.get(name, ("", 0))[0] == owner:
            del self.held[name]

    def live_leases(self, prefix: str) -> int:
        return sum(1 for n, (_, t) in self.held.items() if n.startswith(prefix) and t > self.now)


def test_workers_share_the_partitions_and_take_over_those_of_a_worker_that_stopped() -> None:
    leases = MemoryLeases()
    queues = ["q.0-of-4", "q.1-of-4", "q.2-of-4", "q.3-of-4"]
    first = PartitionShare(leases, "q", queues, ttl_s=10)
    held_first = first.wanted([])
    assert len(held_first) == 4  # alone, it takes them all
    second = PartitionShare(leases, "q", queues, ttl_s=10)
    assert second.wanted([]) == []  # all taken; it waits
    held_first = first.wanted(held_first)  # it sees two workers and gives two up
    assert len(held_first) == 2
    held_second = second.wanted([])
    assert sorted(held_first + held_second) == queues
    leases.now = 11  # the first worker stopped renewing: its leases expire
    assert sorted(second.wanted(held_second)) == queues
