"""Running the bot: long polling and the webhook route, against the emulator over HTTP."""

from __future__ import annotations

import asyncio

from aiohttp import ClientSession, web

from bot.service.context import Context
from bot.telegram.runner import SECRET_HEADER, register_webhook, run_polling, webhook_routes
from tests.bot.service.conftest import School
from tests.bot.telegram.conftest import FAST
from tests.conftest import TEST_SECRET
from tests.telegram.emulator import Emulator
from tests.telegram.emulator.aiogram_bot import emulator_bot
from veilig.settings import Settings, load_settings


def settings_for(ctx: Context, emu: Emulator, **more: str) -> Settings:
    return load_settings(
        database_url=ctx.settings.database_url,
        secret_key=TEST_SECRET.decode(),
        telegram_token=emu.token,
        telegram_api=emu.base_url,
        **more,
    )


async def test_long_polling_until_stopped(ctx: Context) -> None:
    async with Emulator() as emu:
        stop = asyncio.Event()
        running = asyncio.create_task(run_polling(ctx, settings_for(ctx, emu), stop, pace=FAST))
        stranger = emu.user(4000)
        await stranger.start()
        reply = await stranger.wait_for_reply()
        assert "Deze bot is voor de jaarlijkse veiligheidsmonitor" in (reply.text or "")
        assert emu.calls_to("deleteMyCommands"), "pupils get no command menu"
        stop.set()
        await asyncio.wait_for(running, 15)


async def test_webhook_checks_the_secret_and_handles_a_redelivery_once(
    ctx: Context, school: School
) -> None:
    [code] = await school.codes("7A", 1)
    async with Emulator() as emu:
        secret = "a-secret_token"
        routes_settings = settings_for(
            ctx, emu, webhook_url="http://127.0.0.1/telegram/hook", webhook_secret=secret
        )
        bot = emulator_bot(emu)
        app = web.Application()
        app.add_routes(webhook_routes(ctx, routes_settings, bot=bot, pace=FAST))
        runner = web.AppRunner(app, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        url = f"http://127.0.0.1:{port}/telegram/hook"
        try:
            await register_webhook(
                settings_for(ctx, emu, webhook_url=url, webhook_secret=secret), bot
            )
            async with ClientSession() as http:
                refused = await http.post(url, json={"update_id": 1}, headers={SECRET_HEADER: "x"})
                assert refused.status == 401
                unsigned = await http.post(url, json={"update_id": 1})
                assert unsigned.status == 401

            pupil = emu.user(4100)
            update = await pupil.start(code)
            menu = await pupil.wait_for_reply()
            assert menu.text == "Kies je taal."
            await emu.wait_for_webhook_delivery()
            emu.redeliver(update)  # Telegram got no answer in time and tries again
            await emu.wait_for_webhook_delivery()
            await asyncio.sleep(0.2)
            assert [m.text for m in pupil.messages()].count("Kies je taal.") == 1
        finally:
            await bot.delete_webhook()
            await runner.cleanup()
            await bot.session.close()
