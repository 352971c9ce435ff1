"""``veilig codes``: the one-time pupil codes for a group, written once to a file.

The codes exist in the clear only in memory and in the file this command writes (mode 0600,
never overwritten); the database keeps their keyed digests. The file is written inside the
unit of work, so a failure leaves neither a file without seats nor seats without a file.
"""

from __future__ import annotations

import csv
from pathlib import Path

import typer

from bot.cli.files import open_new
from bot.cli.runtime import SchoolYear, record, school_year_or_current, with_database
from flows.bands import age_band_for
from storage.database import Database
from storage.records import IssuedCodes
from storage.repositories import codes as code_repo
from storage.repositories import groups, rounds, schools
from storage.values import SchoolCode
from veilig.errors import InvalidInput

COLUMNS = ("school", "school_year", "group", "code")


def codes(
    ctx: typer.Context,
    school: str = typer.Argument(..., help="School code: BRIN + vestiging, e.g. 12AB00."),
    group: str = typer.Option(..., help="The group's name, e.g. 7B."),
    out: Path = typer.Option(..., help="CSV file to write the codes to; must not exist yet."),
    count: int | None = typer.Option(
        None, help="How many codes; by default the group's enrolled pupils plus a few spares."
    ),
    school_year: SchoolYear = None,
) -> None:
    """Make one-time pupil codes for a group of the open round and write them to a file."""
    code = SchoolCode.parse(school)
    year = school_year_or_current(school_year)
    if out.exists():
        raise InvalidInput(f"{out} exists already; codes are written once, choose a new file name")
    if not out.parent.is_dir():
        raise InvalidInput(f"folder {out.parent} does not exist; create it or choose another")

    written = False

    async def work(database: Database) -> IssuedCodes:
        nonlocal written
        async with database.transaction() as session:
            owner = await schools.get(session, code)
            round_ = await rounds.get_open(session, code, year)
            chosen = await groups.get(session, code, year, group)
            age_band_for(owner.sector.value, chosen.grade)  # refuses groups too young to answer
            before = await code_repo.count(session, round_.id, chosen.id)
            issued = await code_repo.issue(
                session,
                database.keyring,
                round_,
                chosen,
                count if count is not None else code_repo.default_count(chosen.enrolled),
            )
            _write(out, issued)
            written = True
            await record(
                session,
                "codes.issue",
                owner.id,
                group=chosen.name,
                school_year=year,
                count=len(issued.codes),
                before=before.issued,
            )
            return issued

    try:
        issued = with_database(ctx, work)
    except BaseException:
        # The transaction rolled back: a file of codes that do not exist must not stay.
        if written:
            out.unlink(missing_ok=True)
        raise
    earlier = issued.total.issued - len(issued.codes)
    typer.echo(
        f"Wrote {len(issued.codes)} codes for group {issued.group.name} of school "
        f"{issued.round.school} ({issued.round.school_year}) to {out}."
    )
    if earlier:
        typer.echo(
            f"These are new codes, added to the {earlier} made before: the group now has "
            f"{issued.total.issued} codes for {issued.group.enrolled} pupils, "
            f"{issued.total.used} used."
        )


def _write(out: Path, issued: IssuedCodes) -> None:
    with open_new(out) as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for printed in issued.codes:
            writer.writerow(
                (str(issued.round.school), issued.round.school_year, issued.group.name, printed)
            )
