"""The web chat under load: ``veilig serve --workers 2`` on PostgreSQL over real HTTP, against a
bare aiohttp handler measured by the same client in the same run.

    .venv/bin/python bench/web_load.py                      # 1,500 pupils, 60 s
    .venv/bin/python bench/web_load.py --pupils 300 --seconds 20

1. **Fill** (not timed): a fresh PostgreSQL database, migrated, one PO school with groups and
   enough codes for every pupil of both phases.
2. **Ceiling**: a bare aiohttp handler (two processes on one port, ``SO_REUSEPORT``, returning
   a small JSON body to a JSON ``POST``) driven by the same client as hard as it can for
   ``--saturate`` seconds: the requests per second this client can make on this machine.
3. **(a) Saturation**: ``veilig serve --workers 2 --no-demo-school``; 64 pupils answer as fast
   as they can (a pupil at the end takes a new code): answers per second, as a ratio to the
   ceiling. The client is not the bottleneck when the ceiling is well above the answers.
4. **(b) A school day's peak**: ``--pupils`` pupils at once, each typing a code, then answering
   the current question every 3-8 s (uniform) for ``--seconds``: p50/p95/p99 latency of the
   answers and every error (a non-200 status, a refused session or a stale-answer notice).

Goals (2-core machine): p99 under 200 ms and no errors at 1,500 pupils.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
from aiohttp import ClientSession, ClientTimeout, DummyCookieJar, TCPConnector, web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.service import codes, groups, rounds, schools  # noqa: E402
from bot.service.actors import Actor  # noqa: E402
from bot.service.context import Context  # noqa: E402
from bot.service.records import IssuedCodes, NewSchool, SchoolCode, Sector  # noqa: E402
from flows import DEFAULT_QUESTIONNAIRE_ID  # noqa: E402
from veilig.settings import load_settings  # noqa: E402

SERVER = os.environ.get(
    "VEILIG_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
SECRET = "benchmark-secret-key-not-for-production-use-0123"
SCHOOL = SchoolCode("00BE", "00")
OPERATOR = Actor.operator("bench")
SATURATING_PUPILS = 64
COOKIE = "veilig_session"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- fill ------------------------------------------------------------------------------


async def fill(url: str, pupils: int) -> list[str]:
    settings = load_settings(database_url=url, secret_key=SECRET)
    from storage import migrate
    from storage.database import Database
    from storage.pseudonyms import Keyring

    database = Database(settings.url, Keyring(settings.secret_key_bytes()))
    await migrate.upgrade(database)
    await database.dispose()
    made: list[str] = []
    async with Context.open(settings) as ctx:
        year = ctx.school_year()
        await schools.add_school(ctx, OPERATOR, NewSchool(SCHOOL, "Bench", Sector.PO, None))
        per_group = 250
        for number in range((pupils + per_group - 1) // per_group):
            name = f"g{number}"
            await groups.add_group(ctx, OPERATOR, SCHOOL, year, name, 7, per_group)
        await rounds.open_round(ctx, OPERATOR, SCHOOL, year, DEFAULT_QUESTIONNAIRE_ID)

        async def keep(issued: IssuedCodes) -> None:
            made.extend(issued.codes)

        for number in range((pupils + per_group - 1) // per_group):
            await codes.issue_codes(ctx, OPERATOR, SCHOOL, year, f"g{number}", keep, per_group)
    return made


# --- the ceiling: a bare handler -------------------------------------------------------


def _bare_worker(port: int, ready: Any) -> None:
    async def handler(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"step": {"kind": "question"}, "ok": True})

    async def main() -> None:
        app = web.Application()
        app.router.add_post("/api/input", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port, reuse_port=True).start()
        ready.release()
        await asyncio.Event().wait()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    asyncio.run(main())


# --- the client ------------------------------------------------------------------------


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    answers: int = 0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


def screen_of(view: dict[str, Any]) -> dict[str, Any]:
    step = view["step"]
    return dict(step.get("then") or step.get("resume") or step)


def press(view: dict[str, Any]) -> dict[str, Any] | None:
    """The first answer (or start/continue) on the current screen; None at the outro."""
    screen = screen_of(view)
    option = {"intro": "start", "support_card": "continue"}.get(screen["kind"])
    if screen["kind"] == "question":
        option = random.choice(screen["options"])["option_id"]
    if option is None:
        return None
    return {"action": "choose", "screen": screen["screen_id"], "option": option,
            "version": view["version"]}  # fmt: skip


class Pupil:
    def __init__(self, http: ClientSession, base: str, code: str, tally: Tally) -> None:
        self.http, self.base, self.code, self.tally = http, base, code, tally
        self.cookie = ""
        self.view: dict[str, Any] = {}

    async def post(self, path: str, body: dict[str, Any]) -> bool:
        headers = {"Cookie": f"{COOKIE}={self.cookie}"} if self.cookie else {}
        started = time.perf_counter()
        try:
            async with self.http.post(self.base + path, json=body, headers=headers) as response:
                data = await response.json()
                status = response.status
                if COOKIE in response.cookies:
                    self.cookie = response.cookies[COOKIE].value
        except Exception as error:
            self.tally.error(type(error).__name__)
            return False
        elapsed = time.perf_counter() - started
        if status != 200:
            self.tally.error(f"HTTP {status}")
            return False
        if path == "/api/input":
            self.tally.latencies.append(elapsed)
            self.tally.answers += 1
            if data["step"]["kind"] == "notice":
                self.tally.error("notice")
        self.view = data
        return True

    async def enter(self) -> bool:
        return await self.post("/api/code", {"code": self.code, "language": "nl"}) and bool(
            self.view.get("open")
        )

    async def answer(self) -> bool:
        """One answer; False at the outro or after an error."""
        body = press(self.view)
        return body is not None and await self.post("/api/input", body)


def client_session(limit: int) -> ClientSession:
    return ClientSession(
        connector=TCPConnector(limit=limit),
        cookie_jar=DummyCookieJar(),
        timeout=ClientTimeout(total=30),
    )


async def hammer_bare(base: str, seconds: float, concurrency: int) -> float:
    """Requests per second the client makes against the bare handler."""
    done = 0
    stop_at = time.perf_counter() + seconds
    body = {"action": "choose", "screen": "safe_school", "option": "yes", "version": "0" * 64}

    async def loop(http: ClientSession) -> None:
        nonlocal done
        while time.perf_counter() < stop_at:
            async with http.post(base + "api/input", json=body) as response:
                await response.read()
            done += 1

    async with client_session(concurrency) as http:
        started = time.perf_counter()
        await asyncio.gather(*(loop(http) for _ in range(concurrency)))
        return done / (time.perf_counter() - started)


async def saturate(base: str, codes_left: list[str], seconds: float) -> tuple[float, Tally]:
    tally = Tally()
    stop_at = time.perf_counter() + seconds

    async def loop(http: ClientSession) -> None:
        while time.perf_counter() < stop_at and codes_left:
            pupil = Pupil(http, base.rstrip("/"), codes_left.pop(), tally)
            if not await pupil.enter():
                continue
            while time.perf_counter() < stop_at and await pupil.answer():
                pass

    async with client_session(SATURATING_PUPILS) as http:
        started = time.perf_counter()
        await asyncio.gather(*(loop(http) for _ in range(SATURATING_PUPILS)))
        return tally.answers / (time.perf_counter() - started), tally


async def classroom(base: str, codes_: list[str], seconds: float) -> Tally:
    tally = Tally()
    stop_at = time.perf_counter() + seconds

    async def one(http: ClientSession, code: str) -> None:
        await asyncio.sleep(random.uniform(0, 8))  # pupils arrive over the first seconds
        pupil = Pupil(http, base.rstrip("/"), code, tally)
        if not await pupil.enter():
            return
        while True:
            await asyncio.sleep(random.uniform(3, 8))
            if time.perf_counter() >= stop_at or not await pupil.answer():
                return

    async with client_session(0) as http:
        await asyncio.gather(*(one(http, code) for code in codes_))
    return tally


# --- where the CPU goes ----------------------------------------------------------------


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as file:
            return file.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def process_tree(root: int) -> set[int]:
    """``root`` and all its descendants (the serve process, its workers and their helpers)."""
    parents = {pid: int(fields[1]) for pid in _pids() if (fields := _stat(pid)) is not None}
    tree, grown = {root}, True
    while grown:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grown = bool(more)
    return tree


def database_backends(database: str) -> set[int]:
    """The PostgreSQL server processes serving connections to ``database``."""
    found = set()
    for pid in _pids():
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as file:
                command = file.read().decode(errors="replace")
        except OSError:
            continue
        if command.startswith("postgres: ") and f" {database} " in command:
            found.add(pid)
    return found


def cpu_seconds(pids: set[int]) -> dict[int, float]:
    """User + system CPU seconds each process has used so far (from ``/proc``)."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        fields = _stat(pid)
        if fields is not None:
            used[pid] = (int(fields[11]) + int(fields[12])) / tick
    return used


class CpuMeter:
    """CPU used by the server's processes and by its database connections during a phase:
    a figure that does not depend on what else the (shared) machine is doing."""

    def __init__(self, server: int, database: str) -> None:
        self.server, self.database = server, database
        self.before = self._now()

    def _now(self) -> tuple[dict[int, float], dict[int, float]]:
        return (
            cpu_seconds(process_tree(self.server)),
            cpu_seconds(database_backends(self.database)),
        )

    def used(self) -> tuple[float, float]:
        """(server, database) CPU seconds since the meter started."""
        after = self._now()
        return tuple(  # type: ignore[return-value]
            sum(seconds - before.get(pid, 0.0) for pid, seconds in now.items())
            for before, now in zip(self.before, after, strict=True)
        )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


# --- the run ---------------------------------------------------------------------------


def start_serve(url: str, port: int, workers: int) -> subprocess.Popen[str]:
    env = {**os.environ, "VEILIG_DATABASE_URL": url, "VEILIG_SECRET_KEY": SECRET}
    command = [sys.executable, "-c", "from bot.cli.app import main; main()", "serve",
               "--port", str(port), "--workers", str(workers), "--no-demo-school"]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("Stop with"):
            return process
    raise RuntimeError("veilig serve did not start")


async def admin(sql: str) -> None:
    connection = await asyncpg.connect(SERVER)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def per_answer(cpu: tuple[float, float], answers: int) -> dict[str, float]:
    server, database = (1000 * seconds / max(answers, 1) for seconds in cpu)
    return {"server": round(server, 2), "database": round(database, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pupils", type=int, default=1500)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--saturate", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    name = f"veilig_bench_{uuid.uuid4().hex[:12]}"
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = SERVER.rsplit("/", 1)[0] + "/" + name
    try:
        print(f"fill: {args.pupils} pupils' codes plus saturation codes in {name} ...", flush=True)
        made = asyncio.run(fill(url, args.pupils + 2000))
        peak_codes, saturation_codes = made[: args.pupils], made[args.pupils :]

        port = free_port()
        spawn = multiprocessing.get_context("spawn")
        ready = spawn.Semaphore(0)
        bare = [spawn.Process(target=_bare_worker, args=(port, ready)) for _ in range(2)]
        for process in bare:
            process.start()
        for _ in bare:
            ready.acquire()
        ceiling = asyncio.run(hammer_bare(f"http://127.0.0.1:{port}/", args.saturate, 64))
        for process in bare:
            process.terminate()
            process.join()

        port = free_port()
        serve = start_serve(url, port, args.workers)
        base = f"http://127.0.0.1:{port}/"
        try:
            meter = CpuMeter(serve.pid, name)
            rate, saturated = asyncio.run(saturate(base, saturation_codes, args.saturate))
            saturation_cpu = meter.used()
            meter = CpuMeter(serve.pid, name)
            peak = asyncio.run(classroom(base, peak_codes, args.seconds))
            peak_cpu = meter.used()
        finally:
            serve.send_signal(signal.SIGTERM)
            serve.wait(timeout=60)
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    ms = [1000 * value for value in peak.latencies]
    result = {
        "cpus": os.cpu_count(),
        "ceiling_requests_per_s": round(ceiling),
        "saturation_answers_per_s": round(rate),
        "saturation_ratio_to_ceiling": round(rate / ceiling, 3),
        "saturation_errors": saturated.errors,
        "saturation_cpu_ms_per_answer": per_answer(saturation_cpu, saturated.answers),
        "pupils": args.pupils,
        "seconds": args.seconds,
        "answers": peak.answers,
        "answers_per_s": round(peak.answers / args.seconds, 1),
        "p50_ms": round(percentile(ms, 0.50), 1),
        "p95_ms": round(percentile(ms, 0.95), 1),
        "p99_ms": round(percentile(ms, 0.99), 1),
        "max_ms": round(max(ms), 1) if ms else None,
        "mean_ms": round(statistics.fmean(ms), 1) if ms else None,
        "errors": peak.errors,
        "cpu_ms_per_answer": per_answer(peak_cpu, peak.answers),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
