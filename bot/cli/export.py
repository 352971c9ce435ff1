"""``veilig export``: the respondent-level research export of a school year.

Writes ``FILE.csv`` and its codebook ``FILE.codebook.csv``, and with ``--out FILE.sav`` also
the SPSS file (needs ``pip install 'veilig[spss]'``). The files hold answers of individual
pupils, so they are written once (never over an existing file) and readable only by the
operator (mode 0600). Every export leaves an audit event (``export.write``: school year, row
count and file names, never data), recorded in the transaction that the files are written in;
if it cannot be recorded, the files are removed again. The rules are in
:mod:`analytics.export`; the reader's guide is docs/research-export.md.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import typer

from bot.cli.files import write_all
from bot.cli.output import count
from bot.cli.runtime import OPERATOR, SchoolYear, at_least_one, school_year_or_current, with_service
from bot.service.results import ExportFiles, research_export
from veilig.errors import InvalidInput


@dataclass(frozen=True)
class Targets:
    data: Path
    codebook: Path
    sav: Path | None

    def all(self) -> list[Path]:
        return [self.data, self.codebook, *([self.sav] if self.sav else [])]


def targets_of(out: Path) -> Targets:
    suffix = out.suffix.lower()
    if suffix not in ("", ".csv", ".sav"):
        raise InvalidInput(
            f"--out {out}: give a name ending in .csv (CSV and codebook) or .sav (SPSS too)"
        )
    stem = out.with_suffix("") if suffix else out
    return Targets(
        data=stem.with_name(stem.name + ".csv"),
        codebook=stem.with_name(stem.name + ".codebook.csv"),
        sav=stem.with_name(stem.name + ".sav") if suffix == ".sav" else None,
    )


def write_export(files: ExportFiles, targets: Targets) -> list[Path]:
    """Write the files of ``targets``, all or none, never over an existing file."""
    content = {targets.data: files.data.encode("utf-8"), targets.codebook: files.codebook.encode()}
    if targets.sav is not None and files.write_sav is not None:
        descriptor, temporary = tempfile.mkstemp(
            dir=targets.sav.parent, prefix=".veilig-export-", suffix=".sav"
        )
        os.close(descriptor)  # mode 0600 from mkstemp; pyreadstat writes into it
        try:
            files.write_sav(Path(temporary))
            content[targets.sav] = Path(temporary).read_bytes()
        finally:
            Path(temporary).unlink(missing_ok=True)
    return write_all(content)


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def export(
    ctx: typer.Context,
    out: Path = typer.Option(
        ...,
        help="File to write: NAME.csv (with NAME.codebook.csv), or NAME.sav to write the "
        "SPSS file as well. Existing files are never overwritten.",
    ),
    school_year: SchoolYear = None,
    min_n: int = typer.Option(
        10, "--min-n", help="Fewest respondents of a school-band, grade or group to show it."
    ),
) -> None:
    """Write every response of a school year, one row per pupil, for research."""
    year = school_year_or_current(school_year)
    at_least_one("--min-n", min_n)
    targets = targets_of(out)
    if not targets.data.parent.is_dir():
        raise InvalidInput(f"folder {targets.data.parent} does not exist; create it first")
    existing = [str(path) for path in targets.all() if path.exists()]
    if existing:
        raise InvalidInput(
            f"{', '.join(existing)} exists already; the export is written once, choose a new "
            "file name"
        )
    written: list[Path] = []

    async def keep(files: ExportFiles) -> list[str]:
        written.extend(write_export(files, targets))
        return [str(path.resolve()) for path in written]

    try:
        result = with_service(
            ctx,
            lambda service: research_export(
                service, OPERATOR, year, min_n=min_n, spss=targets.sav is not None, keep=keep
            ),
        )
    except BaseException:
        _remove(written)  # pupil data without an audit trail must not stay
        raise
    schools = result.data["school"].nunique()
    names = ", ".join(str(path) for path in written)
    typer.echo(
        f"Wrote {count(len(result.data), 'respondent')} of {count(schools, 'school')} ({year}) "
        f"to {names}."
    )
    if result.left_out_respondents:
        typer.echo(
            f"Left out {count(result.left_out_respondents, 'respondent')} of "
            f"{count(result.left_out_units, 'school-band')} with fewer than {min_n} respondents."
        )
    if result.not_closed_respondents:
        typer.echo(
            f"Left out {count(result.not_closed_respondents, 'respondent')} of "
            f"{count(result.not_closed_units, 'school-band')} whose round is still open "
            "(only closed rounds are exported; see docs/research-export.md)."
        )
    if result.blank_grades or result.blank_groups:
        typer.echo(
            f"Blanked to protect small cells: grade in {result.blank_grades} rows, group in "
            f"{result.blank_groups} rows (see docs/research-export.md)."
        )
