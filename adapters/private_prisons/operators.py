"""Which contracted prisons each private-prison operator runs: ``operators.csv``.

Each operator is one partner of the ``private_prisons`` adapter, with a scope of the prisons
it runs; a prison is run by one operator at a time.
"""

from __future__ import annotations

import csv
from pathlib import Path

from adapters.base import PartnerScope

OPERATORS_CSV = Path(__file__).with_name("operators.csv")


def load_operators(path: Path = OPERATORS_CSV) -> dict[str, frozenset[str]]:
    """Operator name to the codes of the prisons it runs."""
    runs: dict[str, set[str]] = {}
    run_by: dict[str, str] = {}
    with path.open(newline="", encoding="utf-8") as file:
        for line, row in enumerate(csv.DictReader(file), start=2):
            operator, establishment = row["operator"].strip(), row["establishment"].strip()
            if not operator or not establishment:
                raise ValueError(f"{path.name} line {line}: operator and establishment are needed")
            if establishment in run_by:
                raise ValueError(
                    f"{path.name} line {line}: {establishment} is run by {run_by[establishment]}"
                    f" already, so {operator} cannot run it too"
                )
            run_by[establishment] = operator
            runs.setdefault(operator, set()).add(establishment)
    return {operator: frozenset(codes) for operator, codes in runs.items()}


def partner_scopes(adapter: str, path: Path = OPERATORS_CSV) -> dict[str, PartnerScope]:
    """One partner scope per operator, holding the prisons it runs."""
    return {
        operator: PartnerScope(operator, adapter, establishments)
        for operator, establishments in sorted(load_operators(path).items())
    }
