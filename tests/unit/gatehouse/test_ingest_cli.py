"""``gatehouse ingest repartition`` refuses an impossible count (exit 2) before it touches
the hub."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from gatehouse.cli import app


@pytest.mark.parametrize("count", ["0", "65"])
def test_a_partition_count_out_of_range_is_refused_with_exit_2(count: str) -> None:
    result = CliRunner().invoke(app, ["ingest", "repartition", "--to", count])
    assert result.exit_code == 2, result.output
    assert "--to must be 1 to 64" in result.output
