"""``veilig coordinator``: invite school staff to run their school's round from a chat."""

from __future__ import annotations

import typer

from bot.cli.output import table
from bot.cli.runtime import OPERATOR, SCHOOL_HELP, school_code, settings_of, with_service
from bot.service import coordinators

app = typer.Typer(help="Invite, list and revoke school coordinators.", no_args_is_help=True)


@app.command()
def invite(
    ctx: typer.Context,
    school: str = typer.Argument(..., help=SCHOOL_HELP),
    days: int = typer.Option(7, help="Days until the invite expires."),
    role: str = typer.Option("coordinator", help="coordinator, or viewer (status and report)."),
) -> None:
    """Make a single-use invite for a staff member of the school; it is shown once."""
    from datetime import timedelta

    from veilig.errors import InvalidInput

    if not 1 <= days <= 60:
        raise InvalidInput(f"--days {days} is out of range; give 1 to 60 days")
    code = school_code(school)
    made = with_service(
        ctx,
        lambda service: coordinators.invite(
            service, OPERATOR, code, role=role, lifetime=timedelta(days=days)
        ),
    )
    link = settings_of(ctx).deep_link(made.token)
    where = f"Open: {link}" if link else f"In the Telegram bot: /start {made.token}"
    typer.echo(
        f"Invite for school {made.school} ({role}), valid until {made.expires_at:%Y-%m-%d %H:%M} "
        f"UTC, usable once:\n{made.token}\n{where}"
    )


@app.command("list")
def list_coordinators(ctx: typer.Context) -> None:
    """List coordinators, their channel and schools."""
    found = with_service(ctx, lambda service: coordinators.list_coordinators(service, OPERATOR))
    if not found:
        typer.echo("No coordinators yet; invite one with: veilig coordinator invite --help")
        return
    typer.echo(
        table(
            ["id", "name", "channel", "active", "schools"],
            [
                (
                    c.id,
                    c.display_name,
                    c.channel,
                    "yes" if c.active else "no",
                    ", ".join(f"{school} ({role})" for school, role in c.schools),
                )
                for c in found
            ],
        )
    )


@app.command()
def revoke(
    ctx: typer.Context, coordinator: int = typer.Argument(..., help="The coordinator's id.")
) -> None:
    """Revoke a coordinator: every later action of theirs is refused."""
    gone = with_service(ctx, lambda service: coordinators.revoke(service, OPERATOR, coordinator))
    typer.echo(f"Revoked coordinator {gone.id} ({gone.display_name}).")
