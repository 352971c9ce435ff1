"""The dispatcher: the coordinator's and the pupil's routers, each update handled once, and
every error worded for the person who sent the update.

:func:`dispatcher` makes a new one per call (a test's "restart" is a second call); the
service :class:`~bot.service.context.Context` reaches handlers as ``ctx``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import ErrorEvent, TelegramObject, Update

from bot.service import updates
from bot.service.context import Context
from bot.telegram import pupils, staff
from bot.telegram.sending import Pace, Sending
from bot.telegram.texts import staff_text
from veilig.errors import ConfigurationError, NotAllowed, VeiligError
from veilig.settings import Settings

log = logging.getLogger(__name__)


class HandledOnce(BaseMiddleware):
    """Drop an update whose id this bot has handled before (a webhook retry, a second worker).

    The claim is made in the database before any handler runs, so it holds across workers.
    """

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update)
        bot: Bot = data["bot"]
        if not await updates.first_delivery(self.ctx, str(bot.id), event.update_id):
            log.info("update %s was delivered before; dropped", event.update_id)
            return None
        return await handler(event, data)


def dispatcher(ctx: Context) -> Dispatcher:
    """A dispatcher over ``ctx``: staff commands first, then the pupil's conversation."""
    made = Dispatcher(ctx=ctx)
    made.update.outer_middleware(HandledOnce(ctx))
    made.include_routers(staff.router(), pupils.router())
    made.errors.register(on_error)
    return made


def make_bot(settings: Settings, pace: Pace | None = None) -> Bot:
    """The Bot for ``settings``' token and API server, with paced, retried sending."""
    if settings.telegram_token is None:
        raise ConfigurationError(
            "VEILIG_TELEGRAM_TOKEN is not set; get the bot's token from @BotFather"
        )
    api = TelegramAPIServer.from_base(settings.telegram_api)
    bot = Bot(settings.telegram_token.get_secret_value(), session=AiohttpSession(api=api))
    bot.session.middleware(Sending(pace))
    return bot


async def on_error(event: ErrorEvent, bot: Bot) -> bool:
    """Tell the person what went wrong, in one line; unexpected errors are logged."""
    error = event.exception
    update = event.update
    if isinstance(error, staff.Reply):
        text = str(error)
    elif isinstance(error, NotAllowed):
        text = staff_text("not_allowed")
    elif isinstance(error, VeiligError):
        text = staff_text("failed", detail=str(error))
    else:
        log.exception("update %s failed", update.update_id, exc_info=error)
        return False
    if update.callback_query is not None:
        chat_id: int | None = update.callback_query.from_user.id
    elif update.message is not None:
        chat_id = update.message.chat.id
    else:
        chat_id = None
    if chat_id is not None:
        await bot.send_message(chat_id, text)
    return True
