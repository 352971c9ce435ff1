"""``veilig demo``: the whole product on a fresh machine, in one command.

On a scratch database in a temporary folder (the configured database is not touched): a demo
school with its groups and an open round, synthetic pupils answering through the application
layer, the round closed and consent given; then every output a school year has: the school
report (PDF, PNG charts, chat text), the delivery to the Inspectie, the research export and the
instrument report, written to ``--out``. The clock stands still at :data:`DEMO_NOW`, so the same
``--seed`` and ``--pupils`` give the same bytes.
"""

from __future__ import annotations

import asyncio
import math
import secrets
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

from bot.cli.deliver import write_files
from bot.cli.export import Targets, targets_of, write_export
from bot.cli.instrument import write_evidence
from bot.cli.report import write_report_files
from bot.service import consent, rounds
from bot.service.actors import Actor
from bot.service.context import Context, FixedClock
from bot.service.demo import DEMO_GROUPS, create_demo_school
from bot.service.records import SchoolCode
from bot.service.results import (
    ExportFiles,
    deliver,
    instrument_evidence,
    research_export,
    school_report,
)
from bot.service.simulate import simulate
from veilig.errors import InvalidInput
from veilig.settings import load_settings

#: The demo's clock: a day in the autumn survey season of the 2026-2027 school year.
DEMO_NOW = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
DEMO = Actor.operator("demo")
MIN_PUPILS, MAX_PUPILS = 20, 3000
_PER_GROUP = 400  # the most pupils a group may have


def demo(
    out: Path = typer.Option(Path("demo-output"), "--out", help="Folder for the outputs."),
    pupils: int = typer.Option(300, "--pupils", help="How many synthetic pupils answer."),
    seed: int = typer.Option(1, "--seed", help="The same seed gives the same files."),
) -> None:
    """Show the whole product: a school's round from codes to the delivery, in one folder."""
    if not MIN_PUPILS <= pupils <= MAX_PUPILS:
        raise InvalidInput(
            f"--pupils {pupils} is out of range; a demo has {MIN_PUPILS} to {MAX_PUPILS} pupils"
        )
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InvalidInput(f"{out} exists and is not empty; choose another --out or remove it")
    out.mkdir(parents=True, exist_ok=True)
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        written = asyncio.run(_demo(out, pupils, seed, progress))
    typer.echo(f"The demo school's year is in {out}/:")
    for label, paths in written.items():
        typer.echo(f"  {label}:")
        for path in paths:
            typer.echo(f"    {path}")
    typer.echo("Next: veilig serve starts the web chat, where you can answer as a pupil.")


async def _demo(out: Path, pupils: int, seed: int, progress: Progress) -> dict[str, list[Path]]:
    answering = sum(enrolled for _, grade, enrolled in DEMO_GROUPS if grade >= 5)
    scale = max(1, math.ceil(pupils * 1.15 / answering))
    biggest = max(enrolled for _, _, enrolled in DEMO_GROUPS)
    if biggest * scale > _PER_GROUP:  # pragma: no cover - MAX_PUPILS keeps it below
        raise InvalidInput(f"--pupils {pupils} needs groups larger than {_PER_GROUP} pupils")
    steps = progress.add_task("Setting up the demo school", total=pupils + 6)

    def step(description: str, advance: int = 1) -> None:
        progress.update(steps, description=description, advance=advance)

    with tempfile.TemporaryDirectory(prefix="veilig-demo-") as folder:
        settings = load_settings(
            data_dir=Path(folder), database_url="", secret_key=secrets.token_urlsafe(32)
        )
        async with Context.open(settings, clock=FixedClock(DEMO_NOW)) as ctx:
            school = await create_demo_school(ctx, DEMO, scale)
            year = school.school_year
            step(f"{pupils} pupils answering", 0)
            await simulate(ctx, DEMO, school.code, year, pupils, seed, progress=step_by(step))
            await rounds.close_round(ctx, DEMO, school.code, year)
            await consent.give_consent(ctx, DEMO, school.code, year, "Directeur (demo)")
            step("Closed the round and gave consent")
            return await _outputs(ctx, out, school.code, year, step)


def step_by(step: Callable[[str, int], None]) -> Callable[[int], None]:
    return lambda done: step("Pupils answering", done)


async def _outputs(
    ctx: Context, out: Path, school: SchoolCode, year: str, step: Callable[..., None]
) -> dict[str, list[Path]]:
    written: dict[str, list[Path]] = {}
    report_dir = out / "report"
    await asyncio.to_thread(report_dir.mkdir)
    made = await school_report(ctx, DEMO, school, year)
    written["School report (PDF, charts, chat text)"] = write_report_files(
        made, report_dir / "report.pdf"
    )
    step("Wrote the school report")

    delivery_dir = out / "delivery"

    async def keep_delivery(files: dict[str, bytes]) -> None:
        write_files(files, delivery_dir, force=False)

    delivered = await deliver(
        ctx, DEMO, year, min_n=10, target=str(delivery_dir.resolve()), keep=keep_delivery
    )
    written["Delivery to the Inspectie"] = [delivery_dir / name for name in delivered.files or {}]
    step("Wrote the delivery")

    targets: Targets = targets_of(out / "research-export.csv")
    exported: list[Path] = []

    async def keep_export(files: ExportFiles) -> list[str]:
        exported.extend(write_export(files, targets))
        return [path.name for path in exported]

    await research_export(ctx, DEMO, year, min_n=10, spss=False, keep=keep_export)
    written["Research export (one row per pupil, no linking ids)"] = exported
    step("Wrote the research export")

    evidence = await instrument_evidence(ctx, DEMO, year, min_n=10, min_schools=20)
    written["Instrument report"] = write_evidence(evidence, out / "instrument.md")
    step("Wrote the instrument report")
    return written
