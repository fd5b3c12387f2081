"""``gatehouse adapters new`` writes an adapter whose own tests pass as generated, run by
pytest in a separate process from outside this repository; and the contract kit in those
tests catches a sample that breaks the contract."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.scaffold import ScaffoldError, scaffold

GATEHOUSE = Path(sys.executable).with_name("gatehouse")


def run_tests(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_a_scaffolded_adapter_passes_its_generated_tests_at_once(tmp_path: Path) -> None:
    made = subprocess.run(
        [str(GATEHOUSE), "adapters", "new", "youth_custody", "--into", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    package = tmp_path / "youth_custody"
    for part in ("__init__.py", "policy.toml", "translate.py", "render.py", "README.md",
                 "schemas/reception-v1.xsd", "samples/valid/reception-new-person.xml",
                 "samples/rendered/released-on-licence.xml", "tests/test_contract.py"):  # fmt: skip
        assert (package / part).is_file(), part
    assert 'youth_custody = "youth_custody:adapter"' in (tmp_path / "pyproject.toml").read_text()

    passed = run_tests(tmp_path)

    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "12 passed" in passed.stdout
    ruff = Path(sys.executable).with_name("ruff")
    for command in (["check", "."], ["format", "--check", "."]):
        linted = subprocess.run([str(ruff), *command], cwd=tmp_path, capture_output=True, text=True)
        assert linted.returncode == 0, linted.stdout + linted.stderr

    # An "invalid" sample the adapter accepts breaks the contract, and the kit says so.
    shutil.copy(
        package / "samples" / "valid" / "reception-new-person.xml",
        package / "samples" / "invalid" / "reception-looks-wrong.xml",
    )
    failed = run_tests(tmp_path)
    assert failed.returncode == 1
    assert (
        "reception-looks-wrong.xml is an invalid sample, but youth_custody accepted it"
        in failed.stdout
    )


@pytest.mark.parametrize(
    ("name", "complaint"),
    [
        ("delius", "registered already"),
        ("Courts", "not an adapter name"),
        ("class", "not an adapter name"),
        ("lxml", "installed already"),
    ],
)
def test_a_name_that_is_taken_or_not_a_name_is_refused(
    tmp_path: Path, name: str, complaint: str
) -> None:
    with pytest.raises(ScaffoldError, match=complaint):
        scaffold(name, tmp_path, taken={"delius", "private_prisons"})
    assert list(tmp_path.iterdir()) == []


def test_an_existing_directory_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "youth_custody").mkdir()
    with pytest.raises(ScaffoldError, match="exists already"):
        scaffold("youth_custody", tmp_path)
