"""``veilig instrument report``: the instrument's own evidence for a school year.

Writes a Markdown report (``--out NAME.md``) and, beside it, every table as CSV
(``NAME.items.csv``, ``NAME.reliability.csv``, ...) with figures unrounded. Only aggregates
with small cells suppressed are written; a new run replaces them only with ``--force``. The
statistics are in :mod:`analytics.instrument`; how to read them is docs/instrument.md.
"""

from __future__ import annotations

from pathlib import Path

import typer

from bot.cli.files import check_targets, write_all
from bot.cli.runtime import (
    OPERATOR,
    SchoolYear,
    at_least_one,
    school_year_or_current,
    with_service,
)
from bot.service.results import InstrumentEvidence, instrument_evidence
from veilig.errors import InvalidInput

app = typer.Typer(
    help="Evidence that the questionnaire measures well: items, reliability, factors, norms.",
    no_args_is_help=True,
)


def table_path(out: Path, name: str) -> Path:
    """Where the CSV of table ``name`` goes beside the report ``out`` (NAME.<table>.csv)."""
    return out.with_name(f"{out.stem}.{name}.csv")


@app.command()
def report(
    ctx: typer.Context,
    out: Path = typer.Option(
        ..., help="Markdown file to write (NAME.md); the tables go beside it as NAME.<table>.csv."
    ),
    school_year: SchoolYear = None,
    min_n: int = typer.Option(10, "--min-n", help="Fewest pupils behind a published figure."),
    min_schools: int = typer.Option(
        20, "--min-schools", help="Fewest schools for the norms (percentiles)."
    ),
    force: bool = typer.Option(False, "--force", help="Replace the files of an earlier run."),
) -> None:
    """Write item distributions, reliability, factor structure and norms of a school year."""
    year = school_year_or_current(school_year)
    if out.suffix.lower() != ".md":
        raise InvalidInput(f"--out {out}: give a Markdown file name ending in .md")
    if not out.parent.is_dir():
        raise InvalidInput(f"folder {out.parent} does not exist; create it first")
    at_least_one("--min-n", min_n)
    at_least_one("--min-schools", min_schools)
    check_targets([out], force=force)
    evidence = with_service(
        ctx,
        lambda service: instrument_evidence(
            service, OPERATOR, year, min_n=min_n, min_schools=min_schools
        ),
    )
    write_evidence(evidence, out, force=force)
    typer.echo(
        f"Wrote the instrument report {year} (bands: {', '.join(evidence.bands) or 'none'}) to "
        f"{out} and {len(evidence.tables)} tables beside it ({table_path(out, '<table>').name})."
    )


def write_evidence(evidence: InstrumentEvidence, out: Path, *, force: bool = False) -> list[Path]:
    """The Markdown report at ``out`` and its tables beside it, all or none; returns the
    paths written."""
    files = {out: evidence.markdown.encode("utf-8")}
    for name, text in evidence.tables.items():
        files[table_path(out, name)] = text.encode("utf-8")
    return write_all(files, force=force)
