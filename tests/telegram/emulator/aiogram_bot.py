"""An aiogram ``Bot`` wired to an emulator, the one-liner a bot test needs.

The only module here that imports aiogram: the emulator itself speaks plain HTTP, so it can
serve any client (and the standalone process does not pay for importing aiogram).
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from .server import Emulator


class LoopbackSession(AiohttpSession):
    """aiogram's session, minus the 250 ms it waits on close for TLS connections to shut.

    Loopback HTTP has no TLS to wait for, and a suite that makes a bot per test would
    otherwise spend a quarter second in every teardown.
    """

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


def emulator_bot(emulator: Emulator, **bot_options: Any) -> Bot:
    """A real aiogram ``Bot`` whose requests go to ``emulator``; close its session after use."""
    api = TelegramAPIServer.from_base(emulator.base_url)
    return Bot(emulator.token, session=LoopbackSession(api=api), **bot_options)
