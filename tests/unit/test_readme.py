"""The README keeps in step with the code: its configuration table is the one the settings
model writes, every setting says what it sets, and its contents list leads to its headings."""

from __future__ import annotations

import re
from pathlib import Path

from gatehouse.settings import Settings
from gatehouse.settings_table import END, START, descriptions, markdown_table, with_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_configuration_table_is_the_one_the_settings_model_writes() -> None:
    readme = README.read_text(encoding="utf-8")
    assert with_table(readme) == readme, (
        "README.md's configuration table is stale: run `python -m gatehouse.settings_table`"
    )


def test_every_setting_says_what_it_sets() -> None:
    undescribed = [name for name, text in descriptions().items() if not text]
    assert undescribed == [], "give these settings a docstring in gatehouse/settings.py"


def test_the_table_has_a_row_per_setting_with_its_variable_and_default() -> None:
    rows = [row for row in markdown_table().splitlines() if row.startswith("| `GATEHOUSE_")]
    assert len(rows) == len(Settings.model_fields)
    assert "| `GATEHOUSE_NAMESPACE` | `str` | `gatehouse` |" in markdown_table()
    assert "| `GATEHOUSE_BROKER_URL` | `str \\| None` | unset |" in markdown_table()
    assert "`GATEHOUSE_PARTNER_URLS`, `GATEHOUSE_PARTNER_URLS__<KEY>` |" in markdown_table()


def test_a_readme_without_the_markers_is_refused_by_name() -> None:
    try:
        with_table("# A README\n")
    except ValueError as error:
        assert START in str(error) and END in str(error)
    else:
        raise AssertionError("with_table accepted a README without markers")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_contents_link_leads_to_a_heading() -> None:
    readme = README.read_text(encoding="utf-8")
    anchors = {slug(h) for h in re.findall(r"^#{1,6} (.+)$", readme, re.M)}
    contents = readme.split("## Contents", 1)[1].split("\n## ", 1)[0]
    links = re.findall(r"\]\(#([^)]+)\)", contents)
    assert links and [link for link in links if link not in anchors] == []
