"""``veilig round``: open and close a school's yearly round, and see how rounds are doing."""

from __future__ import annotations

import typer

from bot.cli.output import percent, table
from bot.cli.runtime import (
    OPERATOR,
    SCHOOL_HELP,
    SchoolYear,
    school_code,
    school_year_or_current,
    with_service,
)
from bot.service import rounds
from flows import DEFAULT_QUESTIONNAIRE_ID

app = typer.Typer(help="Open, close and list survey rounds.", no_args_is_help=True)


@app.command("open")
def open_round(
    ctx: typer.Context,
    school: str = typer.Argument(..., help=SCHOOL_HELP),
    school_year: SchoolYear = None,
    questionnaire: str = typer.Option(DEFAULT_QUESTIONNAIRE_ID, help="Questionnaire id."),
) -> None:
    """Open a school's round for a school year; it keeps this questionnaire version."""
    code = school_code(school)
    year = school_year_or_current(school_year)
    opened = with_service(
        ctx, lambda service: rounds.open_round(service, OPERATOR, code, year, questionnaire)
    )
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
    code = school_code(school)
    year = school_year_or_current(school_year)
    closed = with_service(ctx, lambda service: rounds.close_round(service, OPERATOR, code, year))
    typer.echo(f"Closed the {closed.school_year} round of school {closed.school}.")


@app.command("status")
def status(
    ctx: typer.Context,
    school: str = typer.Argument(..., help=SCHOOL_HELP),
    school_year: SchoolYear = None,
) -> None:
    """Show a round's response per group against enrolled, and whether it is representative."""
    code = school_code(school)
    year = school_year_or_current(school_year)
    found = with_service(ctx, lambda service: rounds.round_status(service, OPERATOR, code, year))
    typer.echo(
        f"School {code}, {year}: round {found.round.status.value}, open {found.days_open} days; "
        f"{found.completed} of {found.enrolled} pupils completed "
        f"({percent(found.completed, found.enrolled)}); verdict: {found.verdict} "
        f"(margin of error {100 * found.margin_of_error:.1f} points; "
        f"{found.required} completed needed)."
    )
    typer.echo(
        table(
            ["group", "grade", "enrolled", "started", "completed", "response"],
            [
                (
                    line.group.name,
                    line.group.grade,
                    line.group.enrolled,
                    line.started if line.answers else "-",
                    line.completed if line.answers else "-",
                    percent(line.completed, line.group.enrolled) if line.answers else "too young",
                )
                for line in found.groups
            ],
        )
    )


@app.command("list")
def list_rounds(
    ctx: typer.Context,
    school: str | None = typer.Argument(None, help="Only this school (e.g. 12AB00)."),
) -> None:
    """List rounds with their codes, responses and response rate."""
    code = school_code(school) if school else None
    found = with_service(ctx, lambda service: rounds.list_rounds(service, OPERATOR, code))
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
