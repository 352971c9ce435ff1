"""``veilig simulate``: synthetic pupils answer a school's open round through the real engine.

The work is :func:`bot.service.simulate.simulate`; this command shows a progress bar on a
terminal and the summary.
"""

from __future__ import annotations

import sys

import typer

from bot.cli.output import count as counted
from bot.cli.runtime import (
    OPERATOR,
    SCHOOL_HELP,
    SchoolYear,
    school_code,
    school_year_or_current,
    with_service,
)
from bot.service.simulate import simulate as simulate_pupils
from veilig.errors import InvalidInput


def simulate(
    ctx: typer.Context,
    school: str = typer.Argument(..., help=SCHOOL_HELP),
    pupils: int = typer.Option(300, help="How many pupils answer."),
    seed: int = typer.Option(1, help="Random seed; the same seed gives the same answers."),
    school_year: SchoolYear = None,
) -> None:
    """Let synthetic pupils answer the school's open round, through the real engine."""
    code = school_code(school)
    year = school_year_or_current(school_year)
    if pupils < 1:
        raise InvalidInput(f"--pupils {pupils} is too few; ask for at least 1 pupil")
    bar = typer.progressbar(
        length=pupils, label="Simulating pupils", file=sys.stderr, hidden=not sys.stderr.isatty()
    )
    with bar:
        tally = with_service(
            ctx,
            lambda service: simulate_pupils(
                service, OPERATOR, code, year, pupils, seed, progress=bar.update
            ),
        )
    typer.echo(
        f"Simulated {counted(tally.started, 'pupil')} in {counted(len(tally.groups), 'group')} "
        f"of school {code} ({year}): {tally.completed} completed, {tally.partial} stopped part way."
    )
