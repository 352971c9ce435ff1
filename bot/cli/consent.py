"""``veilig consent``: record (or withdraw) a school's consent to deliver to the Inspectie."""

from __future__ import annotations

import typer

from bot.cli.runtime import (
    OPERATOR,
    SCHOOL_HELP,
    SchoolYear,
    school_code,
    school_year_or_current,
    with_service,
)
from bot.service import consent as consent_use


def consent(
    ctx: typer.Context,
    school: str = typer.Argument(..., help=SCHOOL_HELP),
    by: str = typer.Option(
        ..., "--by", help="Name and role of who gives (or withdraws) consent for the school."
    ),
    withdraw: bool = typer.Option(
        False, "--withdraw", help="Withdraw the consent: the school is left out of deliveries."
    ),
    school_year: SchoolYear = None,
) -> None:
    """Record that the school consents to delivery of this school year's results."""
    code = school_code(school)
    year = school_year_or_current(school_year)
    if withdraw:
        gone = with_service(
            ctx, lambda service: consent_use.withdraw_consent(service, OPERATOR, code, year, by)
        )
        at = gone.withdrawn_at
        typer.echo(
            f"Withdrew the consent of school {gone.school} for {gone.school_year}, on behalf of "
            f"{gone.withdrawn_by}" + (f" on {at:%Y-%m-%d}." if at else ".")
        )
        return
    given = with_service(
        ctx, lambda service: consent_use.give_consent(service, OPERATOR, code, year, by)
    )
    typer.echo(
        f"Recorded consent of school {given.school} for {given.school_year}, given by "
        f"{given.given_by} on {given.given_at:%Y-%m-%d}."
    )
