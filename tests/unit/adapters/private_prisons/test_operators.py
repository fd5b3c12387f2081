"""Every contracted prison is run by exactly one operator, and each operator is a partner
scoped to its prisons."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.base import PartnerScope
from adapters.private_prisons import adapter
from adapters.private_prisons.operators import load_operators, partner_scopes
from core_records.custody.reference_data import ReferenceData


def contracted_prisons() -> set[str]:
    agencies = ReferenceData.from_files().agencies.values()
    return {agency.code for agency in agencies if agency.contracted}


def test_every_contracted_prison_is_run_by_exactly_one_operator() -> None:
    operators = load_operators()
    run = [code for establishments in operators.values() for code in establishments]
    assert len(run) == len(set(run))
    assert set(run) == contracted_prisons()


def test_the_operators_are_g4s_serco_and_sodexo() -> None:
    assert load_operators() == {
        "g4s": {"ACI", "FWI", "OWI", "PRI", "PYI", "RHI"},
        "serco": {"ASI", "DGI", "DNI", "LGI", "TSI"},
        "sodexo": {"BZI", "FBI", "NLI", "PBI", "PFI"},
    }


def test_each_operator_is_a_partner_of_the_adapter_scoped_to_its_prisons() -> None:
    assert dict(adapter.partners) == {
        operator: PartnerScope(operator, "private_prisons", establishments)
        for operator, establishments in load_operators().items()
    }


def test_a_prison_listed_for_two_operators_is_refused(tmp_path: Path) -> None:
    csv = tmp_path / "operators.csv"
    csv.write_text("operator,establishment\nserco,DNI\ng4s,OWI\ng4s,DNI\n")
    with pytest.raises(ValueError, match="line 4: DNI is run by serco already"):
        load_operators(csv)


def test_a_row_without_an_establishment_is_refused(tmp_path: Path) -> None:
    csv = tmp_path / "operators.csv"
    csv.write_text("operator,establishment\nserco,\n")
    with pytest.raises(ValueError, match="line 2"):
        partner_scopes("private_prisons", csv)
