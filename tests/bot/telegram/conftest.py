"""The real Dispatcher over a real database, with Telegram's HTTP played by the emulator.

Each action of a simulated user makes the update Telegram would make; :meth:`Chat.do` feeds
it to the dispatcher and returns when every handler (and every send) is done, so a test reads
the chat as the person sees it, without polling delays.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from typing import Any

import pytest
from aiogram import Bot, Dispatcher

from bot.service.context import Context
from bot.telegram.app import dispatcher
from bot.telegram.sending import Pace, Sending
from tests.bot.service.conftest import ctx, school  # noqa: F401 (fixtures used here)
from tests.telegram.emulator import Emulator, ShownMessage, SimulatedUser
from tests.telegram.emulator.aiogram_bot import emulator_bot

# Tests do not wait a second between messages: the pace is tested on its own.
FAST = Pace(per_chat=10_000, per_bot=10_000)


@dataclass
class Chat:
    """The emulator, a bot wired to it, and the dispatcher under test."""

    emu: Emulator
    bot: Bot
    dp: Dispatcher
    ctx: Context

    async def do(self, action: Awaitable[dict[str, Any]]) -> dict[str, Any]:
        """Perform a user's action and let the bot handle the update it made."""
        update = await action
        await self.feed(update)
        return update

    async def feed(self, update: dict[str, Any]) -> None:
        await self.dp.feed_raw_update(self.bot, update)

    def restart(self) -> None:
        """A new dispatcher, as after a restart of the bot: nothing kept in memory."""
        self.dp = dispatcher(self.ctx)

    def user(self, id: int, language_code: str = "nl", name: str = "Sam") -> SimulatedUser:
        return self.emu.user(id, name, language_code=language_code)


def texts(user: SimulatedUser) -> list[str]:
    return [message.text or "" for message in user.messages()]


def last(user: SimulatedUser) -> ShownMessage:
    shown = user.last()
    assert shown is not None, "the bot has sent nothing"
    return shown


@pytest.fixture
async def chat(ctx: Context) -> AsyncIterator[Chat]:  # noqa: F811 (the fixture above)
    async with Emulator() as emu:
        bot = emulator_bot(emu)
        bot.session.middleware(Sending(FAST, backoff=0.01))
        try:
            yield Chat(emu, bot, dispatcher(ctx), ctx)
        finally:
            await bot.session.close()
