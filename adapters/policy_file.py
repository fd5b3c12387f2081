"""Sharing policies declared as data: the ``policy.toml`` beside each adapter's code.

A policy file names everything a partner may receive; anything it does not name is
withheld. Reading one is strict, so that a typo withholds nothing by accident and shares
nothing by accident either: an unknown key, a value of the wrong kind, an unknown
identifier type or row scope, or a security event for a partner that is not
security-cleared is a ``PolicyFileError`` naming the file and the key.

    version = 1
    event_types = ["prisoner.received", "prisoner.released"]
    identifier_types = ["NOMS", "CRN"]         # personReference.identifiers
    information_keys = ["prisonId", "reason"]  # additionalInformation
    person_fields = []                         # the person view, through the data share
    purposes = []                              # why it reads there (one: the default)
    rows = "everyone"                          # or "own_prisons"
    security_cleared = false                   # true for the security application alone
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from adapters.base import ROW_SCOPES, SharingPolicy, is_security_event_type
from core_records.identifiers import BOOKING, CRN, CRO, LOCAL, NOMS, OTHER_TYPES, PNC

POLICY_FILE = "policy.toml"
FORMAT_VERSION = 1

IDENTIFIER_TYPES = frozenset({NOMS, PNC, CRO, CRN, BOOKING, LOCAL, *OTHER_TYPES})

PERSON_FIELDS = frozenset(
    {
        "prisonNumber", "version", "identifiers", "names", "dateOfBirth", "sex",
        "custodyStatus", "careStatus", "establishment", "legalStatus", "incentiveLevel",
        "createdAt", "updatedAt", "bookings", "movements",
        "sentenceKeyDates", "alerts", "offenderManager", "roshSummary",
    }
)  # fmt: skip
"""The keys of ``core_records.custody.person_view.person_view`` (the last four read only when
a policy names them: ``core_records.custody.shared_details``)."""

_LISTS = ("event_types", "identifier_types", "information_keys", "person_fields", "purposes")
_KEYS = frozenset({"version", *_LISTS, "rows", "security_cleared"})


class PolicyFileError(ValueError):
    """A policy file that cannot be trusted to say what a partner may see."""


def _strings(path: Path, data: dict[str, Any], key: str) -> frozenset[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise PolicyFileError(f"{path}: {key} must be a list of non-empty strings")
    return frozenset(value)


def parse_policy(data: dict[str, Any], path: Path) -> SharingPolicy:
    """The policy a parsed policy file declares; ``path`` names it in errors."""
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise PolicyFileError(
            f"{path}: unknown key {', '.join(unknown)} (known: {', '.join(sorted(_KEYS))})"
        )
    if data.get("version") != FORMAT_VERSION:
        raise PolicyFileError(f"{path}: version must be {FORMAT_VERSION}")
    lists = {key: _strings(path, data, key) for key in _LISTS}
    rows = data.get("rows", "everyone")
    if rows not in ROW_SCOPES:
        raise PolicyFileError(f"{path}: rows must be one of {', '.join(ROW_SCOPES)}, not {rows!r}")
    cleared = data.get("security_cleared", False)
    if not isinstance(cleared, bool):
        raise PolicyFileError(f"{path}: security_cleared must be true or false")
    unknown_types = sorted(lists["identifier_types"] - IDENTIFIER_TYPES)
    if unknown_types:
        raise PolicyFileError(f"{path}: unknown identifier type {', '.join(unknown_types)}")
    unknown_fields = sorted(lists["person_fields"] - PERSON_FIELDS)
    if unknown_fields:
        raise PolicyFileError(f"{path}: unknown person field {', '.join(unknown_fields)}")
    security = sorted(t for t in lists["event_types"] if is_security_event_type(t))
    if security and not cleared:
        raise PolicyFileError(
            f"{path}: {', '.join(security)} may go only to a security-cleared partner"
            " (security_cleared = true)"
        )
    return SharingPolicy(
        event_types=lists["event_types"],
        identifier_types=lists["identifier_types"],
        information_keys=lists["information_keys"],
        person_fields=lists["person_fields"],
        rows=rows,
        security_cleared=cleared,
        purposes=lists["purposes"],
    )


def load_policy(path: Path) -> SharingPolicy:
    """The policy declared in the TOML file at ``path``."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PolicyFileError(f"{path}: no policy file; every adapter declares one") from None
    except tomllib.TOMLDecodeError as error:
        raise PolicyFileError(f"{path}: not valid TOML: {error}") from None
    return parse_policy(data, path)


def package_policy(package_file: str) -> SharingPolicy:
    """The policy in the ``policy.toml`` beside an adapter package's ``__init__.py``
    (pass ``__file__``)."""
    return load_policy(Path(package_file).with_name(POLICY_FILE))
