"""``veilig report``: the school report as PDF, with its charts as PNG and a text for chat.

The one database step is :func:`analytics.load.load_dataset` for this school year and the one
before: the report sets the school beside the other schools of its sector and beside its own
previous year.
Everything after that is pure (:mod:`analytics.school_results`, :mod:`analytics.report`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bot.cli.runtime import SchoolYear, at_least_one, school_year_or_current, today, with_database
from storage.database import Database
from storage.values import SchoolCode
from veilig.errors import InvalidInput

if TYPE_CHECKING:
    from analytics.dataset import Dataset


def report(
    ctx: typer.Context,
    school: str = typer.Argument(..., help="School code: BRIN + vestiging, e.g. 12AB00."),
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
) -> None:
    """Make the school report for the school team and the medezeggenschapsraad."""
    # pandas and matplotlib load here, not at start-up of every veilig command.
    from analytics.report import write_report
    from analytics.report.i18n import LANGUAGES
    from analytics.school_results import previous_school_year, school_results

    code = str(SchoolCode.parse(school))
    year = school_year_or_current(school_year)
    at_least_one("--min-n", min_n)
    at_least_one("--min-schools", min_schools)
    if out.suffix.lower() != ".pdf":
        raise InvalidInput(f"--out {out}: the report is a PDF; give a file name ending in .pdf")
    if lang not in LANGUAGES:
        raise InvalidInput(f"--lang {lang}: the report is written in {', '.join(LANGUAGES)}")
    if not out.parent.is_dir():
        raise InvalidInput(f"--out {out}: the folder {out.parent} does not exist; create it first")

    async def work(database: Database) -> Dataset:
        from analytics.load import load_dataset  # the batch's one read, only when reporting

        return await load_dataset(database, school_years=(previous_school_year(year), year))

    dataset = with_database(ctx, work)
    results = school_results(dataset, code, year, min_n=min_n, min_schools=min_schools)
    files = write_report(results, dataset.questionnaire, out, language=lang, today=today())
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
    typer.echo(f"Wrote {files.pdf}")
    for path in (*files.charts, files.text):
        typer.echo(f"Wrote {path}")
