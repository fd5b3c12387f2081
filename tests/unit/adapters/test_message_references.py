"""Where the edge finds a partner's reference for a message: in the document, or in the
``Idempotency-Key`` header where the format has none."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.requests import Request

from adapters.registry import AdapterRegistry
from core_records.errors import InvalidMessage
from gatehouse.api.inbound import partner_reference

ROOT = Path(__file__).parents[3] / "adapters"
registry = AdapterRegistry.from_entry_points()


def request(**headers: str) -> Request:
    raw = [
        (name.lower().replace("_", "-").encode(), value.encode()) for name, value in headers.items()
    ]
    return Request({"type": "http", "headers": raw})


def reference(adapter: str, message_type: str, sample: str, **headers: str) -> str | None:
    inbound_type = registry.adapter(adapter).inbound[message_type]
    document = inbound_type.read((ROOT / adapter / "samples" / "valid" / sample).read_bytes())
    return partner_reference(inbound_type, document, request(**headers))


@pytest.mark.parametrize(
    ("adapter", "message_type", "sample", "expected"),
    [
        ("private_prisons", "reception", "reception-new-person.xml", "SER-DNI-2024-0001873"),
        ("delius", "case", "case-matched-by-pnc-id.xml", "DEL-2024-0088122"),
        ("oasys", "assessment", "assessment-high-risk-to-the-public.xml", "OASYS-2024-00412277"),
        ("kiosks", "order", "order-two-items.json", "KSK-LEI-0000001"),
        ("kiosks", "application", "application-healthcare.json", "KSK-LEI-APP-0000001"),
    ],
)
def test_a_documents_own_reference_is_the_key(
    adapter: str, message_type: str, sample: str, expected: str
) -> None:
    # The document's reference wins over any header.
    assert reference(adapter, message_type, sample, Idempotency_Key="other") == expected


def test_every_sample_of_a_type_with_references_has_its_own() -> None:
    seen: dict[str, str] = {}
    for adapter in registry:
        for inbound_type in adapter.inbound.values():
            if inbound_type.reference_at is None:
                continue
            suffix = ".json" if inbound_type.format == "json" else ".xml"
            samples = ROOT / adapter.name / "samples" / "valid"
            for path in sorted(samples.glob(f"{inbound_type.name}*{suffix}")):
                found = inbound_type.reference(inbound_type.read(path.read_bytes()))
                assert found, path
                assert found not in seen, f"{path.name} reuses {found} of {seen.get(found)}"
                seen[found] = path.name
    assert len(seen) >= 10


def test_where_the_format_has_no_reference_the_header_is_the_key() -> None:
    sample = "order_line-spend.json"
    assert reference("prison_shops", "order_line", sample, Idempotency_Key=" K-1 ") == "K-1"
    assert reference("prison_shops", "order_line", sample) is None


@pytest.mark.parametrize("key", ["", "x" * 129, "a\tb"])
def test_a_header_that_cannot_be_a_reference_is_refused(key: str) -> None:
    with pytest.raises(InvalidMessage, match="Idempotency-Key"):
        reference("prison_shops", "order_line", "order_line-spend.json", Idempotency_Key=key)
