"""``veilig round``: open and close a school's yearly round, and see how rounds are doing."""

from __future__ import annotations

import typer

from bot.cli.output import percent, table
from bot.cli.runtime import (
    SchoolYear,
    record_for,
    school_year_or_current,
    today,
    with_database,
)
from flows import DEFAULT_QUESTIONNAIRE_ID, load_questionnaire
from storage.database import Database
from storage.records import RoundRecord, RoundSummary
from storage.repositories import rounds, schools
from storage.values import SchoolCode

app = typer.Typer(help="Open, close and list survey rounds.", no_args_is_help=True)

SCHOOL_HELP = "School code: BRIN + vestiging, e.g. 12AB00."


@app.command("open")
def open_round(
    ctx: typer.Context,
    school: str = typer.Argument(..., help=SCHOOL_HELP),
    school_year: SchoolYear = None,
    questionnaire: str = typer.Option(DEFAULT_QUESTIONNAIRE_ID, help="Questionnaire id."),
) -> None:
    """Open a school's round for a school year; it keeps this questionnaire version."""
    code = SchoolCode.parse(school)
    year = school_year_or_current(school_year)
    chosen = load_questionnaire(questionnaire)

    async def work(database: Database) -> RoundRecord:
        async with database.transaction() as session:
            opened = await rounds.open_round(
                session, code, year, chosen.id, chosen.version, today()
            )
            await record_for(session, code, "round.open", school_year=year)
            return opened

    opened = with_database(ctx, work)
    typer.echo(
        f"Opened the {opened.school_year} round of school {opened.school} with questionnaire "
        f"{opened.questionnaire_id} (version {opened.questionnaire_version[:12]})."
    )


@app.command("close")
def close_round(
    ctx: typer.Context,
    school: str = typer.Argument(..., help=SCHOOL_HELP),
    school_year: SchoolYear = None,
) -> None:
    """Close a school's open round: no new answers; resume pseudonyms are erased."""
    code = SchoolCode.parse(school)
    year = school_year_or_current(school_year)

    async def work(database: Database) -> RoundRecord:
        async with database.transaction() as session:
            closed = await rounds.close_round(session, code, year, today())
            await record_for(session, code, "round.close", school_year=year)
            return closed

    closed = with_database(ctx, work)
    typer.echo(f"Closed the {closed.school_year} round of school {closed.school}.")


@app.command("list")
def list_rounds(
    ctx: typer.Context,
    school: str | None = typer.Argument(None, help="Only this school (e.g. 12AB00)."),
) -> None:
    """List rounds with their codes, responses and response rate."""
    code = SchoolCode.parse(school) if school else None

    async def work(database: Database) -> list[RoundSummary]:
        async with database.transaction() as session:
            if code is not None:
                await schools.get(session, code)  # an unknown school is an error, not "none"
            return await rounds.summaries(session, code)

    found = with_database(ctx, work)
    if not found:
        typer.echo("No rounds yet; open one with: veilig round open --help")
        return
    typer.echo(
        table(
            [
                "school",
                "year",
                "status",
                "opened",
                "closed",
                "enrolled",
                "codes",
                "used",
                "started",
                "completed",
                "response",
            ],
            [
                (
                    s.round.school,
                    s.round.school_year,
                    s.round.status.value,
                    s.round.opens_on,
                    s.round.closes_on,
                    s.enrolled,
                    s.codes_issued,
                    s.codes_used,
                    s.started,
                    s.completed,
                    percent(s.completed, s.enrolled),
                )
                for s in found
            ],
        )
    )
