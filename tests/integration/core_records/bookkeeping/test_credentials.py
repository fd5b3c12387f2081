"""Partner credentials: tokens shown once, stored as hashes, revocable at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from core_records.bookkeeping.audit import audit_trail
from core_records.bookkeeping.credentials import PartnerCredentials, token_hash
from core_records.tables import partner_token


@pytest.fixture
def credentials(engine: sa.Engine) -> PartnerCredentials:
    return PartnerCredentials(engine)


def test_an_issued_token_authenticates_its_partner(credentials: PartnerCredentials) -> None:
    token = credentials.issue("g4s")
    assert token.startswith("gh_") and len(token) > 40
    assert credentials.authenticate(token) == "g4s"
    assert credentials.authenticate(token + "x") is None
    assert credentials.authenticate("gh_" + "A" * 43) is None
    assert credentials.authenticate("") is None


def test_the_plaintext_token_is_never_stored(
    credentials: PartnerCredentials, engine: sa.Engine
) -> None:
    token = credentials.issue("g4s")
    with engine.connect() as connection:
        rows = connection.execute(sa.select(partner_token)).mappings().all()
    stored = " ".join(str(value) for row in rows for value in row.values())
    assert token not in stored and token[3:] not in stored
    assert rows[0]["token_hash"] == token_hash(token)


def test_two_tokens_are_never_the_same(credentials: PartnerCredentials) -> None:
    assert len({credentials.issue("g4s") for _ in range(20)}) == 20


def test_a_revoked_partner_authenticates_no_more(
    credentials: PartnerCredentials, engine: sa.Engine
) -> None:
    first, second, other = (
        credentials.issue("g4s"),
        credentials.issue("g4s"),
        credentials.issue("serco"),
    )
    assert credentials.revoke("g4s", actor="operator.jane") == 2
    assert credentials.authenticate(first) is None and credentials.authenticate(second) is None
    assert credentials.authenticate(other) == "serco"
    with engine.connect() as connection:
        actions = [e.action for e in audit_trail(connection, "partner:g4s")]
    assert actions == ["partner_token.issued", "partner_token.issued", "partner_token.revoked"]


def test_one_token_can_be_revoked_by_its_id(credentials: PartnerCredentials) -> None:
    kept, revoked = credentials.issue("g4s"), credentials.issue("g4s")
    listed = credentials.list("g4s")
    assert credentials.revoke_token(listed[1].id)
    assert not credentials.revoke_token(listed[1].id)
    assert credentials.authenticate(kept) == "g4s"
    assert credentials.authenticate(revoked) is None
    assert [t.active for t in credentials.list("g4s")] == [True, False]


def test_tokens_are_listed_without_secrets(credentials: PartnerCredentials) -> None:
    credentials.issue("g4s")
    credentials.issue("serco")
    assert [t.partner for t in credentials.list()] == ["g4s", "serco"]
    assert [t.partner for t in credentials.list("serco")] == ["serco"]
    assert not hasattr(credentials.list()[0], "token_hash")


def test_last_use_is_recorded_at_most_once_a_minute(
    credentials: PartnerCredentials, engine: sa.Engine
) -> None:
    token = credentials.issue("g4s")
    credentials.authenticate(token)
    [first_use] = [t.last_used_at for t in credentials.list()]
    assert first_use is not None
    credentials.authenticate(token)
    assert [t.last_used_at for t in credentials.list()] == [first_use]

    with engine.begin() as connection:
        connection.execute(
            sa.update(partner_token).values(last_used_at=first_use - timedelta(minutes=2))
        )
    credentials.authenticate(token)
    [later_use] = [t.last_used_at for t in credentials.list()]
    assert later_use is not None and later_use > first_use - timedelta(minutes=2)
