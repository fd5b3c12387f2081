"""Dashboard sign-in over HTTP: failures are audited and lock the user name (whether or not
it exists, in the same words), ``gatehouse users unlock`` and an admin's button lift it."""

from __future__ import annotations

import re

import httpx
import sqlalchemy as sa

from core_records.bookkeeping.audit import AuditEvent, audit_trail
from core_records.bookkeeping.tables import audit_event
from gatehouse.bootstrap import Hub
from tests.e2e.dashboard_support import PASSWORD, create_user, csrf_of, signed_in_client
from tests.e2e.test_cli import run

WRONG = "not the password at all"


def _sign_in(client: httpx.Client, username: str, password: str) -> httpx.Response:
    page = client.get("/dashboard/sign-in")
    return client.post(
        "/dashboard/sign-in",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
    )


def _actions(hub: Hub, actor: str) -> list[AuditEvent]:
    query = (
        sa.select(audit_event.c.at, audit_event.c.actor, audit_event.c.action,
                  audit_event.c.subject, audit_event.c.detail)
        .where(audit_event.c.actor == actor)
        .order_by(audit_event.c.id)
    )  # fmt: skip
    with hub.engine.connect() as connection:
        return [AuditEvent(*row) for row in connection.execute(query)]


def test_six_wrong_passwords_lock_the_user_until_users_unlock_lifts_it(hub: Hub, api: str) -> None:
    create_user(hub, "sam", "viewer")
    with httpx.Client(base_url=api) as client:
        answers = [_sign_in(client, "sam", WRONG) for _ in range(6)]
        assert [a.status_code for a in answers] == [401, 401, 401, 401, 429, 429]
        assert "do not match" in answers[0].text
        assert "locked until" in answers[4].text
        assert int(answers[4].headers["retry-after"]) > 0

        refused = _sign_in(client, "sam", PASSWORD)
        assert refused.status_code == 429
        assert "locked until" in refused.text
        assert "gatehouse_session" not in refused.cookies

        failures = [e for e in _actions(hub, "sam") if e.action == "sign-in.failed"]
        assert len(failures) == 7
        assert {e.subject for e in failures} == {"address:127.0.0.1"}
        with hub.engine.connect() as connection:
            [*_, locked] = audit_trail(connection, "user:sam")
        assert (locked.action, locked.actor) == ("sign-in.locked", "system")

        code, output = run(hub, "users", "lockouts")
        assert code == 0 and "user\tsam\tuntil" in output, output
        code, output = run(hub, "users", "unlock", "sam")
        assert code == 0, output
        code, output = run(hub, "users", "unlock", "sam")
        assert code == 1 and "not locked out" in output  # nothing to do: exit 1

        signed_in = _sign_in(client, "sam", PASSWORD)
        assert signed_in.status_code == 303, signed_in.text
    with hub.engine.connect() as connection:
        actions = [e.action for e in audit_trail(connection, "user:sam")]
    assert actions[-2:] == ["sign-in.locked", "sign-in.unlocked"]


def test_a_user_name_that_does_not_exist_locks_in_the_same_words(hub: Hub, api: str) -> None:
    create_user(hub, "sam", "viewer")
    with httpx.Client(base_url=api) as client:
        real = [_sign_in(client, "sam", WRONG) for _ in range(5)][-1]
        made_up = [_sign_in(client, "nobody-here", WRONG) for _ in range(5)][-1]
    assert real.status_code == made_up.status_code == 429
    assert _error(real.text) == _error(made_up.text)
    assert len(_actions(hub, "nobody-here")) == 5


def test_an_admin_lifts_a_lockout_from_the_users_page(hub: Hub, api: str) -> None:
    create_user(hub, "ana", "admin")
    create_user(hub, "sam", "viewer")
    with httpx.Client(base_url=api) as stranger:
        for _ in range(5):
            _sign_in(stranger, "sam", WRONG)
    admin = signed_in_client(api, "ana")
    try:
        page = admin.get("/dashboard/users")
        assert 'data-lockout="user:sam"' in page.text
        lifted = admin.post(
            "/dashboard/users/unlock",
            data={"kind": "user", "subject": "sam", "csrf_token": csrf_of(page.text)},
        )
        assert lifted.status_code == 303
        assert 'data-lockout="user:sam"' not in admin.get("/dashboard/users").text
    finally:
        admin.close()
    signed_in_client(api, "sam").close()
    with hub.engine.connect() as connection:
        [*_, unlocked] = audit_trail(connection, "user:sam")
    assert (unlocked.action, unlocked.actor) == ("sign-in.unlocked", "ana")


def _error(html: str) -> str:
    """The page's error, its times blanked (two lockouts may end in different minutes)."""
    start = html.index('class="error"')
    return re.sub(r"\d", "#", html[start : html.index("</p>", start)])
