"""``gatehouse identity ...`` and ``gatehouse credentials ...``: possible-match cases,
merges, the deduplication job, and scoped, rotating partner tokens."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated

import typer

from core_records.bookkeeping.credentials import ADMIN, ADMIN_PREFIX, INBOUND, SCOPES
from core_records.identity.cases import LINKED, NEW_PERSON, OPEN
from core_records.timestamps import utc_now
from gatehouse.cli.common import JsonOption, actor, echo_json, fail, one_of, open_hub, progress
from gatehouse.partner_policies import grantable_purposes, partner_policy

identity_app = typer.Typer(
    help="Identity: possible matches, merges, deduplication.", no_args_is_help=True
)
credentials_app = typer.Typer(
    help="Scoped partner and admin tokens, rotation.", no_args_is_help=True
)
CASE_STATUSES = (OPEN, LINKED, NEW_PERSON, "all")


def echo_lines(rows: list[dict[str, object]], as_json: bool) -> None:
    """``rows`` one JSON object a line, or with ``--json`` as one JSON array."""
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        typer.echo(json.dumps(row, default=str))


@identity_app.command("dedupe")
def dedupe() -> None:
    """Score every pair of records sharing a blocking key; record likely duplicates as merge
    candidates for review (never merged automatically)."""
    from core_records.identity.dedupe import find_merge_candidates

    with open_hub() as hub, progress("scoring pairs of records"):
        report = find_merge_candidates(hub.engine, hub.store.match_rules)
    typer.echo(
        f"{report.blocks} blocks, {report.pairs_scored} pairs scored, "
        f"{report.candidates_found} merge candidates ({report.candidates_new} new)"
    )


@identity_app.command("candidates")
def candidates(as_json: JsonOption = False) -> None:
    """Merge candidates found by ``dedupe``, best first, one JSON object a line."""
    from core_records.identity.dedupe import merge_candidates

    with open_hub() as hub, hub.engine.connect() as connection:
        found = merge_candidates(connection)
    echo_lines(found, as_json)


@identity_app.command("cases")
def cases(
    status: Annotated[str, typer.Option(help="open, linked, new or all")] = OPEN,
    as_json: JsonOption = False,
) -> None:
    """Possible-match cases, one JSON object a line."""
    from core_records.identity.review import IdentityReview

    one_of("--status", status, CASE_STATUSES)
    with open_hub() as hub:
        found = IdentityReview(hub.store).cases(None if status == "all" else status, 1000)
    echo_lines([case.as_dict() for case in found], as_json)


@identity_app.command("case")
def case(case_id: int, as_json: JsonOption = False) -> None:
    """One possible-match case: the reception held and the candidates it resembles, as JSON
    with or without ``--json``."""
    from core_records.identity.review import IdentityReview

    with open_hub() as hub:
        found = IdentityReview(hub.store).case(case_id)
    if found is None:
        raise fail(f"no identity case {case_id}")
    echo_json(found.as_dict())


@identity_app.command("link")
def link(case_id: int, prison_number: str) -> None:
    """Decide a case: the held reception is this person's."""
    from core_records.identity.review import IdentityReview

    with open_hub() as hub:
        outcome = IdentityReview(hub.store).link(case_id, prison_number.upper(), actor=actor())
    typer.echo(f"case {case_id}: {outcome.status} as {outcome.person_key}")


@identity_app.command("new")
def new(case_id: int) -> None:
    """Decide a case: the held reception is someone new."""
    from core_records.identity.review import IdentityReview

    with open_hub() as hub:
        outcome = IdentityReview(hub.store).new_person(case_id, actor=actor())
    typer.echo(f"case {case_id}: {outcome.status} as {outcome.person_key}")


@identity_app.command("merge")
def merge(
    survivor: str,
    absorbed: str,
    reason: Annotated[str, typer.Option(help="Why: recorded with the merge.")],
) -> None:
    """Merge the record of ABSORBED into SURVIVOR (prison numbers)."""
    from core_records.identity.merges import Merges

    with open_hub() as hub:
        done = Merges(hub.engine).merge(
            survivor.upper(), absorbed.upper(), actor=actor(), reason=reason
        )
    typer.echo(f"merge {done.id}: {done.absorbed} into {done.survivor}")


@identity_app.command("unmerge")
def unmerge(merge_id: int) -> None:
    """Undo a merge: both records as they were."""
    from core_records.identity.merges import Merges

    with open_hub() as hub:
        done = Merges(hub.engine).unmerge(merge_id, actor=actor())
    typer.echo(f"merge {done.id} undone: {done.survivor} and {done.absorbed}")


@identity_app.command("merges")
def merges(as_json: JsonOption = False) -> None:
    """Merge history, newest first, one JSON object a line."""
    from core_records.identity.merges import Merges

    with open_hub() as hub:
        history = Merges(hub.engine).history(1000)
    echo_lines([done.as_dict() for done in history], as_json)


@credentials_app.command("issue")
def issue(
    partner: Annotated[str, typer.Option(help="The partner the token is for.")],
    scope: Annotated[
        list[str] | None, typer.Option(help=f"Repeatable: {', '.join(SCOPES)}.")
    ] = None,
    message_type: Annotated[
        list[str] | None, typer.Option(help="Repeatable; all of the adapter's by default.")
    ] = None,
    expires_in_days: Annotated[float | None, typer.Option(min=0)] = None,
    purpose: Annotated[
        list[str] | None,
        typer.Option(help="Repeatable: a data-share purpose the partner's policy names."),
    ] = None,
) -> None:
    """Issue a scoped token. It is printed once; only its hash is stored."""
    with open_hub() as hub:
        policy = partner_policy(hub, partner)
        token = hub.credentials.issue(
            partner,
            actor=actor(),
            scopes=tuple(scope or (INBOUND,)),
            message_types=frozenset(message_type) if message_type else None,
            expires_at=utc_now() + timedelta(days=expires_in_days)
            if expires_in_days is not None
            else None,
            purposes=grantable_purposes(partner, policy, purpose or []),
        )
    typer.echo(token)


@credentials_app.command("admin")
def admin(name: Annotated[str, typer.Option(help="The admin's user name.")]) -> None:
    """Issue an admin token (audit trail, identity review). Printed once."""
    with open_hub() as hub:
        token = hub.credentials.issue(f"{ADMIN_PREFIX}{name}", actor=actor(), scopes=(ADMIN,))
    typer.echo(token)


@credentials_app.command("rotate")
def rotate(
    partner: Annotated[str, typer.Option(help="The partner whose token to rotate.")],
    overlap_hours: Annotated[float, typer.Option(min=0)] = 24.0,
) -> None:
    """Issue a successor token; the old ones stay valid for the overlap, then expire."""
    with open_hub() as hub:
        token = hub.credentials.rotate(
            partner, overlap=timedelta(hours=overlap_hours), actor=actor()
        )
    typer.echo(token)
    typer.secho(f"old tokens of {partner} expire in {overlap_hours:g} h", err=True)
