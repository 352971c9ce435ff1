"""``veilig consent``: record a school's consent to deliver its results to the Inspectie."""

from __future__ import annotations

import typer

from bot.cli.runtime import (
    SchoolYear,
    now,
    record_for,
    school_year_or_current,
    with_database,
)
from storage.database import Database
from storage.records import ConsentRecord
from storage.repositories import consents
from storage.values import SchoolCode


def consent(
    ctx: typer.Context,
    school: str = typer.Argument(..., help="School code: BRIN + vestiging, e.g. 12AB00."),
    by: str = typer.Option(..., "--by", help="Name and role of who gives consent for the school."),
    school_year: SchoolYear = None,
) -> None:
    """Record that the school consents to delivery of this school year's results."""
    code = SchoolCode.parse(school)
    year = school_year_or_current(school_year)

    async def work(database: Database) -> ConsentRecord:
        async with database.transaction() as session:
            given = await consents.give(session, code, year, by, now())
            await record_for(session, code, "consent.give", school_year=year)
            return given

    given = with_database(ctx, work)
    typer.echo(
        f"Recorded consent of school {given.school} for {given.school_year}, given by "
        f"{given.given_by} on {given.given_at:%Y-%m-%d}."
    )
