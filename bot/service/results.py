"""Results: one school's report, the delivery to the Inspectie, the research export and the
instrument's evidence. The figures come from :mod:`analytics`; files are the adapter's.

One school's report reads that school's own answers (this year and last) and the stored
figures of its peers (kept when rounds close and when the national batch runs), never every
school's answers; the CPU-bound part runs through :meth:`Context.compute`, off the event loop
of a chat process.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bot.service.access import Action, allowed, check
from bot.service.actors import Actor
from bot.service.audit import record
from bot.service.context import Context
from bot.service.pupils import band_of
from bot.service.rounds import store_figures
from storage.repositories import deliveries, figures, groups, schools
from storage.values import SchoolCode
from veilig.errors import InvalidInput

if TYPE_CHECKING:
    import pandas as pd

    from analytics.dataset import Dataset
    from analytics.delivery import Delivery
    from analytics.export import ResearchExport
    from analytics.report import Report
    from analytics.school_results import SchoolResults

REPORT_LANGUAGES = ("nl", "en")


@dataclass(frozen=True)
class SchoolReport:
    """A school's results and the report made of them (PDF, charts, chat text) in memory."""

    results: SchoolResults
    report: Report


@dataclass(frozen=True)
class DeliveryResult:
    """A delivery: what it holds, its files (None: no school could be delivered), checksum."""

    delivery: Delivery
    files: dict[str, bytes] | None

    @property
    def manifest_sha256(self) -> str | None:
        from analytics.delivery import MANIFEST

        return None if self.files is None else hashlib.sha256(self.files[MANIFEST]).hexdigest()


#: The largest minimum accepted: beyond any school or any number of schools.
MAX_COUNT = 100_000


def _at_least_one(name: str, value: int) -> None:
    if not 1 <= value <= MAX_COUNT:
        raise InvalidInput(f"{name} must be 1 to {MAX_COUNT:,}, got {value}")


async def school_report(
    ctx: Context,
    actor: Actor,
    school: SchoolCode,
    school_year: str,
    *,
    language: str = "nl",
    min_n: int = 10,
    min_schools: int = 20,
) -> SchoolReport:
    """The school report of ``school`` for ``school_year`` (see the module docstring)."""
    from analytics.load import load_dataset
    from analytics.school_results import previous_school_year
    from analytics.school_results.units import peer_frame

    _at_least_one("the minimum number of pupils", min_n)
    _at_least_one("the minimum number of schools", min_schools)
    if language not in REPORT_LANGUAGES:
        raise InvalidInput(
            f"the report is written in {', '.join(REPORT_LANGUAGES)}, not {language!r}"
        )
    async with allowed(ctx, actor, school, Action.REPORT) as session:
        owner = await schools.get(session, school)
        await record(session, ctx, actor, "report.make", school, school_year=school_year)
        bands = set()
        for group in await groups.list_for(session, school, school_year):
            try:
                bands.add(band_of(owner.sector, group.grade))
            except InvalidInput:
                continue  # too young to answer
        stored = [
            (str(unit.school), unit.school_year, unit.figures)
            for band in sorted(bands)
            for unit in await figures.of_peers(session, school_year, owner.sector, band)
        ]
    dataset = await load_dataset(
        ctx.database,
        school_years=(previous_school_year(school_year), school_year),
        school=str(school),
    )
    return await ctx.compute(
        _make_school_report,
        dataset,
        peer_frame(stored),
        str(school),
        school_year,
        language,
        min_n,
        min_schools,
        ctx.today(),
    )


def _make_school_report(
    dataset: Dataset,
    peers: pd.DataFrame,
    school: str,
    school_year: str,
    language: str,
    min_n: int,
    min_schools: int,
    today: date,
) -> SchoolReport:
    """The CPU-bound part of :func:`school_report` (runs in a worker process in a server)."""
    from analytics.report import make_report
    from analytics.school_results import school_results

    results = school_results(
        dataset, school, school_year, min_n=min_n, min_schools=min_schools, peers=peers
    )
    report = make_report(results, dataset.questionnaire, language=language, today=today)
    return SchoolReport(results, report)


Keep = Callable[[dict[str, bytes]], Awaitable[None]]


async def deliver(
    ctx: Context, actor: Actor, school_year: str, *, min_n: int, target: str, keep: Keep
) -> DeliveryResult:
    """The school year's delivery to the Inspectie (operator only).

    Only schools with a closed round and consent in force are delivered. ``keep`` writes the
    files (``target`` names where, for the record) inside the transaction that records the
    delivery, so a delivery on disk always has its record. The national batch also keeps
    every school's figures for later reports' comparisons.
    """
    from analytics.delivery import MANIFEST, build_delivery, render_files
    from analytics.load import load_dataset

    _at_least_one("the minimum number of pupils", min_n)
    await check(ctx, actor, None, Action.DELIVER)  # before the national read, not after
    dataset = await load_dataset(ctx.database, school_year=school_year)
    delivery = build_delivery(dataset, school_year, min_n=min_n)
    await store_figures(ctx, dataset, school_year)
    if delivery.schools.empty:
        return DeliveryResult(delivery, None)
    files = render_files(delivery)
    checksum = hashlib.sha256(files[MANIFEST]).hexdigest()
    async with allowed(ctx, actor, None, Action.DELIVER) as session:
        await deliveries.record(
            session,
            school_year=school_year,
            file_name=target,
            sha256=checksum,
            row_count=len(delivery.schools),
            now=ctx.now(),
        )
        await record(
            session,
            ctx,
            actor,
            "delivery.write",
            school_year=school_year,
            schools=delivery.schools_delivered,
            rows=len(delivery.schools),
            suppressed=delivery.units_suppressed,
            not_delivered=len(delivery.not_delivered),
            manifest_sha256=checksum,
        )
        await keep(files)
    return DeliveryResult(delivery, files)


@dataclass(frozen=True)
class ExportFiles:
    """The research export's content, for the adapter to write: the data and codebook as CSV
    text and, when asked for, a writer of the SPSS file."""

    data: str
    codebook: str
    write_sav: Callable[[Path], None] | None


ExportKeep = Callable[[ExportFiles], Awaitable[list[str]]]


async def research_export(
    ctx: Context, actor: Actor, school_year: str, *, min_n: int, spss: bool, keep: ExportKeep
) -> ResearchExport:
    """The respondent-level export of a school year (operator only).

    ``keep`` writes the files and returns their names; it runs inside the transaction of the
    audit event, so pupil-level files never exist without their event (the adapter removes
    them if the commit fails).
    """
    from analytics.export import codebook_csv, export_csv, require_spss, write_sav
    from analytics.export import research_export as build_export
    from analytics.load import load_dataset

    _at_least_one("the minimum number of pupils", min_n)
    await check(ctx, actor, None, Action.EXPORT)
    if spss:
        require_spss()  # before reading the database, not after
    dataset = await load_dataset(ctx.database, school_year=school_year)
    result = build_export(dataset, school_year, min_n=min_n)
    files = ExportFiles(
        export_csv(result),
        codebook_csv(result),
        functools.partial(write_sav, result, questionnaire=dataset.questionnaire) if spss else None,
    )
    async with allowed(ctx, actor, None, Action.EXPORT) as session:
        names = await keep(files)
        await record(
            session,
            ctx,
            actor,
            "export.write",
            school_year=school_year,
            rows=len(result.data),
            file_names=names,
        )
    return result


@dataclass(frozen=True)
class InstrumentEvidence:
    """The instrument report as Markdown, its tables as CSV text, and the bands it covers."""

    markdown: str
    tables: dict[str, str]
    bands: tuple[str, ...]


async def instrument_evidence(
    ctx: Context, actor: Actor, school_year: str, *, min_n: int, min_schools: int
) -> InstrumentEvidence:
    """Item distributions, reliability, factor structure and norms of a school year."""
    from analytics.load import load_dataset

    _at_least_one("the minimum number of pupils", min_n)
    _at_least_one("the minimum number of schools", min_schools)
    await check(ctx, actor, None, Action.INSTRUMENT)
    dataset = await load_dataset(ctx.database, school_year=school_year)
    return await ctx.compute(_instrument, dataset, school_year, min_n, min_schools)


def _instrument(
    dataset: Dataset, school_year: str, min_n: int, min_schools: int
) -> InstrumentEvidence:
    from analytics.instrument import instrument_report, render_markdown

    result = instrument_report(dataset, school_year, min_n=min_n, min_schools=min_schools)
    tables = {
        name: table.to_csv(index=False, lineterminator="\n")
        for name, table in result.tables().items()
    }
    bands = tuple(str(band) for band in result.bands["band"])
    return InstrumentEvidence(render_markdown(result), tables, bands)


def delivery_file_names() -> tuple[str, ...]:
    """The names of a delivery's files, the manifest last."""
    from analytics.delivery import DATA_FILES, MANIFEST

    return (*DATA_FILES, MANIFEST)


def reason_text(reason: str) -> str:
    """Why a school was not delivered, in words."""
    from analytics.delivery import REASON_TEXT, Reason

    return REASON_TEXT[Reason(reason)]
