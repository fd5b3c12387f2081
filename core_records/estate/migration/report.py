"""The cleansing report of a migration run: figures for people (HTML), rows for tools (CSV),
and the same figures as text.

Every figure is counted from the run's row outcomes, once, in ``figures``: the HTML, the
CSV and the text all show those, so they cannot disagree. Totals reconcile by construction
and are checked anyway: rows read = loaded + refused + held.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from html import escape

from core_records.estate.migration import extract as ex
from core_records.estate.migration.run import (
    HELD,
    LOADED,
    LOADED_BEFORE,
    MATCHED,
    NEW_PERSON,
    REFUSED,
    Migration,
    RowOutcome,
)

CSV_COLUMNS = (
    "line",
    "lids_number",
    "outcome",
    "kind",
    "value",
    "reason",
    "prison_number",
    "matched_to",
    "score",
)
"""One CSV line per finding of a row (a refused row may have several), and one per row
with none (loaded, held)."""

SECTIONS = (
    (ex.CHECK_LETTER, "Identifiers failing their check letter"),
    (ex.UNKNOWN_CODE, "Unknown or retired codes"),
    (MATCHED, "Matched to a person already on record"),
    ("review", "Possible matches sent to review"),
    (ex.HELD_ELSEWHERE, "Conflicts: held by another prison"),
    (ex.ALREADY_HERE, "Already held here (received through the live feed)"),
    (ex.SENTENCE_END_BEFORE_START, "Conflicts: sentence ends before it starts"),
    (ex.MALFORMED, "Malformed lines"),
    (ex.OTHER_PRISON, "Rows of another prison"),
    (ex.ALREADY_LOADED, "Loaded before from other values"),
    (ex.REFUSED_BY_RECORD, "Refused by the record"),
    ("repeated-row", "Rows repeated in the extract"),
    (ex.PREVIOUS_WITHOUT_PRISON, "Previous numbers not recorded: no issuing prison"),
)


_RECONCILED = {True: "Rows read = loaded + refused + held.", False: "The totals do not reconcile."}


@dataclass(frozen=True)
class Figures:
    rows_read: int
    loaded: int
    new_people: int
    matched: int
    loaded_before: int
    refused: int
    held: int
    by_kind: dict[str, int]
    """Rows per finding kind (a row with two kinds counts under each)."""
    unknown_codes: dict[str, list[str]]
    """LIDS numbers per unknown code ("incentive band:SIL")."""

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.loaded + self.refused + self.held


def figures(run: Migration) -> Figures:
    by_kind: Counter[str] = Counter()
    codes: dict[str, list[str]] = {}
    for row in run.outcomes:
        for kind in dict.fromkeys(f.kind for f in _findings(row)):
            by_kind[kind] += 1
        for finding in row.findings:
            if finding.kind == ex.UNKNOWN_CODE:
                codes.setdefault(finding.value, []).append(row.lids_number)
    return Figures(
        rows_read=run.rows_read,
        loaded=run.count(LOADED),
        new_people=run.count(LOADED, NEW_PERSON),
        matched=run.count(LOADED, MATCHED),
        loaded_before=run.count(LOADED, LOADED_BEFORE),
        refused=run.count(REFUSED),
        held=run.count(HELD),
        by_kind=dict(by_kind),
        unknown_codes={code: codes[code] for code in sorted(codes)},
    )


def _findings(row: RowOutcome) -> tuple[ex.Finding, ...]:
    """What the report lists of a row: its own findings, then its notes."""
    return (*_own_findings(row), *row.notes)


def _own_findings(row: RowOutcome) -> tuple[ex.Finding, ...]:
    """Why a row was refused, or how it matched; nothing for a row simply loaded."""
    if row.findings:
        return row.findings
    if row.kind in (MATCHED, "review"):
        return (ex.Finding(row.kind, row.matched_to or "", row.reason),)
    return ()


def text_summary(run: Migration) -> str:
    """The figures as lines of text (what the command prints)."""
    f = figures(run)
    mode = " (dry run: nothing changed)" if run.dry_run else ""
    lines = [
        f"Migration of {run.establishment} from {run.extract_name}{mode}",
        f"rows read {f.rows_read} = loaded {f.loaded} + refused {f.refused} + held {f.held}"
        + ("" if f.reconciles else "  DOES NOT RECONCILE"),
        f"  loaded: {f.new_people} new, {f.matched} matched to people on record, "
        f"{f.loaded_before} by an earlier run",
    ]
    lines += [f"  {title}: {f.by_kind[kind]}" for kind, title in SECTIONS if f.by_kind.get(kind)]
    lines += [
        f"    {code}: {len(rows)} rows ({', '.join(rows[:10])}{' ...' if len(rows) > 10 else ''})"
        for code, rows in f.unknown_codes.items()
    ]
    return "\n".join(lines)


def report_csv(run: Migration) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in run.outcomes:
        score = "" if row.score is None else f"{row.score:.2f}"
        own = _own_findings(row) or (ex.Finding(row.kind, "", row.reason),)
        for finding in (*own, *row.notes):
            writer.writerow(
                [
                    row.line_number,
                    row.lids_number,
                    row.outcome,
                    finding.kind,
                    finding.value,
                    finding.reason,
                    row.prison_number or "",
                    row.matched_to or "",
                    score,
                ]
            )
    return out.getvalue()


def report_html(run: Migration) -> str:
    f = figures(run)
    title = f"Migration report: {escape(run.establishment)}"
    mode = " (dry run: nothing changed in the record)" if run.dry_run else ""
    totals = [
        ("Rows read", f.rows_read, "rows-read"),
        ("Loaded", f.loaded, "loaded"),
        ("of which new people", f.new_people, "new-people"),
        ("of which matched to people on record", f.matched, "matched"),
        ("of which loaded by an earlier run", f.loaded_before, "loaded-before"),
        ("Refused", f.refused, "refused"),
        ("Held for review", f.held, "held"),
    ]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{title}</title></head><body>",
        f"<h1>{title}</h1><p>Extract {escape(run.extract_name)}, started "
        f"{run.started_at:%Y-%m-%d %H:%M} UTC{mode}.</p>",
        "<h2>Totals</h2><table id='totals'>",
        *(f"<tr><th>{n}</th><td data-figure='{k}'>{v}</td></tr>" for n, v, k in totals),
        "</table>",
        f"<p data-figure='reconciles'>{_RECONCILED[f.reconciles]}</p>",
    ]
    if f.unknown_codes:
        parts.append("<h2>Unknown or retired codes by count</h2><table id='codes'>")
        parts += [
            f"<tr><th>{escape(code)}</th><td data-code='{escape(code)}'>{len(rows)}</td>"
            f"<td>{escape(', '.join(rows))}</td></tr>"
            for code, rows in f.unknown_codes.items()
        ]
        parts.append("</table>")
    for kind, heading in SECTIONS:
        rows = [r for r in run.outcomes if any(x.kind == kind for x in _findings(r))]
        if rows:
            parts.append(_section(kind, heading, rows))
    parts.append("</body></html>")
    return "\n".join(parts)


def _section(kind: str, heading: str, rows: list[RowOutcome]) -> str:
    lines = [
        f"<h2 id='{kind}'>{escape(heading)} (<span data-figure='{kind}'>{len(rows)}</span>)</h2>",
        "<table><tr><th>Line</th><th>LIDS number</th><th>Value</th><th>Reason</th>"
        "<th>Person on record</th><th>Score</th></tr>",
    ]
    for row in rows:
        for finding in (x for x in _findings(row) if x.kind == kind):
            score = "" if row.score is None else f"{row.score:.1f}"
            lines.append(
                f"<tr><td>{row.line_number}</td><td>{escape(row.lids_number)}</td>"
                f"<td>{escape(finding.value)}</td><td>{escape(finding.reason)}</td>"
                f"<td>{escape(row.matched_to or '')}</td><td>{score}</td></tr>"
            )
    lines.append("</table>")
    return "\n".join(lines)
