"""``veilig deliver``: write a school year's delivery to the Inspectie into a folder.

Only schools with a closed round and consent for the year are delivered; the others are
listed with the reason, here and in the manifest. The files are checked against
docs/delivery.schema.json before anything is written, and the delivery is recorded (with the
manifest's checksum) in the same unit of work that writes them. See docs/delivery-format.md.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bot.cli.output import count
from bot.cli.runtime import (
    SchoolYear,
    at_least_one,
    now,
    record,
    school_year_or_current,
    with_database,
)
from storage.database import Database
from storage.repositories import deliveries
from storage.repositories.deliveries import MAX_FILE_NAME
from veilig.errors import Conflict, InvalidInput

if TYPE_CHECKING:
    from analytics.delivery import Delivery

# The analytics stack (pandas, scipy) is imported when a delivery is made, not at every start
# of the command line.


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
    from analytics.delivery import (
        MANIFEST,
        build_delivery,
        existing_delivery,
        refuse_existing,
        render_files,
        write_files,
    )

    year = school_year_or_current(school_year)
    at_least_one("--min-n", min_n)
    refuse_existing(out, force=force)
    manifest = str((out / MANIFEST).resolve())
    if len(manifest) > MAX_FILE_NAME:
        raise InvalidInput(f"the path {manifest} is too long to record; choose a shorter --out")
    before = set(existing_delivery(out))
    written = False

    async def work(database: Database) -> tuple[Delivery, dict[str, bytes] | None]:
        nonlocal written
        from analytics.load import load_dataset  # the batch's one read, only when delivering

        dataset = await load_dataset(database, school_year=year)
        delivery = build_delivery(dataset, year, min_n=min_n)
        if delivery.schools.empty:
            return delivery, None
        files = render_files(delivery)
        checksum = hashlib.sha256(files[MANIFEST]).hexdigest()
        async with database.transaction() as session:
            await deliveries.record(
                session,
                school_year=year,
                file_name=manifest,
                sha256=checksum,
                row_count=len(delivery.schools),
                now=now(),
            )
            await record(
                session,
                "delivery.write",
                school_year=year,
                schools=delivery.schools_delivered,
                rows=len(delivery.schools),
                suppressed=delivery.units_suppressed,
                not_delivered=len(delivery.not_delivered),
                manifest_sha256=checksum,
            )
            write_files(files, out, force=force)
            written = True
        return delivery, files

    try:
        delivery, files = with_database(ctx, work)
    except BaseException:
        # The record was rolled back: files it does not account for must not stay (a replaced
        # earlier delivery cannot be brought back; --force said so).
        if written:
            for name in existing_delivery(out):
                if name not in before:
                    (out / name).unlink(missing_ok=True)
        raise
    if files is None:
        _report_not_delivered(delivery)
        raise Conflict(
            f"no school has both a closed round and consent for {year}; nothing was written"
        )
    checksum = hashlib.sha256(files[MANIFEST]).hexdigest()
    typer.echo(
        f"Delivered {year} to {out}: {count(delivery.schools_delivered, 'school')} in "
        f"{count(len(delivery.schools), 'row')} ({delivery.units_suppressed} suppressed: "
        f"fewer than {min_n} respondents), {len(delivery.option_shares)} option-share rows."
    )
    typer.echo(f"Files: {', '.join(files)}; manifest SHA-256 {checksum}.")
    _report_not_delivered(delivery)


def _report_not_delivered(delivery: Delivery) -> None:
    from analytics.delivery import REASON_TEXT

    if not delivery.not_delivered:
        return
    typer.echo(f"Not delivered ({len(delivery.not_delivered)}):")
    for school in delivery.not_delivered:
        typer.echo(f"  {school.school}  {'; '.join(REASON_TEXT[r] for r in school.reasons)}")
