"""Starting the bot beside other services: long polling, or a webhook route on a web server.

``veilig serve`` (the web chat's server) calls one of these with its own ``Context``:

- :func:`run_polling` when ``settings.webhook_url`` is empty: removes any webhook, hides the
  commands from everyone but coordinators, polls and sends coordinators' reminders until
  ``stop_event`` is set;
- :func:`webhook_routes` otherwise: aiohttp routes for the path of ``settings.webhook_url``
  that check Telegram's secret-token header; :func:`register_webhook` tells Telegram the URL
  at start-up, and :func:`run_reminders` sends coordinators' reminders until ``stop_event``.

Give the ``Context`` an executor (``Context.open(settings, executor=ProcessPoolExecutor())``):
``/rapport`` then computes the school report in a worker process, and pupils answering on
this process are not stalled by it.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.types import BotCommandScopeDefault
from aiohttp import web

from bot.service.context import Context
from bot.telegram.app import dispatcher, make_bot
from bot.telegram.reminders import remind_until
from bot.telegram.sending import Pace
from veilig.errors import ConfigurationError
from veilig.settings import Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header's name)


async def prepare(bot: Bot) -> None:
    """Pupils see no command menu: the default scope gets none (coordinators get theirs on
    joining)."""
    await bot.delete_my_commands(scope=BotCommandScopeDefault())


async def run_polling(
    ctx: Context, settings: Settings, stop_event: asyncio.Event, *, pace: Pace | None = None
) -> None:
    """Poll Telegram for updates and handle them until ``stop_event`` is set."""
    bot = make_bot(settings, pace)
    dp = dispatcher(ctx)
    try:
        await bot.delete_webhook(drop_pending_updates=False)
        await prepare(bot)
        polling = asyncio.create_task(
            dp.start_polling(bot, handle_signals=False, close_bot_session=False)
        )
        reminding = asyncio.create_task(remind_until(ctx, bot, stop_event))
        stopped = asyncio.create_task(stop_event.wait())
        await asyncio.wait({polling, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if not polling.done():
            await dp.stop_polling()
        await polling
        stop_event.set()
        await reminding
    finally:
        await bot.session.close()


async def run_reminders(ctx: Context, settings: Settings, stop_event: asyncio.Event) -> None:
    """Send coordinators' reminders until ``stop_event`` is set (webhook mode; polling does
    this itself)."""
    bot = make_bot(settings)
    try:
        await remind_until(ctx, bot, stop_event)
    finally:
        await bot.session.close()


def webhook_path(settings: Settings) -> str:
    if not settings.webhook_url:
        raise ConfigurationError("VEILIG_WEBHOOK_URL is not set; without it the bot polls")
    return urlsplit(settings.webhook_url).path or "/"


def webhook_routes(
    ctx: Context, settings: Settings, *, bot: Bot | None = None, pace: Pace | None = None
) -> list[web.RouteDef]:
    """The POST route Telegram delivers updates to, checking the secret-token header.

    The update is handled in the background and answered at once, as Telegram expects; a
    redelivery of the same update is dropped by the dispatcher (handled once).
    """
    if settings.webhook_secret is None:
        raise ConfigurationError("VEILIG_WEBHOOK_SECRET is not set; a webhook needs it")
    secret = settings.webhook_secret.get_secret_value().encode()
    the_bot = bot or make_bot(settings, pace)
    dp: Dispatcher = dispatcher(ctx)
    running: set[asyncio.Task[object]] = set()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, secret):
            return web.Response(status=401, text="wrong secret token")
        try:
            update = await request.json()
        except ValueError:
            return web.Response(status=400, text="the body is not JSON")
        task: asyncio.Task[object] = asyncio.create_task(dp.feed_raw_update(the_bot, update))
        running.add(task)
        task.add_done_callback(running.discard)
        return web.Response(text="ok")

    return [web.post(webhook_path(settings), receive)]


async def register_webhook(settings: Settings, bot: Bot | None = None) -> None:
    """Tell Telegram where to deliver updates, with the secret it must send back."""
    assert settings.webhook_secret is not None
    the_bot = bot or make_bot(settings)
    try:
        await the_bot.set_webhook(
            settings.webhook_url, secret_token=settings.webhook_secret.get_secret_value()
        )
        await prepare(the_bot)
    finally:
        if bot is None:
            await the_bot.session.close()
