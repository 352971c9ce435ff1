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

from bot.cli.files import cannot_write, open_new, write_all
from bot.cli.output import spreadsheet_safe
from bot.cli.runtime import (
    OPERATOR,
    SCHOOL_HELP,
    SchoolYear,
    school_code,
    school_year_or_current,
    settings_of,
    with_service,
)
from bot.cli.slips import slips_pdf
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
    slips: Path | None = typer.Option(
        None,
        help="Also write cut-out slips (PDF): the web chat's address (VEILIG_PUBLIC_URL), "
        "the code in large type and a QR code of the link; must not exist yet.",
    ),
    school_year: SchoolYear = None,
) -> None:
    """Make one-time pupil codes for a group of the open round and write them to a file."""
    code = school_code(school)
    year = school_year_or_current(school_year)
    if out.exists():
        raise InvalidInput(f"{out} exists already; codes are written once, choose a new file name")
    for path in (out, slips):
        if path is not None and not path.parent.is_dir():
            raise InvalidInput(f"folder {path.parent} does not exist; create it or choose another")
    if slips is not None and (slips.exists() or slips == out):
        raise InvalidInput(
            f"{slips} exists already; slips are written once, choose a new file name"
        )
    chat_url = settings_of(ctx).chat_url

    written: list[Path] = []

    async def keep(issued: IssuedCodes) -> None:
        try:
            _write(out, issued)
        except OSError as exc:
            raise cannot_write(out, exc) from None
        written.append(out)
        if slips is not None:
            heading = f"{issued.round.school} · {issued.round.school_year} · {issued.group.name}"
            written.extend(write_all({slips: slips_pdf(chat_url, issued.codes, heading)}))

    try:
        issued = with_service(
            ctx,
            lambda service: code_use.issue_codes(service, OPERATOR, code, year, group, keep, count),
        )
    except BaseException:
        # The transaction rolled back: a file of codes that do not exist must not stay.
        for path in written:
            path.unlink(missing_ok=True)
        raise
    earlier = issued.total.issued - len(issued.codes)
    typer.echo(
        f"Wrote {len(issued.codes)} codes for group {issued.group.name} of school "
        f"{issued.round.school} ({issued.round.school_year}) to {out}."
    )
    if slips is not None:
        typer.echo(f"Wrote {len(issued.codes)} slips for {chat_url} to {slips}.")
    if earlier:
        typer.echo(
            f"These are new codes, added to the {earlier} made before: the group now has "
            f"{issued.total.issued} codes for {issued.group.enrolled} pupils, "
            f"{issued.total.used} used."
        )


def _write(out: Path, issued: IssuedCodes) -> None:
    handle = open_new(out)
    try:
        with handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            for printed in issued.codes:
                cells = (
                    str(issued.round.school),
                    issued.round.school_year,
                    issued.group.name,
                    printed,
                )
                writer.writerow([spreadsheet_safe(cell) for cell in cells])
    except OSError:
        out.unlink(missing_ok=True)  # a half-written file of codes must not stay
        raise
