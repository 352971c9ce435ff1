"""``veilig deliver``: write a school year's delivery to the Inspectie into a folder.

Only schools with a closed round and consent in force are delivered; the others are listed
with the reason, here and in the manifest. The work is :func:`bot.service.results.deliver`;
this command writes the files inside its unit of work, each to a temporary name first and then
renamed, the manifest last. See docs/delivery-format.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import typer

from bot.cli.files import write_all
from bot.cli.output import count
from bot.cli.runtime import (
    OPERATOR,
    SchoolYear,
    at_least_one,
    school_year_or_current,
    with_service,
)
from bot.service.results import DeliveryResult, delivery_file_names, reason_text
from bot.service.results import deliver as deliver_year
from veilig.errors import Conflict, InvalidInput

#: The longest manifest path the delivery record keeps.
MAX_FILE_NAME = 255


def deliver(
    ctx: typer.Context,
    out: Path = typer.Option(
        ..., help="Folder to write the delivery to; made if missing, must not hold one yet."
    ),
    school_year: SchoolYear = None,
    min_n: int = typer.Option(
        10, "--min-n", help="Fewest respondents (and pupils under a share) to publish a figure."
    ),
    force: bool = typer.Option(
        False, "--force", help="Replace a delivery already in the folder (other files stay)."
    ),
) -> None:
    """Write the school figures for the Inspectie (JSON, CSV, schema, manifest) to a folder."""
    year = school_year_or_current(school_year)
    at_least_one("--min-n", min_n)
    _refuse_existing(out, force=force)
    manifest = str((out / delivery_file_names()[-1]).resolve())
    if len(manifest) > MAX_FILE_NAME:
        raise InvalidInput(f"the path {manifest} is too long to record; choose a shorter --out")
    before = set(_existing(out))
    written = False

    async def keep(files: dict[str, bytes]) -> None:
        nonlocal written
        write_files(files, out, force=force)
        written = True

    try:
        result: DeliveryResult = with_service(
            ctx,
            lambda service: deliver_year(
                service, OPERATOR, year, min_n=min_n, target=manifest, keep=keep
            ),
        )
    except BaseException:
        # The record was rolled back: files it does not account for must not stay (a replaced
        # earlier delivery cannot be brought back; --force said so).
        if written:
            for name in _existing(out):
                if name not in before:
                    (out / name).unlink(missing_ok=True)
        raise
    delivery = result.delivery
    if result.files is None:
        _report_not_delivered(result)
        raise Conflict(
            f"no school has both a closed round and consent for {year}; nothing was written"
        )
    typer.echo(
        f"Delivered {year} to {out}: {count(delivery.schools_delivered, 'school')} in "
        f"{count(len(delivery.schools), 'row')} ({delivery.units_suppressed} suppressed: "
        f"fewer than {min_n} respondents), {len(delivery.option_shares)} option-share rows."
    )
    typer.echo(f"Files: {', '.join(result.files)}; manifest SHA-256 {result.manifest_sha256}.")
    _report_not_delivered(result)


def _existing(out: Path) -> list[str]:
    """The delivery files that ``out`` already holds (empty when it holds none)."""
    if not out.exists():
        return []
    if not out.is_dir():
        raise InvalidInput(f"{out} is a file, not a folder; give a folder for the delivery")
    return [name for name in delivery_file_names() if (out / name).exists()]


def _refuse_existing(out: Path, *, force: bool) -> None:
    present = _existing(out)
    if present and not force:
        raise InvalidInput(
            f"{out} already holds a delivery ({', '.join(present)}); choose a new folder, or "
            "pass --force to replace it"
        )


def write_files(files: Mapping[str, bytes], out: Path, *, force: bool) -> None:
    """Every file whole, then in place, the manifest last: a reader never sees a half-written
    file, nor a manifest before every file it lists is in place (bot/cli/files.py)."""
    _refuse_existing(out, force=force)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(
            f"cannot write the delivery to {out}: {exc.strerror}; check the folder"
        ) from None
    write_all({out / name: data for name, data in files.items()}, force=force)


def _report_not_delivered(result: DeliveryResult) -> None:
    missing = result.delivery.not_delivered
    if not missing:
        return
    typer.echo(f"Not delivered ({len(missing)}):")
    for school in missing:
        typer.echo(f"  {school.school}  {'; '.join(reason_text(r) for r in school.reasons)}")
