"""``veilig group``: the classes of a school in a school year."""

from __future__ import annotations

import typer

from bot.cli.output import table
from bot.cli.runtime import (
    SchoolYear,
    record_for,
    school_year_or_current,
    with_database,
)
from storage.database import Database
from storage.records import CodeCount, GroupRecord
from storage.repositories import codes, groups, rounds
from storage.values import SchoolCode
from veilig.errors import NotFound

app = typer.Typer(help="Add and list the groups (classes) of a school.", no_args_is_help=True)


@app.command()
def add(
    ctx: typer.Context,
    school: str = typer.Argument(..., help="School code: BRIN + vestiging, e.g. 12AB00."),
    name: str = typer.Option(..., help="The group's name, e.g. 7B."),
    grade: int = typer.Option(..., help="PO/SO groep 1-8, VO/VSO leerjaar 1-6."),
    enrolled: int = typer.Option(..., help="Number of pupils in the group."),
    school_year: SchoolYear = None,
) -> None:
    """Add a group to a school for a school year."""
    code = SchoolCode.parse(school)
    year = school_year_or_current(school_year)

    async def work(database: Database) -> GroupRecord:
        async with database.transaction() as session:
            added = await groups.add(session, code, year, name, grade, enrolled)
            await record_for(session, code, "group.add", group=added.name)
            return added

    added = with_database(ctx, work)
    typer.echo(
        f"Added group {added.name} (grade {added.grade}, {added.enrolled} pupils) "
        f"to school {added.school} for {added.school_year}."
    )


@app.command("list")
def list_groups(
    ctx: typer.Context,
    school: str = typer.Argument(..., help="School code, e.g. 12AB00."),
    school_year: SchoolYear = None,
) -> None:
    """List a school's groups with the codes handed out in this year's round."""
    code = SchoolCode.parse(school)
    year = school_year_or_current(school_year)

    async def work(database: Database) -> list[tuple[GroupRecord, CodeCount | None]]:
        async with database.transaction() as session:
            found = await groups.list_for(session, code, year)
            try:
                round_id: int | None = (await rounds.get(session, code, year)).id
            except NotFound:
                round_id = None
            return [
                (
                    group,
                    None if round_id is None else await codes.count(session, round_id, group.id),
                )
                for group in found
            ]

    found = with_database(ctx, work)
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
