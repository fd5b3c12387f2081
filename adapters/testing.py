"""The adapter contract kit: checks any adapter's tests can run on its declaration, samples
and renderers. Each check raises ``AssertionError`` saying what is wrong, so that it reads
well under pytest; the property-test strategy needs hypothesis (the ``dev`` extra).

Sample conventions:

- inbound samples are ``samples/valid/*`` and ``samples/invalid/*``, each named
  ``<message type>-<what it shows>.<format>``: ``.xml`` for an XML message type
  (``reception-new-person.xml``), ``.json`` for a JSON one (``order-two-items.json``);
- rendered samples are ``samples/events/<name>.json`` (a canonical event envelope) beside
  ``samples/rendered/<name>.xml`` (exactly what the adapter renders for it; ``.json`` for
  an adapter that delivers JSON).

What the kit checks:

- ``check_declaration``: names, partner scopes, schemas that compile, and every subscribed
  event type allowed by the sharing policy, with a delivery to carry it;
- ``check_sample_format``: an inbound sample's suffix is its message type's format;
- ``check_valid_sample`` / ``check_invalid_sample``: a valid sample parses safely, validates
  and translates to commands; an invalid one fails with ``InvalidMessage``,
  ``InvalidIdentifier`` or ``NotPermitted`` and a reason;
- ``check_rendered_sample``: the event renders to exactly the rendered sample, which
  validates against the subscription's schema;
- ``events_with_withheld_fields`` and ``check_renders_nothing_withheld``: no identifier or
  ``additionalInformation`` value that the policy withholds reaches the rendered document.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from adapters.base import JSON, XML, Adapter, PartnerScope
from core_records.commands import Command
from core_records.errors import InvalidIdentifier, InvalidMessage, NotPermitted, PermanentError
from core_records.events import CanonicalEvent
from core_records.identifiers import BOOKING, CRN, CRO, LOCAL, NOMS, OTHER_TYPES, PNC, Identifier
from schemas.events import validate_event_envelope
from schemas.loader import load_schema, validate
from schemas.xml import parse_xml

REFUSALS = (InvalidMessage, InvalidIdentifier, NotPermitted)
"""The errors an invalid inbound sample may fail with."""

IDENTIFIER_TYPES = frozenset({NOMS, PNC, CRO, CRN, BOOKING, LOCAL, *OTHER_TYPES})

_ADAPTER_NAME = re.compile(r"[a-z][a-z0-9_]*")


# --- declaration ----------------------------------------------------------------------------


def check_declaration(adapter: Adapter) -> None:
    """The adapter's declaration hangs together."""
    assert _ADAPTER_NAME.fullmatch(adapter.name), f"{adapter.name!r} is not a lower-case name"
    assert adapter.partners, f"{adapter.name} names no partner that credentials could go to"
    for partner, scope in adapter.partners.items():
        assert scope == PartnerScope(scope.partner, adapter.name, scope.establishments), scope
        assert scope.partner == partner, f"partner {partner!r} has the scope of {scope.partner!r}"
    for message_type, inbound in adapter.inbound.items():
        assert inbound.name == message_type, f"{message_type!r} is declared as {inbound.name!r}"
        inbound.load_schema()
    for event_type, subscription in adapter.subscriptions.items():
        assert subscription.event_type == event_type, f"{event_type!r} subscription mismatch"
        assert adapter.policy.allows(event_type), (
            f"{adapter.name} subscribes to {event_type} but its policy withholds it"
        )
        if subscription.schema is not None:
            load_schema(subscription.schema)
    if adapter.subscriptions:
        assert adapter.delivery, f"{adapter.name} subscribes to events but has no delivery"


# --- inbound samples ------------------------------------------------------------------------


def samples(directory: Path, pattern: str = "*.xml") -> list[Path]:
    """The sample files in ``directory``, sorted; an empty directory is an error."""
    found = sorted(directory.glob(pattern))
    assert found, f"no samples matching {pattern} in {directory}"
    return found


SAMPLE_SUFFIXES = {XML: ".xml", JSON: ".json"}
"""The file suffix of an inbound sample, by its message type's format."""

INBOUND_SAMPLE_PATTERNS = tuple(f"*{suffix}" for suffix in SAMPLE_SUFFIXES.values())


def inbound_samples(directory: Path) -> list[Path]:
    """The inbound samples in ``directory`` (every format), sorted; none is no error."""
    return sorted(p for pattern in INBOUND_SAMPLE_PATTERNS for p in directory.glob(pattern))


def rendered_suffix(adapter: Adapter) -> str:
    """``.json`` for an adapter that delivers JSON, else ``.xml``."""
    return ".json" if adapter.delivery_content_type == "application/json" else ".xml"


def check_sample_format(adapter: Adapter, sample: Path) -> None:
    """The sample names a message type the adapter accepts, in that type's format."""
    inbound = adapter.inbound_type(message_type_of(sample, adapter.inbound))
    expected = SAMPLE_SUFFIXES.get(inbound.format)
    assert sample.suffix == expected, (
        f"{sample.name}: {adapter.name}'s {inbound.name!r} messages are {inbound.format},"
        f" so its samples end in {expected}"
    )


def message_type_of(sample: Path, accepted: Iterable[str] = ()) -> str:
    """``reception`` for ``reception-new-person.xml``.

    A message type may itself hold a hyphen (``non-association``): given the types an
    adapter ``accepted``, the longest of them that the name starts with (followed by ``-``
    or the suffix) wins, so ``non-association-closed.xml`` is a ``non-association``.
    """
    stem = sample.name.removesuffix(sample.suffix)
    named = [t for t in accepted if stem == t or stem.startswith(f"{t}-")]
    if named:
        return max(named, key=len)
    return stem.split("-", 1)[0]


def accept(
    adapter: Adapter, message_type: str, body: bytes, scope: PartnerScope
) -> tuple[Command, ...]:
    """What ingest does with one inbound document: parse safely, validate, translate."""
    inbound = adapter.inbound_type(message_type)
    return inbound.translate(inbound.read(body), scope)


def check_valid_sample(adapter: Adapter, sample: Path, scope: PartnerScope) -> tuple[Command, ...]:
    """The sample is accepted and translates to at least one command, which it returns."""
    commands = accept(adapter, message_type_of(sample, adapter.inbound), sample.read_bytes(), scope)
    assert commands, f"{sample.name} translated to no commands"
    return commands


def check_invalid_sample(adapter: Adapter, sample: Path, scope: PartnerScope) -> PermanentError:
    """The sample is refused with a reason; returns the error for further checks."""
    try:
        accept(adapter, message_type_of(sample, adapter.inbound), sample.read_bytes(), scope)
    except REFUSALS as error:
        assert error.reason.strip(), f"{sample.name} was refused without a reason"
        return error
    raise AssertionError(f"{sample.name} is an invalid sample, but {adapter.name} accepted it")


# --- rendered samples -----------------------------------------------------------------------


def rendered_samples(samples_dir: Path) -> list[tuple[Path, Path]]:
    """Pairs of (event envelope, rendered XML document) under ``samples_dir``."""
    events = samples(samples_dir / "events", "*.json")
    return [(event, samples_dir / "rendered" / f"{event.stem}.xml") for event in events]


def check_rendered_sample(adapter: Adapter, event_file: Path, rendered_file: Path) -> bytes:
    """The event sample is a valid envelope and renders to exactly the rendered sample,
    which satisfies the subscription's schema. Returns the rendered bytes."""
    envelope = json.loads(event_file.read_bytes())
    validate_event_envelope(envelope)
    event = CanonicalEvent.from_envelope(envelope)
    body = adapter.render(event)
    assert body is not None, f"{adapter.name} renders nothing for {event_file.name}"
    schema = adapter.subscriptions[event.event_type].schema
    if schema is not None:  # an XSD: only XML documents have one
        validate(parse_xml(body), schema)
    assert rendered_file.exists(), f"{rendered_file} is missing; it should hold:\n{body.decode()}"
    assert body == rendered_file.read_bytes(), (
        f"{event_file.name} no longer renders to {rendered_file.name}; it now renders:\n"
        f"{body.decode()}"
    )
    return body


# --- nothing withheld reaches the partner ---------------------------------------------------

_MARKER_PREFIX = "withheld"


def _marker(value: uuid.UUID) -> str:
    return f"{_MARKER_PREFIX}{value.hex}"


def _wrapped(marker: str) -> st.SearchStrategy[Any]:
    return st.sampled_from([marker, {"nested": marker}, [marker], {"list": [1, marker]}])


@st.composite
def _with_withheld_fields(
    draw: st.DrawFn, events: st.SearchStrategy[CanonicalEvent], adapter: Adapter
) -> tuple[CanonicalEvent, frozenset[str]]:
    policy = adapter.policy
    event = draw(events)
    withheld_types = sorted(IDENTIFIER_TYPES - policy.identifier_types)
    other_type = st.from_regex(r"X[A-Z]{2,5}", fullmatch=True)
    types = draw(
        st.lists(
            (st.sampled_from(withheld_types) if withheld_types else other_type) | other_type,
            min_size=1,
            max_size=4,
        ).map(lambda ts: [t for t in ts if t not in policy.identifier_types])
    )
    keys = draw(
        st.lists(
            st.from_regex(r"[a-z][A-Za-z]{0,15}", fullmatch=True).filter(
                lambda k: k not in policy.information_keys and k not in event.additional_information
            ),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    markers = [_marker(draw(st.uuids())) for _ in range(len(types) + len(keys))]
    identifiers = [Identifier(t, m) for t, m in zip(types, markers[: len(types)], strict=True)]
    information = {k: draw(_wrapped(m)) for k, m in zip(keys, markers[len(types) :], strict=True)}
    position = draw(st.integers(0, len(event.person_identifiers)))
    mixed = list(event.person_identifiers)
    mixed[position:position] = identifiers
    event = replace(
        event,
        person_identifiers=tuple(mixed),
        additional_information={**event.additional_information, **information},
    )
    return event, frozenset(markers)


def events_with_withheld_fields(
    adapter: Adapter, events: st.SearchStrategy[CanonicalEvent]
) -> st.SearchStrategy[tuple[CanonicalEvent, frozenset[str]]]:
    """Events drawn from ``events`` (which the adapter can render) with identifiers of types
    and information keys that the adapter's policy withholds added, each carrying a unique
    marker string; yields (event, markers)."""
    return _with_withheld_fields(events, adapter)


def check_renders_nothing_withheld(
    adapter: Adapter, event: CanonicalEvent, markers: frozenset[str], *, must_render: bool = True
) -> bytes | None:
    """No marker appears (in any letter case) in what the adapter renders for the event, and
    nothing is rendered for an event its policy withholds. ``must_render`` (the default)
    also requires a document for an event the policy allows, so that the check cannot pass
    by rendering nothing."""
    body = adapter.render(event)
    if event.event_type not in adapter.subscriptions or not adapter.policy.allows(event.event_type):
        assert body is None, f"{adapter.name} rendered a {event.event_type} it may not receive"
        return None
    if body is None:
        assert not must_render, f"{adapter.name} rendered nothing for a {event.event_type}"
        return None
    text = body.decode("utf-8", errors="replace").lower()
    leaked = sorted(marker for marker in markers if marker.lower() in text)
    assert not leaked, f"{adapter.name} rendered values its policy withholds: {leaked}"
    return body
