"""``gatehouse identity`` and ``gatehouse credentials`` as an operator uses them, on
PostgreSQL: the deduplication job finds a duplicate, which is merged and unmerged."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from core_records.identity.resolution import Decided
from core_records.identity.tables import partner_token_grant
from core_records.store.database import create_engine
from core_records.store.record_store import RecordStore
from gatehouse.cli import app
from tests.integration.core_records.examples import (
    crn,
    message,
    particulars,
    pnc,
    reception,
    release,
)


def _run(postgres_url: str, tmp_path: Path, *arguments: str) -> str:
    env = {"GATEHOUSE_DATABASE_URL": postgres_url, "GATEHOUSE_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(app, list(arguments), env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_dedupe_finds_a_duplicate_for_review_and_it_can_be_merged_and_unmerged(
    postgres_url: str, tmp_path: Path
) -> None:
    engine = create_engine(postgres_url)
    store = RecordStore(engine)
    born = date(1990, 6, 14)
    first = particulars(pnc(1), surname="PRITCHARD", forenames="GARETH", born=born)
    [one] = store.apply([message(reception(first))])
    store.apply([message(release(pnc(1)))])
    # Someone once decided the same man, his birth date mistyped, was new: a duplicate.
    second = particulars(crn(2), surname="PRITCHARD", forenames="GARETH", born=date(1990, 4, 16))
    duplicate = message(reception(second, "MDI"))
    [two] = store.apply([duplicate], decided={duplicate.message_id: Decided(None, "x")})
    # A stranger sharing the date of birth is not a candidate.
    store.apply(
        [
            message(
                reception(
                    particulars(pnc(3), surname="OKAFOR", forenames="CHIDI", born=born), "BXI"
                )
            )
        ]
    )
    engine.dispose()
    assert one.person_key and two.person_key and one.person_key != two.person_key

    output = _run(postgres_url, tmp_path, "identity", "dedupe")
    assert "1 merge candidates (1 new)" in output
    [line] = _run(postgres_url, tmp_path, "identity", "candidates").splitlines()
    candidate = json.loads(line)
    assert json.loads(_run(postgres_url, tmp_path, "identity", "candidates", "--json")) == [
        candidate
    ]
    assert {candidate["first"], candidate["second"]} == {one.person_key, two.person_key}
    assert "1 new" not in _run(postgres_url, tmp_path, "identity", "dedupe")

    _run(
        postgres_url,
        tmp_path,
        "identity",
        "merge",
        one.person_key,
        two.person_key,
        "--reason",
        "dedupe",
    )
    [merged] = [
        json.loads(x) for x in _run(postgres_url, tmp_path, "identity", "merges").splitlines()
    ]
    assert (merged["survivor"], merged["absorbed"]) == (one.person_key, two.person_key)
    assert json.loads(_run(postgres_url, tmp_path, "identity", "merges", "--json")) == [merged]
    _run(postgres_url, tmp_path, "identity", "unmerge", str(merged["id"]))
    [undone] = [
        json.loads(x) for x in _run(postgres_url, tmp_path, "identity", "merges").splitlines()
    ]
    assert undone["unmergedAt"] is not None


def test_credentials_are_issued_scoped_and_rotated_from_the_command_line(
    postgres_url: str, tmp_path: Path
) -> None:
    token = _run(
        postgres_url,
        tmp_path,
        "credentials",
        "issue",
        "--partner",
        "delius",
        "--scope",
        "data-share",
        "--expires-in-days",
        "30",
    ).strip()
    admin = _run(postgres_url, tmp_path, "credentials", "admin", "--name", "alice").strip()
    successor = _run(
        postgres_url,
        tmp_path,
        "credentials",
        "rotate",
        "--partner",
        "delius",
        "--overlap-hours",
        "2",
    ).splitlines()[0]
    assert len({token, admin, successor}) == 3
    engine = create_engine(postgres_url)
    with engine.connect() as connection:
        grants = connection.execute(
            sa.select(partner_token_grant.c.scopes, partner_token_grant.c.expires_at).order_by(
                partner_token_grant.c.token_id
            )
        ).all()
    engine.dispose()
    assert [g.scopes for g in grants] == ["data-share", "admin", "data-share"]
    assert grants[0].expires_at is not None and grants[2].expires_at is None
