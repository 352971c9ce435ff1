"""One school's report on a national-size database: the chat path against the old whole-year path.

    .venv/bin/pip install -e '.[dev,bench]'
    .venv/bin/python bench/report_school.py --pupils 1500000     # the national year

1. **Fill** (not timed): the national benchmark's database (``bench/aggregate_national.py``:
   8,000 vestigingen for 1.5 million pupils, every round closed), then the national batch's
   by-product: every school's figures kept for comparisons
   (:func:`bot.service.rounds.store_figures`, timed and reported on its own).
2. **The same school's report, twice, each in a fresh child process** (so peak memory is its
   own): the largest school of the year, in Dutch, PDF, charts and chat text in memory.

   - *whole years* (the reference, how ``veilig report`` worked until 2026-12): read two whole
     school years (:func:`analytics.load.load_dataset`), compute the school's results among its
     peers, render the report;
   - *one school* (the application layer, what a coordinator's ``/rapport`` runs):
     :func:`bot.service.results.school_report`, which reads the school's own answers and its
     peers' stored figures.

Goal (2-core machine): one school's report under 2 s and under 300 MB at national size. Both
reports must hold the same figures (the bench checks the respondents, both scale means and the
peers' percentile). Measured for the median school and the largest one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from aggregate_national import SCHOOL_YEAR, SECRET, _drop, peak_bytes, prepare  # noqa: E402

TODAY = date(2027, 3, 1)


def _settings(url: str) -> Any:
    from veilig.settings import load_settings

    return load_settings(database_url=url, secret_key=SECRET.decode())


async def _keep_figures(url: str) -> dict[str, Any]:
    from analytics.load import load_dataset
    from bot.service.context import Context, FixedClock
    from bot.service.rounds import store_figures

    async with Context.open(
        _settings(url), clock=FixedClock(datetime(2027, 3, 1, tzinfo=UTC))
    ) as ctx:
        dataset = await load_dataset(ctx.database, school_year=SCHOOL_YEAR)
        sizes = dataset.responses.groupby("school", observed=True).size().sort_values()
        started = time.perf_counter()
        kept = await store_figures(ctx, dataset, SCHOOL_YEAR)
        median = sizes.index[len(sizes) // 2]
        return {
            "store_s": time.perf_counter() - started,
            "units": kept,
            "schools": {"median": str(median), "largest": str(sizes.index[-1])},
            "pupils": {"median": int(sizes[median]), "largest": int(sizes.iloc[-1])},
        }


def _figures(results: Any) -> dict[str, Any]:
    figures = results.figures
    safety = figures.scale("veiligheidsbeleving")
    return {
        "respondents": figures.respondents,
        "safety_mean": safety.mean,
        "wellbeing_mean": figures.scale("welbevinden").mean,
        "percentile": None if safety.peers is None else safety.peers.percentile,
        "peer_schools": None if safety.peers is None else safety.peers.schools,
    }


async def _whole_years(url: str, school: str) -> dict[str, Any]:
    from analytics.load import load_dataset
    from analytics.report import make_report
    from analytics.school_results import previous_school_year, school_results
    from storage.database import Database
    from storage.pseudonyms import Keyring

    database = Database(url, Keyring(SECRET))
    try:
        started = time.perf_counter()
        years = (previous_school_year(SCHOOL_YEAR), SCHOOL_YEAR)
        dataset = await load_dataset(database, school_years=years)
        loaded = time.perf_counter()
        results = school_results(dataset, school, SCHOOL_YEAR)
        report = make_report(results, dataset.questionnaire, today=TODAY)
        done = time.perf_counter()
    finally:
        await database.dispose()
    return {
        "load_s": loaded - started,
        "total_s": done - started,
        "pdf_bytes": len(report.pdf),
        **_figures(results),
    }


async def _one_school(url: str, school: str) -> dict[str, Any]:
    from bot.service.actors import Actor
    from bot.service.context import Context, FixedClock
    from bot.service.records import SchoolCode
    from bot.service.results import school_report

    clock = FixedClock(datetime(2027, 3, 1, tzinfo=UTC))
    async with Context.open(_settings(url), clock=clock) as ctx:
        started = time.perf_counter()
        made = await school_report(
            ctx, Actor.operator("bench"), SchoolCode.parse(school), SCHOOL_YEAR
        )
        done = time.perf_counter()
    return {"total_s": done - started, "pdf_bytes": len(made.report.pdf), **_figures(made.results)}


def _child(kind: str, url: str, school: str) -> dict[str, Any]:
    # Imports are warm in a running server; they are not what is measured.
    import bot.service.results  # noqa: F401

    run = _whole_years if kind == "whole" else _one_school
    figures = asyncio.run(run(url, school))
    figures["peak_bytes"] = peak_bytes()
    return figures


def _in_child(kind: str, url: str, school: str) -> dict[str, Any]:
    child = subprocess.run(
        [sys.executable, __file__, "--child", kind, url, school],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    return result


def _report(facts: dict[str, Any], kept: dict[str, Any], runs: dict[str, Any]) -> str:
    mib = 1024 * 1024
    lines = [
        f"national year: {facts['pupils']:,} pupils, {facts['schools']:,} schools, "
        f"{facts['answers']:,} answers",
        f"figures kept for peers: {kept['units']:,} school-bands in {kept['store_s']:.2f} s",
        "",
        "| school | pupils | path | time | peak memory | same figures |",
        "|---|---|---|---|---|---|",
    ]
    for which, (whole, one) in runs.items():
        same = all(
            whole[key] == one[key]
            for key in ("respondents", "safety_mean", "wellbeing_mean", "percentile")
        )
        school, pupils = kept["schools"][which], kept["pupils"][which]
        lines += [
            f"| {which} ({school}) | {pupils} | whole years (reference) | "
            f"{whole['total_s']:.2f} s (load {whole['load_s']:.2f} s) | "
            f"{whole['peak_bytes'] / mib:.0f} MiB | |",
            f"| {which} ({school}) | {pupils} | one school (service) | "
            f"**{one['total_s']:.2f} s** | **{one['peak_bytes'] / mib:.0f} MiB** | {same} |",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=150_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--url", help="use this filled database (from --keep) instead")
    parser.add_argument(
        "--child", nargs=3, metavar=("KIND", "URL", "SCHOOL"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(*args.child)))
        return
    if args.url:
        url, facts = args.url, {"pupils": 0, "schools": 0, "answers": 0, "database": None}
    else:
        url, facts = asyncio.run(prepare(args.pupils, args.seed))
    try:
        kept = asyncio.run(_keep_figures(url))
        runs = {
            which: (_in_child("whole", url, school), _in_child("one", url, school))
            for which, school in kept["schools"].items()
        }
        print(_report(facts, kept, runs))
    finally:
        if facts.get("database") and not args.keep:
            asyncio.run(_drop(facts["database"]))


if __name__ == "__main__":
    main()
