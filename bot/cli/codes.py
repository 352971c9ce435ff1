"""``veilig codes``: the one-time pupil codes for a group, written once to a file.

The codes exist in the clear only in memory and in the file this command writes (mode 0600,
never overwritten); the database keeps their keyed digests. The file is written inside the
use case's unit of work, so a failure leaves neither a file without seats nor seats without
a file.
"""

from __future__ import annotations

import csv
from pathlib import Path

import typer

from bot.cli.files import cannot_write, open_new
from bot.cli.output import spreadsheet_safe
from bot.cli.runtime import (
    OPERATOR,
    SCHOOL_HELP,
    SchoolYear,
    school_code,
    school_year_or_current,
    with_service,
)
from bot.service import codes as code_use
from bot.service.records import IssuedCodes
from veilig.errors import InvalidInput

COLUMNS = ("school", "school_year", "group", "code")


def codes(
    ctx: typer.Context,
    school: str = typer.Argument(..., help=SCHOOL_HELP),
    group: str = typer.Option(..., help="The group's name, e.g. 7B."),
    out: Path = typer.Option(..., help="CSV file to write the codes to; must not exist yet."),
    count: int | None = typer.Option(
        None, help="How many codes; by default the group's enrolled pupils plus a few spares."
    ),
    school_year: SchoolYear = None,
) -> None:
    """Make one-time pupil codes for a group of the open round and write them to a file."""
    code = school_code(school)
    year = school_year_or_current(school_year)
    if out.exists():
        raise InvalidInput(f"{out} exists already; codes are written once, choose a new file name")
    if not out.parent.is_dir():
        raise InvalidInput(f"folder {out.parent} does not exist; create it or choose another")

    written = False

    async def keep(issued: IssuedCodes) -> None:
        nonlocal written
        written = True  # from here on, a file may exist that must go if anything fails
        try:
            _write(out, issued)
        except OSError as exc:
            raise cannot_write(out, exc) from None

    try:
        issued = with_service(
            ctx,
            lambda service: code_use.issue_codes(service, OPERATOR, code, year, group, keep, count),
        )
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
            cells = (str(issued.round.school), issued.round.school_year, issued.group.name, printed)
            writer.writerow([spreadsheet_safe(cell) for cell in cells])
