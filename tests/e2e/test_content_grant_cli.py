"""``gatehouse users grant-content`` and ``revoke-content``: the grant to read kept partner
documents, given and taken apart from the role, each audited; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from typer.testing import CliRunner

from core_records.bookkeeping.audit import audit_trail
from core_records.store.database import create_engine
from gatehouse.cli import app
from gatehouse.cli.common import actor
from monitoring.dashboard.users import DashboardUsers

PASSWORD = "correct horse battery staple"


def test_the_grant_is_given_and_taken_apart_from_the_role_and_audited(
    database_url: str, tmp_path: Path
) -> None:
    env = {
        "GATEHOUSE_DATABASE_URL": database_url,
        "GATEHOUSE_BROKER_URL": "",
        "GATEHOUSE_DATA_DIR": str(tmp_path),
    }
    engine = create_engine(database_url)
    users = DashboardUsers(engine, session_lifetime=timedelta(hours=1))
    users.create("ada", PASSWORD, "admin", actor="test")
    try:
        signed_in = users.sign_in("ada", PASSWORD)
        assert signed_in is not None and not signed_in[1].may_view_content  # admin, no grant

        granted = CliRunner().invoke(app, ["users", "grant-content", "ada"], env=env)
        assert granted.exit_code == 0, granted.output
        token, _ = users.sign_in("ada", PASSWORD) or ("", None)
        session = users.session(token)
        assert session is not None and session.may_view_content and session.role == "admin"

        revoked = CliRunner().invoke(app, ["users", "revoke-content", "ada"], env=env)
        assert revoked.exit_code == 0, revoked.output
        session = users.session(token)
        assert session is not None and not session.may_view_content  # at its next request

        unknown = CliRunner().invoke(app, ["users", "grant-content", "nobody"], env=env)
        assert unknown.exit_code == 1 and "no user 'nobody'" in unknown.output

        with engine.connect() as connection:
            trail = [(e.action, e.actor) for e in audit_trail(connection, "user:ada")]
        assert trail == [
            ("dashboard_user.created", "test"),
            ("content_view.granted", actor()),
            ("content_view.revoked", actor()),
        ]
    finally:
        engine.dispose()
