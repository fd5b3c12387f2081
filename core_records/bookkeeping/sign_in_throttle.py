"""The dashboard sign-in throttle: failed sign-ins counted per user name tried and per client
address, in the store so that every api process agrees, and the lockouts they lead to.

``max_failures`` failures as one user name within ``window`` lock that name for ``lockout``;
``max_failures_per_address`` from one address lock the address. Names that do not exist are
counted and locked like any other, so that a lockout tells nobody whether a user exists.
Every failed sign-in is audited (``sign-in.failed``: the actor is the name tried, the subject
the address), as is each lockout (``sign-in.locked``) and each lift (``sign-in.unlocked``).

A count is one row per (kind, subject), updated with ``INSERT ... ON CONFLICT DO UPDATE ...
RETURNING`` and locked in the same transaction, so that concurrent failures in several
processes are all counted and lead to one lockout. A lockout starts the count afresh; a
successful sign-in clears the name's count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from core_records.bookkeeping.audit import AuditEvent, write_audit
from core_records.bookkeeping.tables import sign_in_throttle as throttle
from core_records.store.database import READ_ONLY, store_errors
from core_records.timestamps import UtcDateTime, utc_now

USER = "user"
ADDRESS = "address"
KINDS = (USER, ADDRESS)
FAILED = "sign-in.failed"
LOCKED = "sign-in.locked"
UNLOCKED = "sign-in.unlocked"


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int = 5
    max_failures_per_address: int = 20
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)

    def limit(self, kind: str) -> int:
        return self.max_failures if kind == USER else self.max_failures_per_address


@dataclass(frozen=True)
class Lockout:
    kind: str
    """``user`` or ``address``."""
    subject: str
    until: datetime


def _name(username: str) -> str:
    return username.strip()[:100] or "(blank)"


class SignInThrottle:
    def __init__(
        self,
        engine: sa.Engine,
        policy: ThrottlePolicy | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._engine = engine
        self.policy = policy or ThrottlePolicy()
        self._clock = clock

    def locked_until(self, username: str, address: str) -> datetime | None:
        """When the lockout on this name or address ends (the later), or None if neither is
        locked."""
        query = sa.select(sa.func.max(throttle.c.locked_until)).where(
            sa.or_(_key(USER, _name(username)), _key(ADDRESS, address[:100])),
            throttle.c.locked_until > self._clock(),
        )
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            return connection.execute(query).scalar()

    def refused(self, username: str, address: str, until: datetime) -> None:
        """Audit a sign-in refused unchecked because the name or address is locked."""
        detail = f"locked until {until.isoformat()}"
        with store_errors(), self._engine.begin() as connection:
            write_audit(connection, _failure(self._clock(), username, address, detail))

    def failed(self, username: str, address: str) -> datetime | None:
        """Count and audit a wrong password; when the name or address is now locked, until
        when."""
        now = self._clock()
        subjects = {USER: _name(username), ADDRESS: address[:100]}
        until = None
        with store_errors(), self._engine.begin() as connection:
            write_audit(connection, _failure(now, username, address, "wrong user name or password"))
            for kind, subject in subjects.items():
                failures = self._count(connection, kind, subject, now)
                if failures >= self.policy.limit(kind):
                    until = now + self.policy.lockout
                    self._lock(connection, Lockout(kind, subject, until), failures, now)
            self._prune(connection, now)
        return until

    def succeeded(self, username: str) -> None:
        """The name signed in: its failures so far no longer count."""
        with store_errors(), self._engine.begin() as connection:
            connection.execute(
                sa.update(throttle)
                .where(_key(USER, _name(username)), throttle.c.failures > 0)
                .values(failures=0)
            )

    def unlock(self, kind: str, subject: str, *, actor: str) -> bool:
        """Lift a lockout now (audited); False when ``subject`` was not locked."""
        if kind not in KINDS:
            raise ValueError(f"a lockout is on a {' or an '.join(KINDS)}, not {kind!r}")
        now = self._clock()
        with store_errors(), self._engine.begin() as connection:
            lifted = connection.execute(
                sa.update(throttle)
                .where(_key(kind, subject), throttle.c.locked_until > now)
                .values(locked_until=None, failures=0, window_started_at=now)
            ).rowcount
            if lifted:
                write_audit(connection, AuditEvent(now, actor, UNLOCKED, f"{kind}:{subject}"))
        return bool(lifted)

    def lockouts(self) -> list[Lockout]:
        """Every lockout in force, the latest to end first."""
        query = (
            sa.select(throttle.c.kind, throttle.c.subject, throttle.c.locked_until)
            .where(throttle.c.locked_until > self._clock())
            .order_by(throttle.c.locked_until.desc(), throttle.c.subject)
        )
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            return [Lockout(*row) for row in connection.execute(query)]

    def _count(self, connection: sa.Connection, kind: str, subject: str, now: datetime) -> int:
        stale = throttle.c.window_started_at < sa.literal(now - self.policy.window, UtcDateTime)
        insert = _insert(connection).values(
            kind=kind, subject=subject, failures=1, window_started_at=now
        )
        return connection.execute(
            insert.on_conflict_do_update(
                index_elements=[throttle.c.kind, throttle.c.subject],
                set_={
                    "failures": sa.case((stale, 1), else_=throttle.c.failures + 1),
                    "window_started_at": sa.case(
                        (stale, sa.literal(now, UtcDateTime)), else_=throttle.c.window_started_at
                    ),
                },
            ).returning(throttle.c.failures)
        ).scalar_one()

    def _lock(
        self, connection: sa.Connection, lockout: Lockout, failures: int, now: datetime
    ) -> None:
        connection.execute(
            sa.update(throttle)
            .where(_key(lockout.kind, lockout.subject))
            .values(failures=0, window_started_at=now, locked_until=lockout.until)
        )
        detail = f"{failures} failed sign-ins; locked until {lockout.until.isoformat()}"
        subject = f"{lockout.kind}:{lockout.subject}"
        write_audit(connection, AuditEvent(now, "system", LOCKED, subject, detail))

    def _prune(self, connection: sa.Connection, now: datetime) -> None:
        # Counts that can no longer lead to a lockout, and lockouts that have ended.
        cutoff = now - self.policy.window - self.policy.lockout
        connection.execute(
            sa.delete(throttle).where(
                throttle.c.window_started_at < cutoff,
                sa.or_(throttle.c.locked_until.is_(None), throttle.c.locked_until < now),
            )
        )


def _failure(at: datetime, username: str, address: str, detail: str) -> AuditEvent:
    return AuditEvent(at, _name(username), FAILED, f"address:{address[:200]}", detail)


def _key(kind: str, subject: str) -> sa.ColumnElement[bool]:
    return sa.and_(throttle.c.kind == kind, throttle.c.subject == subject)


def _insert(connection: sa.Connection) -> postgresql.Insert | sqlite.Insert:
    if connection.dialect.name == "postgresql":
        return postgresql.insert(throttle)
    return sqlite.insert(throttle)
