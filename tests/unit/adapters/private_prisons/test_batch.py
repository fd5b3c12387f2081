"""Reading an operator's batch file: its header and documents in order, each standalone,
read as the file is rather than all at once; a bad item spoils only itself."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

import adapters.private_prisons as package
from adapters import testing
from adapters.private_prisons import adapter
from adapters.private_prisons.batch import BatchHeader, BatchItem, read_batch
from core_records.errors import InvalidMessage

SAMPLES = Path(package.__file__).parent / "samples"
HEADER = (
    "<BatchHeader><Operator>serco</Operator><CreatedAt>2024-05-01T23:00:00+01:00</CreatedAt>"
    "<BatchReference>SER-NIGHTLY-1</BatchReference></BatchHeader>"
)


def document(name: str) -> str:
    """A sample document without its XML declaration and comments, as a batch holds it."""
    text = (SAMPLES / name).read_text()
    return re.sub(r"<\?xml[^>]*\?>|<!--.*?-->", "", text, flags=re.S).strip()


def batch(*documents: str, header: str = HEADER) -> bytes:
    inner = "\n".join(documents)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Batch xmlns="urn:gatehouse:private-prisons:v1">\n{header}\n{inner}\n</Batch>\n'
    ).encode()


def test_a_batch_yields_its_header_then_each_document_standalone_in_order() -> None:
    body = batch(
        document("valid/reception-new-person.xml"), document("valid/visit-social-completed.xml")
    )

    header, *items = read_batch(io.BytesIO(body))

    assert header == BatchHeader("serco", "2024-05-01T23:00:00+01:00", "SER-NIGHTLY-1")
    assert [(i.number, i.message_type) for i in items] == [(1, "reception"), (2, "visit")]
    assert all(isinstance(i, BatchItem) and i.error is None for i in items)
    first = items[0]
    assert isinstance(first, BatchItem) and first.line == 4
    # Each item is a document the edge would take as it is.
    scope = adapter.partners["serco"]
    for item in items:
        assert isinstance(item, BatchItem) and item.message_type is not None
        assert testing.accept(adapter, item.message_type, item.body, scope)


def test_every_message_type_an_operator_may_post_may_come_in_a_batch() -> None:
    valid = testing.inbound_samples(SAMPLES / "valid")
    body = batch(*(document(f"valid/{sample.name}") for sample in valid))

    _, *items = read_batch(io.BytesIO(body))

    types = {i.message_type for i in items if isinstance(i, BatchItem) and i.error is None}
    assert types == set(adapter.inbound)
    assert "non-association" in types


def test_an_item_that_is_no_document_of_ours_carries_its_error_and_the_rest_go_on() -> None:
    body = batch(
        "<Parole><Reference>1</Reference></Parole>", document("valid/release-conditional.xml")
    )
    _, wrong, right = read_batch(io.BytesIO(body))
    assert isinstance(wrong, BatchItem) and wrong.error is not None
    assert wrong.error.rule == "batch-item" and "item 1 is a" in wrong.error.reason
    assert isinstance(right, BatchItem) and right.error is None and right.message_type == "release"


WITH_DTD = (
    b'<?xml version="1.0"?><!DOCTYPE Batch [<!ENTITY x "y">]>'
    b'<Batch xmlns="urn:gatehouse:private-prisons:v1"/>'
)


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        (WITH_DTD, "no-dtd"),
        (b"<Reception/>", "root-element"),
        (batch(document("valid/release-conditional.xml"), header=""), "batch-header"),
        (batch(header=HEADER.replace("<Operator>serco</Operator>", "")), "required"),
    ],
)  # fmt: skip
def test_a_file_that_is_not_a_batch_is_refused_whole(body: bytes, rule: str) -> None:
    with pytest.raises(InvalidMessage) as refused:
        list(read_batch(io.BytesIO(body)))
    assert refused.value.rule == rule


def test_a_file_broken_part_way_yields_what_came_before_then_says_where() -> None:
    body = batch(document("valid/release-conditional.xml")).replace(b"</Batch>", b"<Release>")
    items = read_batch(io.BytesIO(body))
    next(items), next(items)
    with pytest.raises(InvalidMessage, match="not well-formed") as refused:
        next(items)
    assert refused.value.line is not None


class CountingReader(io.BytesIO):
    """A file that counts the bytes asked of it."""

    def __init__(self, body: bytes) -> None:
        super().__init__(body)
        self.read_so_far = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.read_so_far += len(chunk)
        return chunk


def test_a_large_batch_is_read_as_it_is_used_not_all_at_once() -> None:
    reception = document("valid/reception-new-person.xml")
    body = batch(*[reception] * 3000)
    source = CountingReader(body)

    items = read_batch(source)
    next(items), next(items)  # the header and the first document

    assert source.read_so_far < len(body) / 10
    assert sum(1 for _ in items) == 2999
