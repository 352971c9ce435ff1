"""``veilig serve``: the web chat, and the Telegram bot when configured, until Ctrl-C or SIGTERM."""

from __future__ import annotations

import asyncio

import typer

from bot.cli.runtime import settings_of
from bot.serve import Serving, check, first_run, run


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8080, help="Port to listen on."),
    workers: int = typer.Option(
        1, help="Processes sharing the port (PostgreSQL only); they share only the database."
    ),
    demo_school: bool = typer.Option(
        True,
        "--demo-school/--no-demo-school",
        help="On an empty database, make a demo school with an open round and print codes.",
    ),
) -> None:
    """Serve the web chat for pupils; prints its address, stops cleanly on Ctrl-C."""
    settings = settings_of(ctx)
    serving = Serving(host, port, workers)
    check(settings, serving)
    codes = asyncio.run(first_run(settings)) if demo_school else None

    def ready() -> None:
        typer.echo(f"veilig web chat: {serving.url}", err=False)
        if codes:
            typer.echo("A demo school with an open round was made; try one of these codes:")
            for code in codes:
                typer.echo(f"  {code}    {serving.url}#code={code}")
        typer.echo("Stop with Ctrl-C.")

    run(settings, serving, ready)
