"""Partner credentials: bearer tokens, of which the store keeps only a hash.

A token's grant (``partner_token_grant``) says what it may do: its scopes (``inbound``:
post the partner's messages; ``data-share``: read people through the data share;
``admin``: the audit trail and identity review), the message types it may post (all of
its adapter's when unset), why it may read through the data share (``purposes``: the
purpose of a read that names none, when there is one; a read naming another is refused;
unset: its partner's policy decides) and when it expires. A token issued before grants existed may
post inbound messages only. Rotation issues a new token and lets the old ones run on for
an overlap, so that a partner changes tokens without downtime; revocation ends a token at
the next request, since every request reads the store.

A token is ``gh_`` and 32 random bytes (256 bits) in URL-safe base64. With that much
entropy nobody can guess a token from its hash, so a plain SHA-256 is the right hash here: a
slow password hash would only slow every request. Issuing and revoking are audited.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from core_records.bookkeeping.audit import AuditEvent, write_audit
from core_records.bookkeeping.tables import partner_token
from core_records.identity.tables import partner_token_grant
from core_records.store.database import READ_ONLY, store_errors
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


INBOUND = "inbound"
DATA_SHARE = "data-share"
ADMIN = "admin"
SCOPES = (INBOUND, DATA_SHARE, ADMIN)
ADMIN_PREFIX = "admin:"
"""Admin tokens belong to ``admin:<name>``, a name no adapter serves: they cannot post."""


@dataclass(frozen=True)
class Grant:
    """What an authenticated token may do."""

    token_id: int
    partner: str
    scopes: frozenset[str]
    message_types: frozenset[str] | None
    """None: every message type of the partner's adapter."""
    expires_at: datetime | None
    purposes: frozenset[str] = frozenset()
    """Why it may read through the data share; empty: as its partner's policy says."""

    def may_post(self, message_type: str) -> bool:
        if INBOUND not in self.scopes:
            return False
        return self.message_types is None or message_type in self.message_types


def _purposes(stored: str | None) -> frozenset[str]:
    return frozenset(json.loads(stored)) if stored else frozenset()


def token_hash(token: str) -> str:
    """The SHA-256 of a token, as 64 hex digits: what the store keeps."""
    return hashlib.sha256(token.encode()).hexdigest()


class PartnerCredentials:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    def issue(
        self,
        partner: str,
        *,
        actor: str = "system",
        scopes: tuple[str, ...] | frozenset[str] = (INBOUND,),
        message_types: frozenset[str] | None = None,
        expires_at: datetime | None = None,
        purposes: frozenset[str] = frozenset(),
    ) -> str:
        """A new token for ``partner``. It is shown this once: only its hash is kept.
        ``purposes`` are checked against the partner's policy by the caller."""
        unknown = sorted(set(scopes) - set(SCOPES))
        if unknown or not scopes:
            raise ValueError(f"unknown scope {', '.join(unknown)}; scopes are {', '.join(SCOPES)}")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = utc_now()
        with store_errors(), self._engine.begin() as connection:
            token_id = connection.execute(
                sa.insert(partner_token)
                .values(partner=partner, token_hash=token_hash(token), created_at=now)
                .returning(partner_token.c.id)
            ).scalar_one()
            connection.execute(
                sa.insert(partner_token_grant).values(
                    token_id=token_id,
                    scopes=",".join(sorted(scopes)),
                    message_types=",".join(sorted(message_types))
                    if message_types is not None
                    else None,
                    expires_at=expires_at,
                    purposes=json.dumps(sorted(purposes)) if purposes else None,
                )
            )
            detail = f"token {token_id}, scopes {','.join(sorted(scopes))}"
            if purposes:
                detail += f", purposes {'; '.join(sorted(purposes))}"
            write_audit(
                connection,
                AuditEvent(now, actor, "partner_token.issued", f"partner:{partner}", detail),
            )
        return token

    def grant(self, token: str) -> Grant | None:
        """What ``token`` may do; None for a token unknown, revoked or expired."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        now = utc_now()
        query = (
            sa.select(
                partner_token.c.id,
                partner_token.c.partner,
                partner_token.c.last_used_at,
                partner_token_grant.c.scopes,
                partner_token_grant.c.message_types,
                partner_token_grant.c.expires_at,
                partner_token_grant.c.purposes,
            )
            .outerjoin(partner_token_grant, partner_token_grant.c.token_id == partner_token.c.id)
            .where(
                partner_token.c.token_hash == token_hash(token),
                partner_token.c.revoked_at.is_(None),
            )
        )
        with store_errors(), self._engine.connect() as connection:
            row = connection.execution_options(**READ_ONLY).execute(query).first()
        if row is None or (row.expires_at is not None and row.expires_at <= now):
            return None
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
            with store_errors(), self._engine.begin() as connection:
                connection.execute(
                    sa.update(partner_token)
                    .where(partner_token.c.id == row.id)
                    .values(last_used_at=now)
                )
        return Grant(
            token_id=row.id,
            partner=str(row.partner),
            scopes=frozenset(row.scopes.split(",")) if row.scopes else frozenset({INBOUND}),
            message_types=frozenset(row.message_types.split(",")) if row.message_types else None,
            expires_at=row.expires_at,
            purposes=_purposes(row.purposes),
        )

    def rotate(self, partner: str, *, overlap: timedelta, actor: str = "system") -> str:
        """A new token for ``partner`` with the grant of its newest active token; the active
        tokens it replaces stay valid for ``overlap`` more, then expire."""
        now = utc_now()
        with store_errors(), self._engine.connect() as connection:
            rows = connection.execute(
                sa.select(
                    partner_token.c.id,
                    partner_token_grant.c.scopes,
                    partner_token_grant.c.message_types,
                    partner_token_grant.c.expires_at,
                    partner_token_grant.c.purposes,
                )
                .outerjoin(
                    partner_token_grant, partner_token_grant.c.token_id == partner_token.c.id
                )
                .where(partner_token.c.partner == partner, partner_token.c.revoked_at.is_(None))
                .order_by(partner_token.c.id)
            ).all()
        active = [r for r in rows if r.expires_at is None or r.expires_at > now]
        if not active:
            raise LookupError(f"{partner} has no active token to rotate")
        newest = active[-1]
        token = self.issue(
            partner,
            actor=actor,
            scopes=frozenset(newest.scopes.split(",")) if newest.scopes else (INBOUND,),
            message_types=frozenset(newest.message_types.split(","))
            if newest.message_types
            else None,
            purposes=_purposes(newest.purposes),
        )
        ends = now + overlap
        with store_errors(), self._engine.begin() as connection:
            for row in active:
                if row.expires_at is not None and row.expires_at <= ends:
                    continue
                if row.scopes is None:
                    connection.execute(
                        sa.insert(partner_token_grant).values(
                            token_id=row.id, scopes=INBOUND, message_types=None, expires_at=ends
                        )
                    )
                else:
                    connection.execute(
                        sa.update(partner_token_grant)
                        .where(partner_token_grant.c.token_id == row.id)
                        .values(expires_at=ends)
                    )
            replaced = ", ".join(str(r.id) for r in active)
            write_audit(
                connection,
                AuditEvent(
                    now,
                    actor,
                    "partner_token.rotated",
                    f"partner:{partner}",
                    f"tokens {replaced} expire at {ends.isoformat()}",
                ),
            )
        return token

    def authenticate(self, token: str) -> str | None:
        """The partner a token belongs to; None for a token unknown, revoked or expired."""
        grant = self.grant(token)
        return None if grant is None else grant.partner

    def may_post(self, token: str, message_type: str) -> bool:
        """Whether ``token`` may post messages of ``message_type`` (for the inbound edge)."""
        grant = self.grant(token)
        return grant is not None and grant.may_post(message_type)

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
