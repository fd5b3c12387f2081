"""Migrating one prison: every row of its legacy extract loaded, refused or held, with why.

``migrate`` reads the extract, refuses the rows that cannot be loaded (a malformed line, a
failed check letter, an unknown code, a sentence ending before it starts, another prison's
row) and sends the rest through the record store as live traffic goes: the same commands,
the same identity matching, the same inbox, outbox and journal. Each row is one message,
applied whole or not at all; rows are committed in batches, and each batch records what
became of its rows (``migration_row``) in the same transaction. A run killed at any point
leaves every row loaded or not; the next run skips what was loaded (by the row's key) and
loads the rest. A dry run applies everything in one transaction and rolls it back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from core_records.commands import InboundMessage
from core_records.errors import ConcurrentUpdate, StoreUnavailable
from core_records.estate.migration import extract as ex
from core_records.estate.migration.loading import message_id, row_message
from core_records.estate.migration.tables import migration_row, migration_run
from core_records.identity.numbers import allocate_book_numbers
from core_records.identity.tables import identity_case, identity_decision
from core_records.partner_records.commands import SENTENCE_DATE_CODES
from core_records.store.record_store import ApplyOutcome, RecordStore
from core_records.timestamps import utc_now

LOADED = "loaded"
REFUSED = "refused"
HELD = "held"

# How a loaded row came to the record.
NEW_PERSON = "new-person"
MATCHED = "matched"
LOADED_BEFORE = "loaded-before"

_ATTEMPTS = 5


@dataclass
class RowOutcome:
    """What became of one extract line."""

    line_number: int
    lids_number: str
    outcome: str
    """loaded, refused or held."""
    kind: str
    """How: new-person, matched, loaded-before; or why: a finding's kind."""
    reason: str = ""
    findings: tuple[ex.Finding, ...] = ()
    prison_number: str | None = None
    matched_to: str | None = None
    """The person on record the row was matched (or may match, when held) to."""
    score: float | None = None
    row_hash: str = ""
    notes: tuple[ex.Finding, ...] = ()
    """What the report should say of a row whatever its outcome (a previous number left out
    of the record), beside its findings."""


@dataclass
class Migration:
    """One run over one prison's extract: every line's outcome, in extract order."""

    establishment: str
    extract_name: str
    dry_run: bool
    started_at: datetime
    outcomes: list[RowOutcome] = field(default_factory=list)
    run_id: int | None = None

    def count(self, outcome: str, kind: str | None = None) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome and kind in (None, o.kind))

    @property
    def rows_read(self) -> int:
        return len(self.outcomes)


def migrate(
    store: RecordStore,
    establishment: str,
    text: str,
    *,
    extract_name: str,
    dry_run: bool = False,
    batch_size: int = 100,
    advance: Callable[[int], None] = lambda steps: None,
) -> Migration:
    """Load ``text`` (a legacy extract) into ``establishment``; every row's outcome.

    Raises ``ValueError`` for an extract without the expected header, and
    ``UnknownReferenceCode`` for an establishment that is not a prison."""
    store.reference_data.require_prison(establishment)
    lines = list(ex.read_extract(text))
    run = Migration(establishment, extract_name, dry_run, utc_now())
    run.run_id = None if dry_run else _start_run(store.engine, run)
    loaded = _rows_loaded_before(store.engine, establishment)
    pending: list[tuple[ex.ExtractLine, RowOutcome]] = []
    for line in lines:
        outcome = _screen(store, establishment, line, loaded)
        run.outcomes.append(outcome)
        if outcome.outcome == "":
            pending.append((line, outcome))
        else:
            advance(1)
    size = len(pending) if dry_run else max(1, batch_size)
    for start in range(0, len(pending), max(size, 1)):
        batch = pending[start : start + size]
        _load_batch(store, run, batch)
        advance(len(batch))
    return run


def finish(store: RecordStore, run: Migration, report_html: str, report_csv: str) -> None:
    """Keep the run's totals and report (a dry run's too, under a run of its own)."""
    with store.engine.begin() as connection:
        if run.run_id is None:
            run.run_id = connection.execute(
                sa.insert(migration_run).values(**_run_values(run)).returning(migration_run.c.id)
            ).scalar_one()
        connection.execute(
            sa.update(migration_run)
            .where(migration_run.c.id == run.run_id)
            .values(
                finished_at=utc_now(),
                rows_read=run.rows_read,
                loaded=run.count(LOADED),
                refused=run.count(REFUSED),
                held=run.count(HELD),
                report_html=report_html,
                report_csv=report_csv,
            )
        )


def latest_report(engine: sa.Engine, establishment: str) -> tuple[str, str] | None:
    """The HTML and CSV of the latest finished run for ``establishment``, if any."""
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(migration_run.c.report_html, migration_run.c.report_csv)
            .where(
                migration_run.c.establishment == establishment,
                migration_run.c.finished_at.is_not(None),
            )
            .order_by(migration_run.c.id.desc())
            .limit(1)
        ).first()
    return None if row is None else (row.report_html, row.report_csv)


def _run_values(run: Migration) -> dict[str, object]:
    return {
        "establishment": run.establishment,
        "extract_name": run.extract_name[-255:],
        "dry_run": run.dry_run,
        "started_at": run.started_at,
        "rows_read": 0,
        "loaded": 0,
        "refused": 0,
        "held": 0,
    }


def _start_run(engine: sa.Engine, run: Migration) -> int:
    with engine.begin() as connection:
        return int(
            connection.execute(
                sa.insert(migration_run).values(**_run_values(run)).returning(migration_run.c.id)
            ).scalar_one()
        )


def _rows_loaded_before(engine: sa.Engine, establishment: str) -> dict[str, set[str]]:
    """The row hashes loaded into ``establishment`` by earlier runs, by LIDS number."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(migration_row.c.lids_number, migration_row.c.row_hash).where(
                migration_row.c.establishment == establishment,
                migration_row.c.outcome == LOADED,
            )
        )
        loaded: dict[str, set[str]] = {}
        for row in rows:
            loaded.setdefault(row.lids_number, set()).add(row.row_hash)
    return loaded


def _screen(
    store: RecordStore, establishment: str, line: ex.ExtractLine, loaded: dict[str, set[str]]
) -> RowOutcome:
    """The line's outcome if it never reaches the store; outcome "" if it is to be loaded."""
    base = RowOutcome(line.line_number, line.lids_number, "", "", row_hash=line.row_hash)
    if line.row is None:
        assert line.malformed is not None
        return _refused(base, (line.malformed,))
    base.notes = ex.unscoped_notes(line.row)
    reference = store.reference_data
    findings = ex.check_row(
        line.row,
        establishment,
        alert_codes=frozenset(reference.alert_codes),
        incentive_levels=frozenset(reference.incentive_levels),
        key_date_codes=SENTENCE_DATE_CODES,
    )
    if findings:
        return _refused(base, tuple(findings))
    earlier = loaded.get(line.lids_number, set())
    if line.row_hash in earlier:
        base.outcome, base.kind, base.reason = LOADED, LOADED_BEFORE, "loaded by an earlier run"
        return base
    if earlier:
        already = ex.Finding(
            ex.ALREADY_LOADED,
            line.lids_number,
            f"{line.lids_number} was loaded by an earlier run from other values: "
            "changes since come through the prison's feed, not the migration",
        )
        return _refused(base, (already,))
    return base


def _refused(base: RowOutcome, findings: tuple[ex.Finding, ...]) -> RowOutcome:
    base.outcome, base.kind, base.reason = REFUSED, findings[0].kind, findings[0].reason
    base.findings = findings
    return base


def _load_batch(
    store: RecordStore, run: Migration, batch: Sequence[tuple[ex.ExtractLine, RowOutcome]]
) -> None:
    for attempt in range(_ATTEMPTS):
        try:
            messages = _messages(store, run, batch)
            store.apply(
                messages,
                then=lambda connection, outcomes: _settle(connection, run, batch, outcomes),
                rollback=run.dry_run,
            )
            return
        except (ConcurrentUpdate, StoreUnavailable):
            # Nothing of the batch was kept: the same rows again, with fresh book numbers.
            if attempt == _ATTEMPTS - 1:
                raise


def _messages(
    store: RecordStore, run: Migration, batch: Sequence[tuple[ex.ExtractLine, RowOutcome]]
) -> list[InboundMessage]:
    if run.dry_run:
        # Numbers the hub never issues (it issues six digits and a letter): nothing taken.
        numbers = [f"{n}D" for n in range(1, len(batch) + 1)]
    else:
        with store.engine.begin() as connection:
            numbers = allocate_book_numbers(connection, len(batch))
    now = utc_now()
    return [
        row_message(line.row, line.row_hash, number, now)  # type: ignore[arg-type]
        for (line, _), number in zip(batch, numbers, strict=True)
    ]


def _settle(
    connection: sa.Connection,
    run: Migration,
    batch: Sequence[tuple[ex.ExtractLine, RowOutcome]],
    outcomes: list[ApplyOutcome],
) -> None:
    """In the batch's transaction: what became of each row, read and recorded."""
    ids = [o.message_id for o in outcomes]
    decisions = {
        row.message_id: row
        for row in connection.execute(
            sa.select(identity_decision).where(identity_decision.c.message_id.in_(ids))
        )
    }
    cases = {
        row.message_id: json.loads(row.candidates)
        for row in connection.execute(
            sa.select(identity_case.c.message_id, identity_case.c.candidates).where(
                identity_case.c.message_id.in_(ids)
            )
        )
    }
    records: dict[tuple[str, str], dict[str, object]] = {}
    for (line, row), applied in zip(batch, outcomes, strict=True):
        _describe(
            run.establishment,
            row,
            applied,
            decisions.get(applied.message_id),
            cases.get(applied.message_id),
        )
        # A row repeated in the extract has one key: its first outcome stands.
        records.setdefault(
            (line.lids_number, line.row_hash), _record(run, line, row, applied.message_id)
        )
    if run.run_id is not None and records:
        keys = list(records)
        connection.execute(
            sa.delete(migration_row).where(
                migration_row.c.establishment == run.establishment,
                sa.tuple_(migration_row.c.lids_number, migration_row.c.row_hash).in_(keys),
            )
        )
        connection.execute(sa.insert(migration_row), list(records.values()))


def _describe(
    establishment: str,
    row: RowOutcome,
    applied: ApplyOutcome,
    decision: sa.Row | None,
    candidates: list[dict[str, object]] | None,
) -> None:
    row.findings, row.prison_number = (), applied.person_key
    if applied.status == "applied":
        received = next((e for e in applied.events if e.event_type == "prisoner.received"), None)
        reason = received.additional_information.get("reason") if received else None
        row.outcome = LOADED
        row.kind = NEW_PERSON if reason == "NEW_ADMISSION" else MATCHED
        if row.kind == MATCHED:
            row.matched_to = applied.person_key
            row.score = decision.score if decision is not None else None
            how = f"score {row.score:.1f}" if row.score is not None else "a strong identifier"
            row.reason = f"matched to {applied.person_key} by {how}"
    elif applied.status == "held":
        best = (candidates or [{}])[0]
        row.outcome, row.kind = HELD, "review"
        row.matched_to = str(best.get("prisonNumber") or "") or None
        score = best.get("score")
        row.score = float(score) if isinstance(score, int | float) else None
        row.reason = f"possible match with {row.matched_to}: held for review"
    elif applied.status == "duplicate":
        row.outcome, row.kind = REFUSED, "repeated-row"
        row.reason = "the same row appears again in the extract: loaded once"
    else:
        reason = applied.error.reason if applied.error is not None else "refused"
        row.outcome, row.kind = REFUSED, ex.REFUSED_BY_RECORD
        if f"already in custody at {establishment}" in reason:
            # Received by the prison's live feed before its migration: on record already.
            row.kind = ex.ALREADY_HERE
        elif "already in custody at" in reason:
            row.kind = ex.HELD_ELSEWHERE
        row.reason = reason
    row.findings = (ex.Finding(row.kind, row.matched_to or "", row.reason),)


def _record(run: Migration, line: ex.ExtractLine, row: RowOutcome, mid: str) -> dict[str, object]:
    assert mid == message_id(run.establishment, line.lids_number, line.row_hash)
    return {
        "establishment": run.establishment,
        "lids_number": line.lids_number,
        "row_hash": line.row_hash,
        "message_id": mid,
        "outcome": row.outcome,
        "prison_number": row.prison_number,
        "reason": row.reason,
        "run_id": run.run_id,
        "recorded_at": utc_now(),
    }
