"""``veilig serve``'s process: the channels on one service context, until a signal.

The composition root of a serving process: it opens the context, starts each channel (the
web chat, and the Telegram bot when ``VEILIG_TELEGRAM_TOKEN`` is set: long polling, or with
``VEILIG_WEBHOOK_URL`` a route on the same server), and on SIGINT or SIGTERM stops taking
new connections, lets requests in flight finish (each answer is one transaction, so nothing
is half-written), then closes the database. With several workers each process runs this on
the same port (``SO_REUSEPORT``); they share nothing but the database, which is also why
several workers need the webhook: only one process may poll Telegram.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from aiohttp import web

from bot.service.context import Context
from bot.service.demo import demo_school
from bot.telegram import runner as telegram
from bot.web.app import make_app
from veilig.errors import ConfigurationError
from veilig.settings import Settings

#: How long requests in flight may take to finish after a stop signal.
GRACE_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class Serving:
    host: str
    port: int
    workers: int = 1

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"


async def first_run(settings: Settings) -> list[str] | None:
    """On an empty database: the demo school's codes (None when there are schools)."""
    async with Context.open(settings) as ctx:
        return await demo_school(ctx)


def check(settings: Settings, serving: Serving) -> None:
    if serving.workers < 1:
        raise ConfigurationError(f"--workers must be 1 or more, got {serving.workers}")
    if serving.workers > 1 and settings.embedded:
        raise ConfigurationError(
            "--workers above 1 needs PostgreSQL (VEILIG_DATABASE_URL): the embedded SQLite "
            "database takes one process"
        )
    if serving.workers > 1 and settings.telegram_token is not None and not settings.webhook_url:
        raise ConfigurationError(
            "VEILIG_WEBHOOK_URL: with --workers above 1 the Telegram bot needs a webhook; "
            "only one process may poll Telegram"
        )


def telegram_mode(settings: Settings) -> str | None:
    """How this process runs the Telegram bot: "polling", "webhook", or None (no token)."""
    if settings.telegram_token is None:
        return None
    return "webhook" if settings.webhook_url else "polling"


def run(settings: Settings, serving: Serving, ready: Callable[[], None]) -> None:
    """Serve until SIGINT or SIGTERM; ``ready`` runs once the port is open (and, with
    workers, once every worker has opened it)."""
    if serving.workers == 1:
        asyncio.run(_serve(settings, serving, reuse_port=False, ready=ready))
        return
    spawn = multiprocessing.get_context("spawn")
    started = spawn.Semaphore(0)
    workers = [
        spawn.Process(target=_worker, args=(settings, serving, started), daemon=False)
        for _ in range(serving.workers)
    ]
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        for worker in workers:
            if worker.pid is not None and worker.is_alive():
                os.kill(worker.pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for worker in workers:
        worker.start()
    for _ in workers:
        started.acquire()
    ready()
    for worker in workers:
        worker.join()
    failed = [worker.exitcode for worker in workers if worker.exitcode not in (0, None)]
    if failed and not stopping:
        raise SystemExit(1)


def _worker(settings: Settings, serving: Serving, started: object) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent forwards Ctrl-C as SIGTERM
    release = getattr(started, "release")  # noqa: B009 - a multiprocessing semaphore
    asyncio.run(_serve(settings, serving, reuse_port=True, ready=release))
    sys.exit(0)


async def _serve(
    settings: Settings, serving: Serving, *, reuse_port: bool, ready: Callable[[], None]
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    # Reports are computed in a worker process (Context.compute), so a coordinator's report
    # does not hold up pupils answering on this process's event loop.
    reports = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    async with Context.open(settings, executor=reports) as ctx:
        app = make_app(ctx)
        mode = telegram_mode(settings)
        if mode == "webhook":
            app.add_routes(telegram.webhook_routes(ctx, settings))
        runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=GRACE_SECONDS, handle_signals=False
        )
        await runner.setup()
        bot: asyncio.Task[None] | None = None
        try:
            site = web.TCPSite(runner, serving.host, serving.port, reuse_port=reuse_port)
            await site.start()
            if mode == "webhook":
                await telegram.register_webhook(settings)
                bot = asyncio.create_task(telegram.run_reminders(ctx, settings, stop))
            elif mode == "polling":
                bot = asyncio.create_task(telegram.run_polling(ctx, settings, stop))
            ready()
            await stop.wait()
            if bot is not None:
                await bot  # stops at the same event: a poll in flight ends, nothing half-sent
        finally:
            # Stop listening, let requests in flight finish, then close the database.
            await runner.cleanup()
            reports.shutdown(wait=False, cancel_futures=True)
