"""``veilig db``: schema migrations."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import typer

from bot.cli.runtime import settings_of, with_database
from storage.database import Database, safe_url

app = typer.Typer(help="Create and migrate the database schema.", no_args_is_help=True)

# storage.migrate (alembic) is imported inside the commands: not at start-up of every command.


def _migrate(
    ctx: typer.Context, step: Callable[[Database, str], Awaitable[None]], revision: str
) -> str | None:
    """Run one migration step to ``revision``; the revision the database is at afterwards."""
    from storage import migrate

    async def work(database: Database) -> str | None:
        await step(database, revision)
        return await migrate.current(database)

    return with_database(ctx, work, require_current_schema=False)


@app.command()
def upgrade(
    ctx: typer.Context,
    revision: str = typer.Argument("head", help="Target revision; the newest by default."),
) -> None:
    """Bring the database schema up to date (safe to run again, and from several workers)."""
    from storage import migrate

    at = _migrate(ctx, migrate.upgrade, revision)
    typer.echo(f"Database {safe_url(settings_of(ctx).url)} is at revision {at}.")


@app.command()
def downgrade(
    ctx: typer.Context, revision: str = typer.Argument(..., help="e.g. -1 or base")
) -> None:
    """Undo migrations down to a revision (for maintainers; data in dropped tables is lost)."""
    from storage import migrate

    at = _migrate(ctx, migrate.downgrade, revision)
    typer.echo(f"Database is at revision {at or 'base (empty)'}.")


@app.command()
def current(ctx: typer.Context) -> None:
    """Show the revision the database is at, and the newest one this version knows."""
    from storage import migrate

    at = with_database(ctx, migrate.current, require_current_schema=False)
    typer.echo(f"Database revision: {at or 'none (empty)'}; newest known: {migrate.head()}.")


@app.command()
def revision(
    ctx: typer.Context, message: str = typer.Option(..., "--message", "-m", help="What changes.")
) -> None:
    """For maintainers: write a new migration from the difference between models and schema."""
    from storage import migrate

    async def work(database: Database) -> None:
        await migrate.make_revision(database, message)

    with_database(ctx, work)
