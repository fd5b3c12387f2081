"""Event subscribers in the store: who they are, what they want, and their signing secrets.

A signing secret is ``whsec_`` and 24 random bytes in base64, as Standard Webhooks has it.
The store keeps it encrypted with Fernet under a key from the settings
(``GATEHOUSE_SUBSCRIBER_SECRET_KEY``), never as it is: a copy of the database alone cannot
forge a delivery. ``add`` and ``rotate`` hand the secret back once, for the operator to give
the subscriber. Rotation keeps the old secret signing alongside the new one until its grace
period ends, so that a subscriber can switch without refusing a delivery. Adding, rotating
and removing are audited.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken

from core_records.bookkeeping.audit import AuditEvent, write_audit
from core_records.store.database import READ_ONLY, store_errors
from core_records.subscribers.tables import event_subscriber
from core_records.timestamps import utc_now

SECRET_PREFIX = "whsec_"
NAME = re.compile(r"^[a-z][a-z0-9_-]{0,47}$")
PATTERN_WORD = re.compile(r"^([a-z0-9][a-z0-9-]*|\*|#)$")


class SubscriberError(ValueError):
    """A subscriber that cannot be added or changed as asked, or a missing key."""


def new_signing_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def new_encryption_key() -> str:
    """A new key for ``GATEHOUSE_SUBSCRIBER_SECRET_KEY``."""
    return Fernet.generate_key().decode()


def check_patterns(patterns: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Event-type patterns as topic bindings have them: dotted words, ``*`` standing for
    one word and ``#`` for any number (``prisoner.*``, ``probation-case.#``)."""
    if not patterns:
        raise SubscriberError("a subscriber needs at least one event pattern, like 'prisoner.*'")
    for pattern in patterns:
        if not all(PATTERN_WORD.match(word) for word in pattern.split(".")):
            raise SubscriberError(
                f"{pattern!r} is not an event pattern: dotted lower-case words, '*' for one"
                " word, '#' for any number (like 'prisoner.*')"
            )
    return tuple(sorted(set(patterns)))


@dataclass(frozen=True)
class Subscriber:
    """A subscriber as listed: never its secrets."""

    name: str
    url: str
    event_patterns: tuple[str, ...]
    policy: dict[str, Any] | None
    """A policy.toml's keys; None for the default policy."""
    created_at: datetime
    updated_at: datetime
    previous_valid_until: datetime | None


@dataclass(frozen=True)
class SigningSubscriber:
    """A subscriber as the delivery worker needs it: with the secrets that sign now."""

    subscriber: Subscriber
    secrets: tuple[str, ...]
    """The current secret first, then the previous one while its grace period runs."""


class SubscriberStore:
    def __init__(self, engine: sa.Engine, key: str | None) -> None:
        self._engine = engine
        self._key = key

    def _fernet(self) -> Fernet:
        if not self._key:
            raise SubscriberError(
                "event subscribers' secrets are encrypted with GATEHOUSE_SUBSCRIBER_SECRET_KEY,"
                " which is not set (`gatehouse subscribers key` prints a new one)"
            )
        try:
            return Fernet(self._key.encode())
        except ValueError:
            raise SubscriberError(
                "GATEHOUSE_SUBSCRIBER_SECRET_KEY is not a Fernet key (32 url-safe base64 bytes)"
            ) from None

    def _decrypt(self, token: str) -> str:
        try:
            return self._fernet().decrypt(token.encode()).decode()
        except InvalidToken:
            raise SubscriberError(
                "a subscriber's secret cannot be decrypted with GATEHOUSE_SUBSCRIBER_SECRET_KEY"
                " (was the key changed?)"
            ) from None

    def add(
        self,
        name: str,
        url: str,
        patterns: list[str] | tuple[str, ...],
        *,
        policy: dict[str, Any] | None = None,
        actor: str = "system",
    ) -> str:
        """Add a subscriber; its signing secret, shown this once."""
        if not NAME.match(name):
            raise SubscriberError(
                f"{name!r} is not a subscriber name: lower-case letters, digits, - and _,"
                " starting with a letter, at most 48"
            )
        if not url.startswith(("http://", "https://")):
            raise SubscriberError(f"a subscriber's URL is http:// or https://, not {url!r}")
        checked = check_patterns(patterns)
        secret = new_signing_secret()
        encrypted = self._fernet().encrypt(secret.encode()).decode()
        now = utc_now()
        with store_errors(), self._engine.begin() as connection:
            exists = connection.execute(
                sa.select(event_subscriber.c.id).where(event_subscriber.c.name == name)
            ).first()
            if exists:
                raise SubscriberError(f"there is a subscriber called {name!r} already")
            connection.execute(
                sa.insert(event_subscriber).values(
                    name=name,
                    url=url,
                    event_patterns=json.dumps(list(checked)),
                    policy=None if policy is None else json.dumps(policy, sort_keys=True),
                    secret=encrypted,
                    created_at=now,
                    updated_at=now,
                )
            )
            detail = f"{url} for {', '.join(checked)}"
            write_audit(
                connection, AuditEvent(now, actor, "subscriber.added", f"subscriber:{name}", detail)
            )
        return secret

    def rotate(self, name: str, grace: timedelta, *, actor: str = "system") -> str:
        """A new signing secret for ``name``, shown this once; the old one keeps signing
        (as a second signature) for ``grace``."""
        now = utc_now()
        secret = new_signing_secret()
        with store_errors(), self._engine.begin() as connection:
            row = connection.execute(
                sa.select(event_subscriber.c.secret).where(event_subscriber.c.name == name)
            ).first()
            if row is None:
                raise SubscriberError(f"there is no subscriber called {name!r}")
            connection.execute(
                sa.update(event_subscriber)
                .where(event_subscriber.c.name == name)
                .values(
                    secret=self._fernet().encrypt(secret.encode()).decode(),
                    previous_secret=row.secret if grace > timedelta(0) else None,
                    previous_valid_until=now + grace if grace > timedelta(0) else None,
                    updated_at=now,
                )
            )
            detail = f"the old secret signs until {now + grace:%Y-%m-%d %H:%M} UTC"
            write_audit(
                connection,
                AuditEvent(now, actor, "subscriber.rotated", f"subscriber:{name}", detail),
            )
        return secret

    def remove(self, name: str, *, actor: str = "system") -> bool:
        now = utc_now()
        with store_errors(), self._engine.begin() as connection:
            removed = connection.execute(
                sa.delete(event_subscriber).where(event_subscriber.c.name == name)
            ).rowcount
            if removed:
                write_audit(
                    connection, AuditEvent(now, actor, "subscriber.removed", f"subscriber:{name}")
                )
        return bool(removed)

    def _rows(self) -> list[Any]:
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            return list(
                connection.execute(sa.select(event_subscriber).order_by(event_subscriber.c.name))
            )

    def list(self) -> list[Subscriber]:
        """Every subscriber, by name; without secrets."""
        return [_subscriber(row) for row in self._rows()]

    def find(self, name: str) -> Subscriber | None:
        """The subscriber called ``name``, without its secrets; None if there is none."""
        with store_errors(), self._engine.connect() as connection:
            row = (
                connection.execution_options(**READ_ONLY)
                .execute(sa.select(event_subscriber).where(event_subscriber.c.name == name))
                .first()
            )
        return None if row is None else _subscriber(row)

    def signing(self, now: datetime | None = None) -> list[SigningSubscriber]:
        """Every subscriber with the secrets that sign at ``now``, decrypted."""
        now = now or utc_now()
        found = []
        for row in self._rows():
            keys = [self._decrypt(row.secret)]
            if row.previous_secret and row.previous_valid_until and now < row.previous_valid_until:
                keys.append(self._decrypt(row.previous_secret))
            found.append(SigningSubscriber(_subscriber(row), tuple(keys)))
        return found


def _subscriber(row: Any) -> Subscriber:
    return Subscriber(
        name=row.name,
        url=row.url,
        event_patterns=tuple(json.loads(row.event_patterns)),
        policy=json.loads(row.policy) if row.policy else None,
        created_at=row.created_at,
        updated_at=row.updated_at,
        previous_valid_until=row.previous_valid_until,
    )
