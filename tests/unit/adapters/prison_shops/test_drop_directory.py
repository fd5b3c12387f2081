"""The order-file drop directory's cycle, with the broker and the store as fakes: what is
published, when a receipt is written, and what a failure part way through leaves."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from adapters.prison_shops import read_receipt
from core_records.canteen.ledger import LineOutcome
from core_records.errors import TransportUnavailable, UnknownReferenceCode
from routing.file_interfaces.order_file_drop import PUBLISH_BATCH, OrderFileDrop
from routing.inbound import Submission

HEADER = "HDR,GHCANTORD,1,LEI-1,LEI,2026-11-23T20:00:00+00:00\n"


def _order_file(lines: int) -> str:
    body = "".join(f"TXN,R-{n},A1234BC,CANT,100,2026-11-23T18:00:00+00:00\n" for n in range(lines))
    return HEADER + body + f"TRL,{lines}\n"


class FakeHub:
    """Publishes into a list (failing on request) and decides every published line."""

    def __init__(self) -> None:
        self.published: list[Submission] = []
        self.fail_after: int | None = None
        self.decided_lines: dict[str, list[LineOutcome]] = {}

    def publish(self, batch: Sequence[Submission]) -> None:
        if self.fail_after is not None and len(self.published) >= self.fail_after:
            raise TransportUnavailable("the broker went away")
        self.published.extend(batch)

    def decide_all(self) -> None:
        for submission in self.published:
            file_id, line = submission.message_id.rsplit(":", 2)[1:]  # type: ignore[union-attr]
            outcome = LineOutcome(int(line), f"R-{int(line) - 2}", "A1234BC", "CANT", 100, True,
                                  balance_after_pence=0)  # fmt: skip
            outcomes = self.decided_lines.setdefault(file_id, [])
            if outcome not in outcomes:
                outcomes.append(outcome)

    def outcomes(self, file_id: str) -> list[LineOutcome]:
        return self.decided_lines.get(file_id, [])

    def decided(self, file_id: str) -> int:
        return len(self.outcomes(file_id))


def _require_prison(code: str) -> None:
    if code != "LEI":
        raise UnknownReferenceCode("establishment", code)


@pytest.fixture
def hub() -> FakeHub:
    return FakeHub()


@pytest.fixture
def drop(tmp_path: Path, hub: FakeHub) -> OrderFileDrop:
    return OrderFileDrop(tmp_path, hub.publish, hub.outcomes, hub.decided, _require_prison)


def _put(drop: OrderFileDrop, name: str, text: str) -> None:
    (drop.root / "incoming" / name).write_text(text)


def test_no_receipt_is_written_until_every_line_is_decided(
    drop: OrderFileDrop, hub: FakeHub
) -> None:
    _put(drop, "orders.csv", _order_file(3))

    drop.run_once()
    assert len(hub.published) == 3
    assert not list((drop.root / "receipts").iterdir())

    hub.decide_all()
    drop.run_once()
    [receipt] = list((drop.root / "receipts").glob("*.receipt.csv"))
    with receipt.open("rb") as stream:
        assert read_receipt(stream).counts == (3, 3, 0)
    assert [p.name.split("-", 1)[1] for p in (drop.root / "done").iterdir()] == ["orders.csv"]
    assert not list((drop.root / "processing").iterdir())


def test_a_file_interrupted_while_publishing_is_published_again_with_the_same_ids(
    drop: OrderFileDrop, hub: FakeHub
) -> None:
    _put(drop, "orders.csv", _order_file(PUBLISH_BATCH + 10))
    hub.fail_after = PUBLISH_BATCH

    with pytest.raises(TransportUnavailable):
        drop.run_once()
    first_ids = [s.message_id for s in hub.published]
    [waiting] = list((drop.root / "processing").iterdir())
    assert waiting.suffix == ".csv", "the file waits, without its published marker"

    hub.fail_after = None
    drop.run_once()
    ids = [s.message_id for s in hub.published]

    assert len(first_ids) == PUBLISH_BATCH
    assert ids[PUBLISH_BATCH : 2 * PUBLISH_BATCH] == first_ids
    assert len(set(ids)) == PUBLISH_BATCH + 10
    hub.decide_all()
    drop.run_once()
    assert len(list((drop.root / "receipts").glob("*.receipt.csv"))) == 1


def test_a_file_for_an_unknown_prison_is_refused_whole_without_publishing(
    drop: OrderFileDrop, hub: FakeHub
) -> None:
    _put(drop, "orders.csv", _order_file(2).replace(",LEI,", ",XXI,"))

    drop.run_once()

    assert hub.published == []
    [receipt] = list((drop.root / "receipts").glob("*.receipt.csv"))
    with receipt.open("rb") as stream:
        assert "XXI" in (read_receipt(stream).rejection or "")
    assert len(list((drop.root / "rejected").iterdir())) == 1


def test_files_being_written_are_left_alone(drop: OrderFileDrop, hub: FakeHub) -> None:
    _put(drop, "orders.partial", _order_file(1))

    assert drop.run_once() == 0
    assert hub.published == []
