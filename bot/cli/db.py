"""``veilig db``: schema migrations."""

from __future__ import annotations

import typer

from bot.cli.runtime import settings_of, with_database
from storage import migrate
from storage.database import Database, safe_url

app = typer.Typer(help="Create and migrate the database schema.", no_args_is_help=True)


@app.command()
def upgrade(
    ctx: typer.Context,
    revision: str = typer.Argument("head", help="Target revision; the newest by default."),
) -> None:
    """Bring the database schema up to date (safe to run again, and from several workers)."""

    async def work(database: Database) -> str | None:
        await migrate.upgrade(database, revision)
        return await migrate.current(database)

    at = with_database(ctx, work, require_current_schema=False)
    typer.echo(f"Database {safe_url(settings_of(ctx).url)} is at revision {at}.")


@app.command()
def downgrade(
    ctx: typer.Context, revision: str = typer.Argument(..., help="e.g. -1 or base")
) -> None:
    """Undo migrations down to a revision (for maintainers; data in dropped tables is lost)."""

    async def work(database: Database) -> str | None:
        await migrate.downgrade(database, revision)
        return await migrate.current(database)

    at = with_database(ctx, work, require_current_schema=False)
    typer.echo(f"Database is at revision {at or 'base (empty)'}.")


@app.command()
def current(ctx: typer.Context) -> None:
    """Show the revision the database is at, and the newest one this version knows."""
    at = with_database(ctx, migrate.current, require_current_schema=False)
    typer.echo(f"Database revision: {at or 'none (empty)'}; newest known: {migrate.head()}.")


@app.command()
def revision(
    ctx: typer.Context, message: str = typer.Option(..., "--message", "-m", help="What changes.")
) -> None:
    """For maintainers: write a new migration from the difference between models and schema."""

    async def work(database: Database) -> None:
        await migrate.make_revision(database, message)

    with_database(ctx, work)
