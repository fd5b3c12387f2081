"""Small bar charts as inline SVG, rendered on the server: no script, no CDN, and they
scale with the page from a laptop to a wall screen."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT, MARGIN = 600, 160, 28


def bar_chart(
    values: Sequence[float | None],
    labels: Sequence[str],
    *,
    title: str,
    unit: str = "",
    colour: str = "#1d70b8",
) -> str:
    """A bar per value (None draws no bar), the largest labelled, first and last labels shown."""
    present = [v for v in values if v is not None]
    top = max(present, default=0.0) or 1.0
    slot = (WIDTH - 2 * MARGIN) / max(len(values), 1)
    bars = []
    for index, value in enumerate(values):
        if not value:
            continue
        height = (HEIGHT - 2 * MARGIN) * value / top
        x = MARGIN + index * slot
        bars.append(
            f'<rect x="{x:.1f}" y="{HEIGHT - MARGIN - height:.1f}" width="{max(slot - 1, 1):.1f}"'
            f' height="{height:.1f}" fill="{colour}"><title>{escape(labels[index])}: '
            f"{_number(value)}{escape(unit)}</title></rect>"
        )
    axis = (
        f'<line x1="{MARGIN}" y1="{HEIGHT - MARGIN}" x2="{WIDTH - MARGIN}" y2="{HEIGHT - MARGIN}"'
        ' stroke="#505a5f"/>'
    )
    ends = ""
    if labels:
        ends = (
            f'<text x="{MARGIN}" y="{HEIGHT - 8}" font-size="11">{escape(labels[0])}</text>'
            f'<text x="{WIDTH - MARGIN}" y="{HEIGHT - 8}" font-size="11" text-anchor="end">'
            f"{escape(labels[-1])}</text>"
        )
    peak = f"max {_number(max(present))}{escape(unit)}" if present else "no data"
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f'<text x="{MARGIN}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>'
        f'<text x="{WIDTH - MARGIN}" y="16" font-size="11" text-anchor="end">{peak}</text>'
        f"{axis}{''.join(bars)}{ends}</svg>"
    )


def _number(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.2f}"
