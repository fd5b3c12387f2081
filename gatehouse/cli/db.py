"""``gatehouse db``: the record store's schema."""

from __future__ import annotations

import typer

from gatehouse.settings import Settings

db_app = typer.Typer(help="The record store's schema.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the store's schema to the latest migration and load the reference data."""
    from core_records.store.migrate import current_revision, upgrade

    settings = Settings()
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.store_url)
    typer.echo(f"store at revision {current_revision(settings.store_url)}")
