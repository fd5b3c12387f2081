"""Dashboard users and their sessions.

Passwords are kept as argon2id hashes. A session is a random cookie value of which the
store keeps only the SHA-256, with a CSRF token and an expiry; it ends at sign-out or when
it expires, whichever comes first. Failed sign-ins are counted, audited and lead to
lockouts in ``throttle`` (``core_records.bookkeeping.sign_in_throttle``).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core_records.bookkeeping.audit import AuditEvent, write_audit
from core_records.bookkeeping.monitoring_tables import dashboard_session, dashboard_user
from core_records.bookkeeping.sign_in_throttle import SignInThrottle, ThrottlePolicy
from core_records.store.database import READ_ONLY, store_errors
from core_records.timestamps import utc_now

ROLES = ("viewer", "operator", "admin")
"""Each role may do everything the ones before it may."""
MIN_PASSWORD_LENGTH = 12


class UserError(ValueError):
    """A user cannot be created as asked; the message says why."""


@dataclass(frozen=True)
class SignedIn:
    username: str
    role: str
    csrf_token: str
    expires_at: datetime
    may_view_content: bool = False
    """Granted apart from the role (admins too need it): may read kept partner documents."""

    def may(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


class DashboardUsers:
    def __init__(
        self,
        engine: sa.Engine,
        *,
        session_lifetime: timedelta,
        throttle: ThrottlePolicy | None = None,
    ) -> None:
        self._engine = engine
        self.throttle = SignInThrottle(engine, throttle)
        self._hasher = PasswordHasher()
        self._lifetime = session_lifetime
        # Verifying against a real hash when the user does not exist takes as long as a
        # wrong password, so timing does not tell which user names exist.
        self._decoy = self._hasher.hash(secrets.token_hex(16))

    def create(self, username: str, password: str, role: str, *, actor: str) -> None:
        username = username.strip()
        if role not in ROLES:
            raise UserError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        if not username or len(username) > 100:
            raise UserError("a user name is 1 to 100 characters")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise UserError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
        now = utc_now()
        try:
            with store_errors(), self._engine.begin() as connection:
                connection.execute(
                    sa.insert(dashboard_user).values(
                        username=username,
                        password_hash=self._hasher.hash(password),
                        role=role,
                        created_at=now,
                    )
                )
                write_audit(
                    connection,
                    AuditEvent(now, actor, "dashboard_user.created", f"user:{username}", role),
                )
        except sa.exc.IntegrityError as error:
            raise UserError(f"there is a user {username!r} already") from error

    def list(self) -> list[dict[str, Any]]:
        """Every user with their role, when created and when disabled (if they were)."""
        query = sa.select(
            dashboard_user.c.username,
            dashboard_user.c.role,
            dashboard_user.c.created_at,
            dashboard_user.c.disabled_at,
            dashboard_user.c.may_view_content,
        ).order_by(dashboard_user.c.username)
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            return [dict(row) for row in connection.execute(query).mappings()]

    def disable(self, username: str, *, actor: str) -> None:
        """Stop the user signing in; their sessions end at once."""
        if username == actor:
            raise UserError("you cannot disable yourself")
        now = utc_now()
        with store_errors(), self._engine.begin() as connection:
            changed = connection.execute(
                sa.update(dashboard_user)
                .where(
                    dashboard_user.c.username == username, dashboard_user.c.disabled_at.is_(None)
                )
                .values(disabled_at=now)
            ).rowcount
            if not changed:
                raise UserError(f"there is no active user {username!r}")
            connection.execute(
                sa.delete(dashboard_session).where(dashboard_session.c.username == username)
            )
            write_audit(
                connection, AuditEvent(now, actor, "dashboard_user.disabled", f"user:{username}")
            )

    def grant_content(self, username: str, granted: bool, *, actor: str) -> None:
        """Let the user read kept partner documents, or stop them (audited); their role
        is left as it is, and grants nothing of this on its own."""
        now = utc_now()
        with store_errors(), self._engine.begin() as connection:
            changed = connection.execute(
                sa.update(dashboard_user)
                .where(dashboard_user.c.username == username)
                .values(may_view_content=granted)
            ).rowcount
            if not changed:
                raise UserError(f"there is no user {username!r}")
            action = "content_view.granted" if granted else "content_view.revoked"
            write_audit(connection, AuditEvent(now, actor, action, f"user:{username}"))

    def sign_in(self, username: str, password: str) -> tuple[str, SignedIn] | None:
        """A new session's cookie value and what it grants, or None if the password is wrong."""
        with store_errors(), self._engine.connect() as connection:
            row = connection.execute(
                sa.select(
                    dashboard_user.c.password_hash,
                    dashboard_user.c.role,
                    dashboard_user.c.may_view_content,
                ).where(
                    dashboard_user.c.username == username.strip(),
                    dashboard_user.c.disabled_at.is_(None),
                )
            ).first()
        try:
            self._hasher.verify(row.password_hash if row else self._decoy, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        token = secrets.token_urlsafe(32)
        now = utc_now()
        session = SignedIn(
            username.strip(),
            row.role,
            secrets.token_urlsafe(32),
            now + self._lifetime,
            row.may_view_content,
        )
        with store_errors(), self._engine.begin() as connection:
            connection.execute(
                sa.delete(dashboard_session).where(dashboard_session.c.expires_at < now)
            )
            connection.execute(
                sa.insert(dashboard_session).values(
                    token_hash=_digest(token),
                    username=session.username,
                    csrf_token=session.csrf_token,
                    created_at=now,
                    expires_at=session.expires_at,
                )
            )
        return token, session

    def session(self, token: str) -> SignedIn | None:
        """What an unexpired session grants; None for an unknown or expired one."""
        query = (
            sa.select(
                dashboard_session.c.username,
                dashboard_user.c.role,
                dashboard_session.c.csrf_token,
                dashboard_session.c.expires_at,
                dashboard_user.c.may_view_content,
            )
            .join(dashboard_user, dashboard_user.c.username == dashboard_session.c.username)
            .where(
                dashboard_session.c.token_hash == _digest(token),
                dashboard_session.c.expires_at > utc_now(),
                dashboard_user.c.disabled_at.is_(None),
            )
        )
        with store_errors(), self._engine.connect() as connection:
            connection = connection.execution_options(**READ_ONLY)
            row = connection.execute(query).first()
        return SignedIn(*row) if row else None

    def sign_out(self, token: str) -> None:
        with store_errors(), self._engine.begin() as connection:
            connection.execute(
                sa.delete(dashboard_session).where(dashboard_session.c.token_hash == _digest(token))
            )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
