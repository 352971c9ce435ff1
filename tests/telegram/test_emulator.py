"""The emulator against the real aiogram: polling, feed_update, webhook, faults, a subprocess.

Each test plays a person in the chat and asserts on what that person sees, so the emulator is
held to the same standard as the bot tests that will use it.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.methods import SendMessage
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
)
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import ClientSession, web

from tests.telegram.emulator import TINY_PNG, Emulator
from tests.telegram.emulator.aiogram_bot import LoopbackSession, emulator_bot
from tests.telegram.emulator.client import ControlClient, ControlError
from tests.telegram.emulator.process import EmulatorProcess

REPORT_PDF = b"%PDF-1.4\n% a school report\n%%EOF\n"


def one_button(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=data.upper(), callback_data=data)]]
    )


def survey_router(seen_updates: list[int]) -> Router:
    """A miniature of the survey bot: just enough to use every part of the emulator."""
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message, command: CommandObject) -> None:
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(text="Ja", callback_data="join:yes"),
                    InlineKeyboardButton(text="Nee", callback_data="join:no"),
                ]
            ]
        )
        code = f" Code: <b>{command.args}</b>." if command.args else ""
        await message.answer(f"Welkom!{code} Doe je mee?", parse_mode="HTML", reply_markup=keyboard)

    @router.callback_query(F.data.startswith("join:"))
    async def join(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        answer = "Dank je!" if query.data == "join:yes" else "Jammer."
        await query.message.edit_text(answer)
        await query.answer("Opgeslagen")

    @router.message(Command("rapport"))
    async def report(message: Message) -> None:
        await message.answer_document(
            BufferedInputFile(REPORT_PDF, "rapport.pdf"), caption="Schoolrapport"
        )
        await message.answer_photo(BufferedInputFile(TINY_PNG, "grafiek.png"))

    @router.message(Command("vraag"))
    async def question(message: Message) -> None:
        keyboard = ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text="Vaak"), KeyboardButton(text="Nooit")]],
            resize_keyboard=True,
        )
        await message.answer("Hoe vaak?", reply_markup=keyboard)

    @router.message(F.text.in_({"Vaak", "Nooit"}))
    async def answered(message: Message) -> None:
        await message.answer("Genoteerd.", reply_markup=ReplyKeyboardRemove())

    @router.message(F.text == "tel")
    async def count(message: Message) -> None:
        seen_updates.append(message.message_id)
        await message.answer(f"Gezien: {len(seen_updates)}")

    @router.message(~F.text)
    async def not_text(message: Message) -> None:
        await message.answer("Ik lees alleen tekst.")

    return router


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator() as emulator:
        yield emulator


@pytest.fixture
async def bot(emu: Emulator) -> AsyncIterator[Bot]:
    bot = emulator_bot(emu)
    yield bot
    await bot.session.close()


@pytest.fixture
def seen() -> list[int]:
    return []


@pytest.fixture
def dispatcher(seen: list[int]) -> Dispatcher:
    dispatcher = Dispatcher()
    dispatcher.include_router(survey_router(seen))

    @dispatcher.startup()
    async def commands(bot: Bot) -> None:
        await bot.set_my_commands(
            [
                BotCommand(command="start", description="Begin"),
                BotCommand(command="rapport", description="Rapport"),
            ],
            scope=BotCommandScopeAllPrivateChats(),
            language_code="nl",
        )

    return dispatcher


@pytest.fixture
async def polling(emu: Emulator, bot: Bot, dispatcher: Dispatcher) -> AsyncIterator[Dispatcher]:
    """The dispatcher polling the emulator, stopped (and its last long poll ended) afterwards."""
    task = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False)
    )
    await emu.wait_for_long_poll()
    yield dispatcher
    await dispatcher.stop_polling()
    await task
    assert emu.unknown_methods == []


async def test_start_with_deep_link_shows_an_inline_keyboard(
    emu: Emulator, polling: Dispatcher
) -> None:
    pupil = emu.user(id=1001, first_name="Sam")
    await pupil.start("KLAS7-AB")
    reply = await pupil.wait_for_reply(timeout=5)
    assert reply.text == "Welkom! Code: KLAS7-AB. Doe je mee?"
    assert reply.raw["entities"] == [{"type": "bold", "offset": 14, "length": 8}]
    assert reply.button_texts == ["Ja", "Nee"]
    assert reply.raw["from"]["is_bot"] is True


async def test_pressing_a_button_edits_the_message_and_answers_the_query(
    emu: Emulator, polling: Dispatcher
) -> None:
    pupil = emu.user(id=1002)
    await pupil.send_command("/start")
    question = await pupil.wait_for_reply()
    press = await pupil.press(question, "Ja")
    edited = await pupil.wait_for_reply()
    answer = await pupil.wait_for_callback_answer(press)
    assert (edited.message_id, edited.text, edited.buttons, edited.edited) == (
        question.message_id,
        "Dank je!",
        (),
        True,
    )
    assert answer["text"] == "Opgeslagen"
    assert [m.text for m in pupil.messages()] == ["Dank je!"]
    with pytest.raises(LookupError, match="0 buttons"):
        await pupil.press(edited, "Ja")


async def test_documents_and_photos_arrive_with_their_bytes(
    emu: Emulator, polling: Dispatcher
) -> None:
    coordinator = emu.user(id=2001, first_name="Mila")
    await coordinator.send_command("/rapport")
    await coordinator.wait_for(lambda user: len(user.messages()) == 2)
    [document] = coordinator.documents()
    [photo] = coordinator.photos()
    assert (document.file_name, document.data, document.caption) == (
        "rapport.pdf",
        REPORT_PDF,
        "Schoolrapport",
    )
    assert photo.data == TINY_PNG
    assert coordinator.messages()[1].raw["photo"][0]["width"] == 1


async def test_commands_are_kept_per_scope_and_language(
    emu: Emulator, bot: Bot, polling: Dispatcher
) -> None:
    private = {"type": "all_private_chats"}
    assert [c["command"] for c in emu.commands(private, "nl")] == ["start", "rapport"]
    assert emu.commands() == []
    assert [c["command"] for c in emu.visible_commands(1001, "nl")] == ["start", "rapport"]
    assert emu.visible_commands(1001, "en") == []
    got = await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code="nl")
    assert [c.command for c in got] == ["start", "rapport"]
    assert await bot.delete_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code="nl")
    assert emu.commands(private, "nl") == []


async def test_reply_keyboard_shows_and_goes(emu: Emulator, polling: Dispatcher) -> None:
    pupil = emu.user(id=1003)
    await pupil.send_command("/vraag")
    await pupil.wait_for_reply()
    assert pupil.keyboard() == ["Vaak", "Nooit"]
    await pupil.choose("Nooit")
    assert (await pupil.wait_for_reply()).text == "Genoteerd."
    assert pupil.keyboard() is None


async def test_non_text_messages_reach_the_bot(emu: Emulator, polling: Dispatcher) -> None:
    pupil = emu.user(id=1004)
    for send in (pupil.send_sticker, pupil.send_photo, pupil.send_voice):
        await send()
        assert (await pupil.wait_for_reply()).text == "Ik lees alleen tekst."


async def test_a_duplicate_update_is_delivered_again_with_its_update_id(
    emu: Emulator, polling: Dispatcher, seen: list[int]
) -> None:
    pupil = emu.user(id=1005)
    update = await pupil.send("tel")
    await pupil.wait_for_reply()
    pupil.redeliver(update)
    assert (await pupil.wait_for_reply()).text == "Gezien: 2"
    assert seen == [update["message"]["message_id"]] * 2


async def test_feed_update_in_process(emu: Emulator, bot: Bot, dispatcher: Dispatcher) -> None:
    pupil = emu.user(id=1006)
    update = await pupil.send_command("/start")
    await dispatcher.feed_raw_update(bot, update)
    reply = pupil.last()
    assert reply is not None and reply.button_texts == ["Ja", "Nee"]
    await dispatcher.feed_raw_update(bot, await pupil.press(reply, "join:no"))
    assert [m.text for m in pupil.messages()] == ["Jammer."]


async def test_retry_after_reaches_aiogram(emu: Emulator, bot: Bot) -> None:
    pupil = emu.user(id=1007)
    await pupil.send("hoi")
    emu.faults.fail_next("sendMessage", retry_after=7)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(pupil.id, "eerste")
    assert caught.value.retry_after == 7
    await bot.send_message(pupil.id, "tweede")
    assert [c.status for c in emu.calls_to("sendMessage")] == [429, 200]
    assert [m.text for m in pupil.messages()] == ["tweede"]


async def test_server_errors_dropped_connections_and_chat_faults(emu: Emulator, bot: Bot) -> None:
    pupil = emu.user(id=1008)
    await pupil.send("hoi")
    emu.faults.fail_next("sendMessage", status=502)
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.send_message(pupil.id, "x")
    emu.faults.drop_next("sendMessage")
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(pupil.id, "x")
    fault = emu.faults.fail_chat(pupil.id, retry_after=2)
    for _ in range(2):
        with pytest.raises(TelegramRetryAfter):
            await bot.send_chat_action(pupil.id, "typing")
    assert fault.hits == 2
    emu.faults.clear()
    await bot.send_message(pupil.id, "eindelijk")
    assert pupil.last() is not None


async def test_errors_are_the_bot_apis(emu: Emulator, bot: Bot) -> None:
    pupil = emu.user(id=1009)
    stranger = emu.user(id=1010)
    await pupil.send("hoi")
    sent = await bot.send_message(pupil.id, "vraag")
    long_data = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="x" * 65)]]
    )
    cases: list[tuple[Callable[[], Awaitable[Any]], type[Exception], str]] = [
        (lambda: bot.send_message(pupil.id, ""), TelegramBadRequest, "message text is empty"),
        (lambda: bot.send_message(pupil.id, "x" * 4097), TelegramBadRequest, "too long"),
        (
            lambda: bot.send_message(pupil.id, "<b>x", parse_mode="HTML"),
            TelegramBadRequest,
            "can't parse entities",
        ),
        (lambda: bot.send_message(stranger.id, "x"), TelegramForbiddenError, "initiate"),
        (lambda: bot.send_message(404, "x"), TelegramBadRequest, "chat not found"),
        (
            lambda: bot.edit_message_text("vraag", chat_id=pupil.id, message_id=sent.message_id),
            TelegramBadRequest,
            "message is not modified",
        ),
        (
            lambda: bot.edit_message_text("x", chat_id=pupil.id, message_id=999),
            TelegramBadRequest,
            "message to edit not found",
        ),
        (lambda: bot.delete_message(pupil.id, 999), TelegramBadRequest, "to delete not found"),
        (lambda: bot.answer_callback_query("nope"), TelegramBadRequest, "query ID is invalid"),
        (
            lambda: bot.send_message(pupil.id, "x", reply_markup=long_data),
            TelegramBadRequest,
            "BUTTON_DATA_INVALID",
        ),
    ]
    for call, error, text in cases:
        with pytest.raises(error, match=text):
            await call()
    await pupil.block_bot()
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(pupil.id, "x")
    await pupil.unblock_bot()
    assert await bot.delete_message(pupil.id, sent.message_id)
    assert pupil.messages() == []


async def test_unknown_methods_are_404_and_recorded(emu: Emulator) -> None:
    async with ClientSession() as session:
        url = f"{emu.base_url}/bot{emu.token}/sendDice"
        async with session.post(url, json={"chat_id": 1}) as response:
            assert response.status == 404
            assert (await response.json())["description"] == "Not Found: method not found"
        async with session.post(f"{emu.base_url}/bot1:wrong/getMe") as response:
            assert response.status == 401
    assert emu.unknown_methods == ["sendDice"]
    assert [(c.method, c.status) for c in emu.calls] == [("sendDice", 404), ("getMe", 401)]


async def test_rate_limits_are_measured() -> None:
    frozen = [100.0]
    async with Emulator(rate_clock=lambda: frozen[0]) as emu, emulator_bot(emu) as bot:
        pupil, other = emu.user(id=1011), emu.user(id=1017)
        await pupil.send("hoi")
        await other.send("hoi")
        for text in ("een", "twee", "drie"):  # a short burst passes, as on Telegram
            await bot.send_message(pupil.id, text)
        assert emu.rates.violations == []
        await bot.send_message(pupil.id, "vier")
        await bot.send_message(other.id, "een")
        assert [(v.scope, v.chat_id) for v in emu.rates.violations] == [("chat", pupil.id)]
        frozen[0] += 1.0
        await bot.send_message(pupil.id, "vijf")
        assert len(emu.rates.violations) == 1
        emu.rates.enforce = True
        with pytest.raises(TelegramRetryAfter):
            await bot.send_message(pupil.id, "zes")
        emu.rates.reset()
        emu.rates.per_bot, emu.rates.bot_burst = 1.0, 1
        await bot.send_message(other.id, "twee")
        with pytest.raises(TelegramRetryAfter):
            await bot.send_message(pupil.id, "zeven")
        assert [v.scope for v in emu.rates.violations] == ["bot"]


async def test_long_poll_waits_for_an_update_and_honours_offset(emu: Emulator, bot: Bot) -> None:
    pupil = emu.user(id=1012)
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await emu.wait_for_long_poll()
    first = await pupil.send("een")
    [update] = await asyncio.wait_for(poll, 5)
    assert update.update_id == first["update_id"]
    await pupil.send("twee")
    later = await bot.get_updates(offset=update.update_id + 1, timeout=0)
    assert [u.message.text for u in later if u.message] == ["twee"]
    assert await bot.get_updates(offset=later[0].update_id + 1, timeout=0) == []
    for text in ("drie", "vier", "vijf"):
        await pupil.send(text)
    assert [u.message.text for u in await bot.get_updates(limit=2) if u.message] == [
        "drie",
        "vier",
    ]
    [newest] = await bot.get_updates(offset=-1)  # forgets all before the newest
    assert newest.message is not None and newest.message.text == "vijf"
    assert await bot.get_updates(offset=newest.update_id + 1) == []
    await pupil.block_bot()  # a my_chat_member update, which allowed_updates leaves out
    assert await bot.get_updates(allowed_updates=["message"], timeout=0) == []
    await pupil.send("zes")
    assert [u.event_type for u in await bot.get_updates()] == ["message"]


async def test_webhook_posts_with_the_secret_header(emu: Emulator, bot: Bot) -> None:
    dispatcher = Dispatcher()
    headers: list[str | None] = []

    @dispatcher.message(CommandStart())
    async def start(message: Message) -> SendMessage:
        # Answered in the webhook response body, as aiogram does when not in background.
        return message.answer("Welkom via webhook")

    @web.middleware
    async def record(request: web.Request, handler: Any) -> web.StreamResponse:
        headers.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        response: web.StreamResponse = await handler(request)
        return response

    app = web.Application(middlewares=[record])
    SimpleRequestHandler(
        dispatcher, bot, secret_token="geheim-123", handle_in_background=False
    ).register(app, path="/hook")
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="geheim-123")
        info = await bot.get_webhook_info()
        assert info.url.endswith("/hook")
        with pytest.raises(TelegramConflictError, match="webhook is active"):
            await bot.get_updates()
        pupil = emu.user(id=1013)
        await pupil.send_command("/start")
        assert (await pupil.wait_for_reply()).text == "Welkom via webhook"
        assert headers == ["geheim-123"]
        assert await bot.delete_webhook()
        assert (await bot.get_webhook_info()).url == ""
    finally:
        await runner.cleanup()


async def test_standalone_process_is_driven_over_the_control_api() -> None:
    token = "42:AAProcessLevelToken"
    async with EmulatorProcess(token) as process, ControlClient(process.base_url) as control:
        dispatcher = Dispatcher()
        dispatcher.include_router(survey_router([]))
        api = TelegramAPIServer.from_base(process.base_url)
        bot = Bot(token, session=LoopbackSession(api=api))
        polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False))
        try:
            pupil = await control.user(3001, first_name="Noor")
            await pupil.send("/start KLAS8")
            reply = await pupil.wait_for_reply(timeout=5)
            assert reply["text"] == "Welkom! Code: KLAS8. Doe je mee?"
            assert [b["text"] for b in reply["buttons"][0]] == ["Ja", "Nee"]
            press = await pupil.press(reply["message_id"], "Ja")
            assert (await pupil.wait_for_reply(timeout=5))["text"] == "Dank je!"
            assert (await pupil.wait_for_callback_answer(press))["text"] == "Opgeslagen"
            assert [a["text"] for a in await pupil.callback_answers()] == ["Opgeslagen"]

            await control.add_fault(method="sendPhoto", status=429, retry_after=3)
            await pupil.send("/rapport")
            await pupil.wait_for_reply(timeout=5)  # the document; the photo hits the fault
            await control.wait_for_call("sendPhoto")
            [document] = await pupil.files()
            assert document["file_name"] == "rapport.pdf"
            assert base64.b64decode(document["data"]) == REPORT_PDF
            assert [c["status"] for c in await control.calls("sendPhoto")] == [429]

            with pytest.raises(ControlError, match="0 buttons"):
                await pupil.press(reply["message_id"], "Ja")
            state = await control.state()
            assert state["unknown_methods"] == []
            assert state["rate_violations"] == []
        finally:
            await dispatcher.stop_polling()
            await polling
    assert process.returncode == 0


async def test_a_failing_webhook_is_retried_and_reported(emu: Emulator, bot: Bot) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        if len(received) == 1:
            return web.Response(status=500)
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
        await bot.set_webhook(url, secret_token="s3cret", allowed_updates=["message"])
        pupil = emu.user(id=1014)
        update = await pupil.send("hoi")
        await emu.wait_for_webhook_delivery()
        assert [secret for secret, _ in received] == ["s3cret", "s3cret"]
        assert [body for _, body in received] == [update, update]
        info = await bot.get_webhook_info()
        assert info.pending_update_count == 0
        assert (
            info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
        )
        assert info.allowed_updates == ["message"]
    finally:
        await bot.delete_webhook()
        await runner.cleanup()


async def test_a_newer_get_updates_ends_the_older_one(emu: Emulator, bot: Bot) -> None:
    older = asyncio.create_task(bot.get_updates(timeout=10))
    await emu.wait_for_long_poll()
    newer = asyncio.create_task(bot.get_updates(timeout=0))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await asyncio.wait_for(older, 5)
    assert await newer == []


async def test_updates_of_every_kind_parse_in_aiogram(emu: Emulator, bot: Bot) -> None:
    pupil = emu.user(id=1015, first_name="Ada", username="ada", language_code="en")
    await pupil.send_command("/start")
    sent = await bot.send_message(pupil.id, "kies", reply_markup=one_button("a"))
    await pupil.press(sent.message_id, "a")
    await pupil.send_photo(caption="foto")
    await pupil.send_sticker()
    await pupil.send_voice()
    notes = await pupil.send_document(b"data", "notes.txt")
    with pytest.raises(LookupError, match="not a text message"):
        await pupil.edit(notes, "x")
    await pupil.edit(await pupil.send("typfout"), "typo")
    await pupil.block_bot()
    updates = await bot.get_updates(timeout=0)
    kinds = [u.event_type for u in updates]
    assert kinds == [
        "message",
        "callback_query",
        "message",
        "message",
        "message",
        "message",
        "message",
        "edited_message",
        "my_chat_member",
    ]
    edited = updates[-2].edited_message
    assert edited is not None and edited.text == "typo" and edited.edit_date is not None
    start = updates[0].message
    assert start is not None and start.entities is not None
    assert start.entities[0].type == "bot_command"
    query = updates[1].callback_query
    assert query is not None and query.data == "a" and query.message is not None
    member = updates[-1].my_chat_member
    assert member is not None and member.new_chat_member.status == "kicked"
    photo = updates[2].message
    assert photo is not None and photo.photo is not None
    downloaded = await bot.download(photo.photo[-1].file_id)
    assert downloaded is not None and downloaded.read() == TINY_PNG


async def test_media_groups_markup_edits_and_bulk_deletes(emu: Emulator, bot: Bot) -> None:
    coordinator = emu.user(id=2002)
    await coordinator.send("hoi")
    album = await bot.send_media_group(
        coordinator.id,
        [
            InputMediaPhoto(media=BufferedInputFile(TINY_PNG, "a.png"), caption="klas 7"),
            InputMediaPhoto(media=BufferedInputFile(TINY_PNG, "b.png")),
        ],
    )
    assert len({m.media_group_id for m in album}) == 1
    assert [p.data for p in coordinator.photos()] == [TINY_PNG, TINY_PNG]
    question = await bot.send_message(coordinator.id, "klaar?", reply_markup=one_button("ja"))
    edited = await bot.edit_message_reply_markup(
        chat_id=coordinator.id, message_id=question.message_id, reply_markup=one_button("nee")
    )
    assert isinstance(edited, Message) and coordinator.messages()[-1].button_texts == ["NEE"]
    with pytest.raises(TelegramBadRequest, match="not modified"):
        await bot.edit_message_reply_markup(
            chat_id=coordinator.id, message_id=question.message_id, reply_markup=one_button("nee")
        )
    ids = [m.message_id for m in (*album, question)]
    assert await bot.delete_messages(coordinator.id, ids)
    assert coordinator.messages() == []
    assert await bot.send_chat_action(coordinator.id, "upload_document")
    assert coordinator.actions == ["upload_document"]


async def test_descriptions_and_identity(emu: Emulator, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.is_bot, me.username, me.can_join_groups) == (True, "veilig_test_bot", True)
    assert await bot.set_my_description("Een enquête over veiligheid", language_code="nl")
    assert await bot.set_my_short_description("Veiligheidsmonitor")
    nl = await bot.get_my_description(language_code="nl")
    assert nl.description == "Een enquête over veiligheid"
    assert (await bot.get_my_description()).description == ""
    assert (await bot.get_my_short_description()).short_description == "Veiligheidsmonitor"
    assert [c.method for c in emu.calls][-1] == "getMyShortDescription"


async def test_json_and_query_string_bodies(emu: Emulator) -> None:
    pupil = emu.user(id=1016)
    await pupil.send("hoi")
    async with ClientSession() as session:
        api = f"{emu.base_url}/bot{emu.token}"
        body = {"chat_id": pupil.id, "text": "123", "reply_markup": one_button("x").model_dump()}
        async with session.post(f"{api}/sendMessage", json=body) as response:
            sent = await response.json()
        async with session.get(f"{api}/sendmessage", params={"chat_id": pupil.id, "text": "4"}):
            pass
    assert sent["ok"] is True and sent["result"]["text"] == "123"
    assert [m.text for m in pupil.messages()] == ["123", "4"]
    assert [c.method for c in emu.calls] == ["sendMessage", "sendMessage"]


async def test_replies_quote_the_message_and_refusals_change_nothing(
    emu: Emulator, bot: Bot
) -> None:
    pupil = emu.user(id=1018)
    asked = await pupil.send("42")
    quoted = asked["message"]["message_id"]
    reply = await bot.send_message(
        pupil.id, "Dank", reply_parameters=ReplyParameters(message_id=quoted)
    )
    assert reply.reply_to_message is not None and reply.reply_to_message.text == "42"
    keyboard = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Ja")]])
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(
            pupil.id, "x", reply_markup=keyboard, reply_parameters=ReplyParameters(message_id=999)
        )
    assert pupil.keyboard() is None
    later = await bot.send_message(pupil.id, "y", reply_markup=keyboard)
    assert later.message_id == reply.message_id + 1
    assert pupil.keyboard() == ["Ja"]
    [first, *_] = emu.calls_to("sendMessage")
    assert (first.params["chat_id"], first.params["text"]) == (pupil.id, "Dank")
    assert first.params["reply_parameters"] == {"message_id": quoted}
