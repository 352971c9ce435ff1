"""``veilig report``: the school report as PDF, with its charts as PNG and a text for chat.

The work is :func:`bot.service.results.school_report`: the school's own answers and the
stored figures of its peers; this command writes the files.
"""

from __future__ import annotations

from pathlib import Path

import typer

from bot.cli.files import check_targets, write_all
from bot.cli.runtime import (
    OPERATOR,
    SCHOOL_HELP,
    SchoolYear,
    at_least_one,
    school_code,
    school_year_or_current,
    with_service,
)
from bot.service.results import REPORT_LANGUAGES, SchoolReport, school_report
from veilig.errors import InvalidInput


def report(
    ctx: typer.Context,
    school: str = typer.Argument(..., help=SCHOOL_HELP),
    out: Path = typer.Option(
        ...,
        "--out",
        help="The PDF to write, e.g. report.pdf; the charts (report-*.png) and the text "
        "summary (report.txt) are written beside it.",
    ),
    school_year: SchoolYear = None,
    lang: str = typer.Option("nl", "--lang", help="Language of the report: nl or en."),
    min_n: int = typer.Option(
        10, "--min-n", help="Fewest pupils behind any figure shown; smaller groups are hidden."
    ),
    min_schools: int = typer.Option(
        20, "--min-schools", help="Fewest schools of the sector for a comparison with others."
    ),
    force: bool = typer.Option(False, "--force", help="Replace the files of an earlier report."),
) -> None:
    """Make the school report for the school team and the medezeggenschapsraad."""
    code = school_code(school)
    year = school_year_or_current(school_year)
    at_least_one("--min-n", min_n)
    at_least_one("--min-schools", min_schools)
    if out.suffix.lower() != ".pdf":
        raise InvalidInput(f"--out {out}: the report is a PDF; give a file name ending in .pdf")
    if lang not in REPORT_LANGUAGES:
        raise InvalidInput(f"--lang {lang}: the report is written in {', '.join(REPORT_LANGUAGES)}")
    if not out.parent.is_dir():
        raise InvalidInput(f"--out {out}: the folder {out.parent} does not exist; create it first")
    check_targets([out, out.with_suffix(".txt")], force=force)

    made = with_service(
        ctx,
        lambda service: school_report(
            service, OPERATOR, code, year, language=lang, min_n=min_n, min_schools=min_schools
        ),
    )
    results = made.results
    written = write_report_files(made, out, force=force)
    if results.figures is None:
        typer.echo(
            f"School {code} has fewer than {min_n} respondents in {year}: the report says so "
            "and shows no figures."
        )
    else:
        typer.echo(
            f"Report of school {code} for {year}: {results.figures.respondents} respondents "
            f"of {results.enrolled} enrolled."
        )
    for path in written:
        typer.echo(f"Wrote {path}")


def write_report_files(made: SchoolReport, out: Path, *, force: bool = False) -> list[Path]:
    """The PDF at ``out``, each chart beside it as ``<stem>-<chart>.png``, the chat text as
    ``<stem>.txt``, all or none; returns the paths written."""
    content = made.report
    files = {out: content.pdf}
    for name, png in content.charts.items():
        files[out.with_name(f"{out.stem}-{name}.png")] = png
    files[out.with_suffix(".txt")] = content.text.encode("utf-8")
    return write_all(files, force=force)
