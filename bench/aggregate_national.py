"""The national batch from PostgreSQL to the delivery file, against two floors in the same run.

    .venv/bin/pip install -e '.[dev,bench]'
    .venv/bin/python bench/aggregate_national.py --pupils 150000      # casual run
    .venv/bin/python bench/aggregate_national.py --pupils 1500000     # the national year

1. **Fill** (not timed): a fresh PostgreSQL database, migrated, with a synthetic school year
   from :func:`analytics.synthetic.synthetic_dataset` (schools scale with pupils: 8,000
   vestigingen for 1.5 million), written with binary COPY, every round closed, 95 % consent.
2. **Batch**, in a fresh child process so its peak memory is its own: ``load`` (the database to
   a Dataset, :func:`analytics.load.load_dataset`), ``compute`` (the school and option-share
   tables) and ``write`` (the delivery: JSON, CSV, schema check, manifest).
3. **Floors**, in the same child: a bare ``COPY (the loader's answer query) TO STDOUT`` into a
   sink that only counts bytes (no loader can read those rows faster), and DuckDB computing the
   core per-school aggregates (count, scale means and SDs, % bullied) on the loaded frame.

Goals (2-core machine): batch < 60 s and < 4 GB; load <= 1.5 x COPY floor; compute <= 3 x DuckDB.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics.dataset import DECLINED, Dataset  # noqa: E402
from analytics.load import answers_query, load_dataset, respondents_query  # noqa: E402
from storage import migrate  # noqa: E402
from storage.database import Database  # noqa: E402
from storage.extract import numbered_query  # noqa: E402
from storage.pseudonyms import Keyring  # noqa: E402

SERVER = os.environ.get(
    "VEILIG_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
SCHOOL_YEAR = "2026-2027"
PUPILS_PER_SCHOOL = 1_500_000 / 8_000
SECRET = b"benchmark-secret-key-not-for-production-use-0123"
COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
COPY_TRAILER = b"\xff\xff"
CHUNK = 100_000


def _dsn(database: str) -> str:
    base = SERVER.rsplit("/", 1)[0]
    return f"{base}/{database}"


# ----------------------------------------------------------------------------- fill


def _answer_rows(matrix: np.ndarray, first_id: int, item_numbers: np.ndarray) -> bytes:
    """Binary COPY rows (respondent_id int4, item_id int2, value int2 or NULL) of a block."""
    rows, columns = np.nonzero(matrix)
    values = matrix[rows, columns]
    parts = []
    for declined in (False, True):
        pick = (values == DECLINED) if declined else (values != DECLINED)
        fields = [("n", ">i2"), ("l0", ">i4"), ("id", ">i4"), ("l1", ">i4"), ("item", ">i2")]
        fields += [("l2", ">i4")] if declined else [("l2", ">i4"), ("v", ">i2")]
        block = np.zeros(int(pick.sum()), dtype=fields)
        block["n"], block["l0"], block["l1"] = 3, 4, 2
        block["id"] = rows[pick] + first_id
        block["item"] = item_numbers[columns[pick]]
        if declined:
            block["l2"] = -1
        else:
            block["l2"], block["v"] = 2, values[pick]
        parts.append(block.tobytes())
    return b"".join(parts)


async def _answer_stream(dataset: Dataset, item_numbers: np.ndarray) -> AsyncIterator[bytes]:
    matrix = dataset.responses[list(dataset.items)].to_numpy(dtype=np.int8)
    yield COPY_HEADER
    for start in range(0, len(matrix), CHUNK):
        yield _answer_rows(matrix[start : start + CHUNK], start + 1, item_numbers)
    yield COPY_TRAILER


def _csv(frame: pd.DataFrame) -> io.BytesIO:
    return io.BytesIO(frame.to_csv(index=False, header=False).encode())


async def _fill(connection: asyncpg.Connection, dataset: Dataset) -> int:
    """Write ``dataset`` as the tables the bot would have filled; returns the answer rows."""
    schools = dataset.schools.reset_index(drop=True)
    schools["id"] = np.arange(1, len(schools) + 1)
    school_id = dict(zip(schools["school"], schools["id"], strict=True))
    await connection.copy_to_table(
        "school",
        source=_csv(
            schools.assign(created_on="2026-08-01", support_contact=None)[
                ["id", "brin", "vestiging", "name", "sector", "support_contact", "created_on"]
            ]
        ),
        columns=["id", "brin", "vestiging", "name", "sector", "support_contact", "created_on"],
        format="csv",
    )
    groups = dataset.groups.reset_index(drop=True)
    groups["id"] = np.arange(1, len(groups) + 1)
    groups["school_id"] = groups["school"].map(school_id)
    await connection.copy_to_table(
        "class_group",
        source=_csv(groups[["id", "school_id", "school_year", "group", "grade", "enrolled"]]),
        columns=["id", "school_id", "school_year", "name", "grade", "enrolled"],
        format="csv",
    )
    rounds = dataset.rounds.reset_index(drop=True)
    rounds["id"] = np.arange(1, len(rounds) + 1)
    rounds["school_id"] = rounds["school"].map(school_id)
    round_columns = ["id", "school_id", "school_year", "questionnaire_id"]
    round_columns += ["questionnaire_version", "status"]
    await connection.copy_to_table(
        "survey_round",
        source=_csv(rounds.assign(status="closed")[round_columns]),
        columns=round_columns,
        format="csv",
    )
    consenting = rounds[rounds["consent"]]
    await connection.copy_to_table(
        "consent",
        source=_csv(
            consenting.assign(given_by="bench", given_at="2026-11-30T12:00:00+00:00")[
                ["school_id", "school_year", "given_by", "given_at"]
            ]
        ),
        columns=["school_id", "school_year", "given_by", "given_at"],
        format="csv",
    )
    responses = dataset.responses
    round_of = pd.Series(
        rounds["id"].to_numpy(), index=pd.MultiIndex.from_frame(rounds[["school", "school_year"]])
    )
    group_of = pd.Series(
        groups["id"].to_numpy(),
        index=pd.MultiIndex.from_frame(groups[["school", "school_year", "group"]]),
    )
    keys = pd.MultiIndex.from_arrays(
        [responses["school"].astype(str), responses["school_year"].astype(str)]
    )
    group_keys = pd.MultiIndex.from_arrays(
        [
            responses["school"].astype(str),
            responses["school_year"].astype(str),
            responses["group"].astype(str),
        ]
    )
    people = pd.DataFrame(
        {
            "id": np.arange(1, len(responses) + 1),
            "round_id": round_of.reindex(keys).to_numpy(),
            "group_id": group_of.reindex(group_keys).to_numpy(),
            "language": "nl",
            "age_band": responses["band"].astype(str).to_numpy(),
            "channel": "web",
            "started_on": "2026-10-05",
            "completed_on": np.where(responses["completed"].to_numpy(), "2026-10-05", ""),
        }
    )
    await connection.copy_to_table(
        "respondent", source=_csv(people), columns=list(people.columns), format="csv"
    )
    items = list(dataset.items)
    await connection.copy_records_to_table(
        "item",
        records=[(number, name) for number, name in enumerate(items, 1)],
        columns=["id", "name"],
    )
    numbers = np.arange(1, len(items) + 1, dtype=np.int16)
    # Row-by-row key checks would make the fill take many minutes: drop the answer table's
    # constraints, copy, and add the very same definitions back (checked in one pass each).
    constraints = await connection.fetch(
        "SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint "
        "WHERE conrelid = 'answer'::regclass ORDER BY contype DESC"  # p before f
    )
    for constraint in constraints:
        await connection.execute(f'ALTER TABLE answer DROP CONSTRAINT "{constraint[0]}"')
    await connection.copy_to_table(
        "answer",
        source=_answer_stream(dataset, numbers),
        columns=["respondent_id", "item_id", "value"],
        format="binary",
    )
    for name, definition in reversed(constraints):
        await connection.execute(f'ALTER TABLE answer ADD CONSTRAINT "{name}" {definition}')
    for table in ("school", "class_group", "survey_round", "respondent", "item"):
        await connection.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
        )
    await connection.execute("ANALYZE")
    return int((dataset.responses[items].to_numpy() != 0).sum())


async def prepare(pupils: int, seed: int) -> tuple[str, dict[str, Any]]:
    from analytics.synthetic import synthetic_dataset
    from flows import load_questionnaire

    name = f"veilig_bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(SERVER)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = _dsn(name).replace("postgresql://", "postgresql+asyncpg://")
    database = Database(url, Keyring(SECRET))
    await migrate.upgrade(database)
    await database.dispose()

    started = time.perf_counter()
    schools = max(1, round(pupils / PUPILS_PER_SCHOOL))
    dataset = synthetic_dataset(
        load_questionnaire(), schools=schools, pupils=pupils, school_year=SCHOOL_YEAR, seed=seed
    )
    generated = time.perf_counter() - started
    connection = await asyncpg.connect(_dsn(name))
    try:
        answers = await _fill(connection, dataset)
    finally:
        await connection.close()
    facts = {
        "database": name,
        "schools": int(dataset.schools["school"].nunique()),
        "pupils": len(dataset.responses),
        "answers": answers,
        "items": len(dataset.items),
        "generate_s": generated,
        "fill_s": time.perf_counter() - started - generated,
    }
    return url, facts


# ----------------------------------------------------------------------------- batch


async def _copy_floor(url: str) -> tuple[float, int]:
    """Seconds and bytes of the bare binary COPY of the loader's answer rows."""
    connection = await asyncpg.connect(url.replace("+asyncpg", ""))
    # The same query the loader sends, for the same school year's respondents (not timed).
    year, values = numbered_query(*respondents_query([SCHOOL_YEAR]))
    ids = np.asarray([row[0] for row in await connection.fetch(year, *values)], dtype=np.int64)
    query, args = numbered_query(*answers_query(ids))
    received = 0

    async def sink(data: bytes) -> None:
        nonlocal received
        received += len(data)

    try:
        started = time.perf_counter()
        await connection.copy_from_query(query, *args, output=sink, format="binary")
        return time.perf_counter() - started, received
    finally:
        await connection.close()


def _duckdb_core(dataset: Dataset) -> float:
    """Seconds DuckDB takes for the core per-school aggregates on the loaded frame."""
    import duckdb

    q = dataset.questionnaire
    frame = dataset.responses
    outputs = []
    for name, scale in q.scales.items():
        if scale.summary != "mean":
            continue
        items = q.refs(scale)
        turned = []
        for item_id in items:
            item = q.item(item_id)
            assert item is not None
            value = f'CASE WHEN "{item_id}" > 0 THEN "{item_id}" END'
            if item.reverse:
                bounds = []
                for band in q.bands:
                    options = q.options(item, band)
                    if options is not None:
                        codes = [option.code for option in options.options]
                        bounds.append(f"WHEN '{band}' THEN {min(codes) + max(codes)}")
                value = f"(CASE band {' '.join(bounds)} END) - {value}"
            turned.append(value)
        need = math.ceil(2 / 3 * len(items) - 1e-9)
        answered = " + ".join(f'CAST("{i}" > 0 AS INTEGER)' for i in items)
        total = " + ".join(f"COALESCE({v}, 0)" for v in turned)
        outputs.append(
            f"CASE WHEN ({answered}) >= {need} THEN ({total}) / ({answered}) END AS {name}"
        )
    scores = ", ".join(outputs)
    mean_scales = [n for n, s in q.scales.items() if s.summary == "mean"]
    bullied = q.item("bullied")
    assert bullied is not None
    cutoffs = []
    for band in q.bands:
        options = q.options(bullied, band)
        if options is not None:
            cutoffs.append(f"WHEN '{band}' THEN {min(options.marks['bullied'])}")
    aggregates = ", ".join(
        f"AVG({n}) AS {n}_mean, STDDEV_SAMP({n}) AS {n}_sd, COUNT({n}) AS {n}_n"
        for n in mean_scales
    )
    sql = f"""
        WITH pupil AS (SELECT school, band, bullied, {scores} FROM frame)
        SELECT school, band, COUNT(*) AS started, {aggregates},
               AVG(CASE WHEN bullied > 0 THEN CAST(bullied >= (CASE band {" ".join(cutoffs)} END)
                   AS DOUBLE) END) AS bullied_share
        FROM pupil GROUP BY school, band
    """
    connection = duckdb.connect()
    connection.register("frame", frame)
    connection.execute(sql).fetchall()  # warm-up: DuckDB's first scan of a frame costs extra
    started = time.perf_counter()
    connection.execute(sql).fetchall()
    return time.perf_counter() - started


def peak_bytes() -> int:
    """This process's peak resident memory. Not ``ru_maxrss``: Linux keeps that across
    ``exec``, so a child would report its parent's peak (the parent holds the generated year)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


async def batch(url: str) -> dict[str, Any]:
    from analytics.delivery import build_delivery, render_files
    from analytics.national import national_tables
    from bot.cli.deliver import write_files

    await _copy_floor(url)  # warm the server's caches so both timings see the same state
    copy_s, copy_bytes = await _copy_floor(url)
    database = Database(url, Keyring(SECRET))
    try:
        started = time.perf_counter()
        dataset = await load_dataset(database, school_year=SCHOOL_YEAR)
        loaded = time.perf_counter()
        tables = national_tables(dataset, SCHOOL_YEAR)  # both tables from one pass
        computed = time.perf_counter()
        with tempfile.TemporaryDirectory() as out:
            delivery = build_delivery(
                dataset, SCHOOL_YEAR, schools=tables.schools, options=tables.options
            )
            write_files(render_files(delivery), Path(out), force=True)
        written = time.perf_counter()
    finally:
        await database.dispose()
    peak = peak_bytes()
    duck_s = _duckdb_core(dataset)
    return {
        "load_s": loaded - started,
        "compute_s": computed - loaded,
        "write_s": written - computed,
        "total_s": written - started,
        "peak_bytes": peak,
        "copy_floor_s": copy_s,
        "copy_bytes": copy_bytes,
        "duckdb_core_s": duck_s,
        "units": len(tables.schools),
    }


# ----------------------------------------------------------------------------- report


def _report(facts: dict[str, Any], figures: dict[str, Any]) -> str:
    load_ratio = figures["load_s"] / figures["copy_floor_s"]
    compute_ratio = figures["compute_s"] / figures["duckdb_core_s"]
    peak_gb = figures["peak_bytes"] / 2**30
    lines = [
        f"national batch: {facts['pupils']:,} pupils, {facts['schools']:,} schools, "
        f"{facts['answers']:,} answer rows ({facts['items']} items)",
        f"  fill (not timed): generate {facts['generate_s']:.1f} s, write {facts['fill_s']:.1f} s",
        f"  load      {figures['load_s']:8.2f} s",
        f"  compute   {figures['compute_s']:8.2f} s",
        f"  write     {figures['write_s']:8.2f} s",
        f"  total     {figures['total_s']:8.2f} s   goal < 60 s      "
        f"{'met' if figures['total_s'] < 60 else 'NOT met'}",
        f"  peak RSS  {peak_gb:8.2f} GB  goal < 4 GB     {'met' if peak_gb < 4 else 'NOT met'}",
        f"  COPY floor {figures['copy_floor_s']:7.2f} s ({figures['copy_bytes'] / 2**20:,.0f} MiB)"
        f"  load/COPY = {load_ratio:.2f}  goal <= 1.5  {'met' if load_ratio <= 1.5 else 'NOT met'}",
        f"  DuckDB core {figures['duckdb_core_s']:6.2f} s"
        f"  compute/DuckDB = {compute_ratio:.2f}  goal <= 3  "
        f"{'met' if compute_ratio <= 3 else 'NOT met'}",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=150_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--batch", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.batch:
        print(json.dumps(asyncio.run(batch(args.batch))))
        return
    url, facts = asyncio.run(prepare(args.pupils, args.seed))
    try:
        child = subprocess.run(
            [sys.executable, __file__, "--batch", url],
            check=True,
            capture_output=True,
            text=True,
        )
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        print(_report(facts, figures))
    finally:
        if not args.keep:
            asyncio.run(_drop(facts["database"]))


async def _drop(name: str) -> None:
    admin = await asyncpg.connect(SERVER)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


if __name__ == "__main__":
    main()
