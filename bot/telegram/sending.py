"""Every request to the Bot API passes here: paced within Telegram's limits, and retried.

Telegram allows about one message per second per chat and thirty per second per bot; past
that it answers 429 with ``retry_after``. :class:`Sending` is an aiogram request middleware:

- sends (``send*`` methods) wait for their turn: per chat and for the whole bot, each a
  minimum interval between sends (:class:`Pace`);
- a 429 waits ``retry_after`` and tries again; a network error or a 5xx waits with
  exponential backoff and tries again, up to ``attempts`` times, then the error goes up.

A pupil's answer is stored before its reply is sent, so a send that fails for good loses no
answer: the pupil's next message shows the right question again. A retried send whose first
attempt did reach Telegram shows twice; a duplicate message is better than a missing one.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType


@dataclass
class Pace:
    """Minimum intervals between sends: per chat and per bot (Telegram's "about" limits)."""

    per_chat: float = 1.0  # sends per second to one chat
    per_bot: float = 30.0  # sends per second in all
    _chat_next: dict[Any, float] = field(default_factory=dict, repr=False)
    _bot_next: float = field(default=0.0, repr=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    async def turn(self, chat: Any) -> None:
        """Wait until a send to ``chat`` keeps within both limits; reserve that moment."""
        loop = asyncio.get_running_loop()
        async with self._lock:
            now = loop.time()
            at = max(now, self._chat_next.get(chat, 0.0), self._bot_next)
            self._chat_next[chat] = at + 1 / self.per_chat
            self._bot_next = at + 1 / self.per_bot
            if len(self._chat_next) > 10_000:  # forget chats that are long quiet
                self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}
        if at > now:
            await asyncio.sleep(at - now)


class Sending(BaseRequestMiddleware):
    """Pace sends and retry what Telegram or the network refused for a while."""

    def __init__(self, pace: Pace | None = None, attempts: int = 5, backoff: float = 0.5) -> None:
        self.pace = pace or Pace()
        self.attempts = attempts
        self.backoff = backoff

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if method.__api_method__.startswith("send"):
            await self.pace.turn(getattr(method, "chat_id", None))
        for attempt in range(1, self.attempts + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                if attempt == self.attempts:
                    raise
                await asyncio.sleep(error.retry_after)
            except (TelegramNetworkError, TelegramServerError):
                if attempt == self.attempts:
                    raise
                await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable: the last attempt returns or raises")
