"""``veilig db``: schema migrations."""

from __future__ import annotations

import typer

from bot.cli.runtime import settings_of, with_service
from bot.service import schema

app = typer.Typer(help="Create and migrate the database schema.", no_args_is_help=True)


@app.command()
def upgrade(
    ctx: typer.Context,
    revision: str = typer.Argument("head", help="Target revision; the newest by default."),
) -> None:
    """Bring the database schema up to date (safe to run again, and from several workers)."""
    at = with_service(
        ctx, lambda service: schema.upgrade(service, revision), require_current_schema=False
    )
    typer.echo(f"Database {schema.shown_url(settings_of(ctx).url)} is at revision {at}.")


@app.command()
def downgrade(
    ctx: typer.Context, revision: str = typer.Argument(..., help="e.g. -1 or base")
) -> None:
    """Undo migrations down to a revision (for maintainers; data in dropped tables is lost)."""
    at = with_service(
        ctx, lambda service: schema.downgrade(service, revision), require_current_schema=False
    )
    typer.echo(f"Database is at revision {at or 'base (empty)'}.")


@app.command()
def current(ctx: typer.Context) -> None:
    """Show the revision the database is at, and the newest one this version knows."""
    at = with_service(ctx, schema.current, require_current_schema=False)
    typer.echo(f"Database revision: {at or 'none (empty)'}; newest known: {schema.head()}.")


@app.command()
def revision(
    ctx: typer.Context, message: str = typer.Option(..., "--message", "-m", help="What changes.")
) -> None:
    """For maintainers: write a new migration from the difference between models and schema."""
    with_service(ctx, lambda service: schema.make_revision(service, message))
