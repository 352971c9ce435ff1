"""``veilig group``: the classes of a school in a school year."""

from __future__ import annotations

import typer

from bot.cli.output import table
from bot.cli.runtime import (
    OPERATOR,
    SCHOOL_HELP,
    SchoolYear,
    school_code,
    school_year_or_current,
    with_service,
)
from bot.service import groups

app = typer.Typer(help="Add and list the groups (classes) of a school.", no_args_is_help=True)


@app.command()
def add(
    ctx: typer.Context,
    school: str = typer.Argument(..., help=SCHOOL_HELP),
    name: str = typer.Option(..., help="The group's name, e.g. 7B."),
    grade: int = typer.Option(..., help="PO/SO groep 1-8, VO/VSO leerjaar 1-6."),
    enrolled: int = typer.Option(..., help="Number of pupils in the group."),
    school_year: SchoolYear = None,
) -> None:
    """Add a group to a school for a school year."""
    code = school_code(school)
    year = school_year_or_current(school_year)
    added = with_service(
        ctx,
        lambda service: groups.add_group(service, OPERATOR, code, year, name, grade, enrolled),
    )
    typer.echo(
        f"Added group {added.name} (grade {added.grade}, {added.enrolled} pupils) "
        f"to school {added.school} for {added.school_year}."
    )


@app.command("list")
def list_groups(
    ctx: typer.Context,
    school: str = typer.Argument(..., help=SCHOOL_HELP),
    school_year: SchoolYear = None,
) -> None:
    """List a school's groups with the codes handed out in this year's round."""
    code = school_code(school)
    year = school_year_or_current(school_year)
    found = with_service(ctx, lambda service: groups.list_groups(service, OPERATOR, code, year))
    if not found:
        typer.echo(f"School {code} has no groups in {year}; add one with: veilig group add --help")
        return
    typer.echo(
        table(
            ["group", "grade", "enrolled", "codes", "used"],
            [
                (g.name, g.grade, g.enrolled, c.issued if c else "-", c.used if c else "-")
                for g, c in found
            ],
        )
    )
