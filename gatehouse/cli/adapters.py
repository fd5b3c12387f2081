"""``gatehouse adapters new NAME``: scaffold a working adapter (``adapters.scaffold``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from adapters.registry import load_adapters
from adapters.scaffold import ScaffoldError, scaffold


def adapters_new(
    name: Annotated[str, typer.Argument(help="The adapter's name, lower case: courts, nhs_spine.")],
    into: Annotated[
        Path, typer.Option(help="Directory to write the package (and a standalone project) in.")
    ] = Path("."),
    package: Annotated[
        str | None,
        typer.Option(help="Dotted package name, e.g. adapters.courts inside this repository."),
    ] = None,
) -> None:
    """Scaffold a working adapter: package, schemas, samples, translator, renderer, policy,
    README and tests that pass as generated."""
    try:
        result = scaffold(name, into, package=package, taken=load_adapters())
    except ScaffoldError as error:
        typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2) from error
    typer.echo(f"wrote the {name} adapter in {result.package_dir} ({len(result.files)} files)")
    if result.pyproject is not None:
        typer.echo(f"and {result.pyproject}; `pip install -e {into}` registers it with the hub")
    else:
        typer.echo(
            "register it in pyproject.toml:\n"
            '  [project.entry-points."gatehouse.adapters"]\n'
            f'  {name} = "{package or name}:adapter"'
        )
    typer.echo(f"then: python -m pytest {result.package_dir / 'tests'}")
