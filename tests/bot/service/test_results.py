"""Results through the application layer: figures kept at close, one school's report."""

from __future__ import annotations

import json

from sqlalchemy import text

from bot.service import results, rounds
from bot.service.context import Context
from bot.service.simulate import simulate
from tests.bot.service.conftest import LINDE, OPERATOR, YEAR, School


async def _stored(ctx: Context) -> list[tuple[str, float]]:
    async with ctx.database.transaction() as session:
        rows = await session.execute(text("SELECT band, figures FROM school_figures"))
        found = []
        for band, figures in rows:
            values = figures if isinstance(figures, dict) else json.loads(figures)
            found.append((band, values["respondents"]))
        return found


async def test_closing_keeps_the_schools_figures_for_its_peers(
    ctx: Context, school: School
) -> None:
    await simulate(ctx, OPERATOR, LINDE, YEAR, 30, seed=2)
    assert await _stored(ctx) == []  # nothing kept while pupils may still answer
    made = await results.school_report(ctx, OPERATOR, LINDE, YEAR)
    assert made.results.figures is not None and made.report.pdf.startswith(b"%PDF-")
    await rounds.close_round(ctx, OPERATOR, LINDE, YEAR)
    ((band, respondents),) = await _stored(ctx)
    assert band == "po" and respondents == made.results.figures.respondents
    again = await results.school_report(ctx, OPERATOR, LINDE, YEAR)
    assert again.report.text == made.report.text  # its own stored figures are no peer


async def test_a_report_is_computed_in_a_worker_process(ctx: Context, school: School) -> None:
    """As ``veilig serve`` runs it: off the event loop, in a spawned process (everything it
    is given and returns must cross a process boundary)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    await simulate(ctx, OPERATOR, LINDE, YEAR, 25, seed=4)
    inline = await results.school_report(ctx, OPERATOR, LINDE, YEAR)
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        pooled = Context(ctx.settings, ctx.database, ctx.clock, executor=pool)
        made = await results.school_report(pooled, OPERATOR, LINDE, YEAR)
    assert made.report.text == inline.report.text and made.report.pdf == inline.report.pdf
