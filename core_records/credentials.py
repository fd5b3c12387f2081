"""Partner credentials: bearer tokens, of which the store keeps only a hash.

A token is ``gh_`` and 32 random bytes (256 bits) in URL-safe base64. With that much
entropy nobody can guess a token from its hash, so a plain SHA-256 is the right hash here: a
slow password hash would only slow every request. Issuing and revoking are audited.
"""

from __future__ import annotations

import builtins
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from core_records.audit import AuditEvent, write_audit
from core_records.database import READ_ONLY, store_errors
from core_records.tables import partner_token
from core_records.timestamps import utc_now

TOKEN_PREFIX = "gh_"
LAST_USED_RESOLUTION = timedelta(minutes=1)
"""``last_used_at`` is written at most this often per token: a write per request would
make every authenticated call a database write."""


@dataclass(frozen=True)
class PartnerToken:
    """A token as listed: never its secret, nor its hash."""

    id: int
    partner: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def token_hash(token: str) -> str:
    """The SHA-256 of a token, as 64 hex digits: what the store keeps."""
    return hashlib.sha256(token.encode()).hexdigest()


class PartnerCredentials:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    def issue(self, partner: str, *, actor: str = "system") -> str:
        """A new token for ``partner``. It is shown this once: only its hash is kept."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = utc_now()
        with store_errors(), self._engine.begin() as connection:
            token_id = connection.execute(
                sa.insert(partner_token)
                .values(partner=partner, token_hash=token_hash(token), created_at=now)
                .returning(partner_token.c.id)
            ).scalar_one()
            write_audit(
                connection,
                AuditEvent(
                    now, actor, "partner_token.issued", f"partner:{partner}", f"token {token_id}"
                ),
            )
        return token

    def authenticate(self, token: str) -> str | None:
        """The partner a token belongs to; None for a token unknown or revoked."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        now = utc_now()
        query = sa.select(
            partner_token.c.id, partner_token.c.partner, partner_token.c.last_used_at
        ).where(
            partner_token.c.token_hash == token_hash(token), partner_token.c.revoked_at.is_(None)
        )
        with store_errors(), self._engine.connect() as connection:
            row = connection.execution_options(**READ_ONLY).execute(query).first()
        if row is None:
            return None
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
            with store_errors(), self._engine.begin() as connection:
                connection.execute(
                    sa.update(partner_token)
                    .where(partner_token.c.id == row.id)
                    .values(last_used_at=now)
                )
        return str(row.partner)

    def revoke(self, partner: str, *, actor: str = "system") -> int:
        """Revoke every active token of ``partner`` at once; the number revoked."""
        return self._revoke(partner_token.c.partner == partner, f"partner:{partner}", actor)

    def revoke_token(self, token_id: int, *, actor: str = "system") -> bool:
        """Revoke one token by its id; whether it was active."""
        return self._revoke(partner_token.c.id == token_id, f"partner_token:{token_id}", actor) == 1

    def _revoke(self, which: sa.ColumnElement[bool], subject: str, actor: str) -> int:
        now = utc_now()
        with store_errors(), self._engine.begin() as connection:
            revoked = (
                connection.execute(
                    sa.update(partner_token)
                    .where(which, partner_token.c.revoked_at.is_(None))
                    .values(revoked_at=now)
                    .returning(partner_token.c.id)
                )
                .scalars()
                .all()
            )
            if revoked:
                detail = "tokens " + ", ".join(str(token_id) for token_id in sorted(revoked))
                write_audit(
                    connection, AuditEvent(now, actor, "partner_token.revoked", subject, detail)
                )
        return len(revoked)

    def list(self, partner: str | None = None) -> builtins.list[PartnerToken]:
        """Tokens issued, oldest first, without secrets or hashes."""
        query = sa.select(
            partner_token.c.id,
            partner_token.c.partner,
            partner_token.c.created_at,
            partner_token.c.revoked_at,
            partner_token.c.last_used_at,
        ).order_by(partner_token.c.id)
        if partner is not None:
            query = query.where(partner_token.c.partner == partner)
        with store_errors(), self._engine.connect() as connection:
            rows = connection.execution_options(**READ_ONLY).execute(query).all()
        return [PartnerToken(*row) for row in rows]
