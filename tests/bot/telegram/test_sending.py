"""Sending within Telegram's limits: paced, retried after 429 and 5xx, never losing an answer."""

from __future__ import annotations

import asyncio

from bot.service.context import Context
from bot.telegram.sending import Pace
from tests.bot.service.conftest import School
from tests.bot.telegram.conftest import Chat, last
from tests.bot.telegram.test_pupils import begin, stored
from tests.telegram.emulator import Fault


async def test_pace_spaces_sends_to_one_chat_not_to_others() -> None:
    pace = Pace(per_chat=20, per_bot=1000)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await asyncio.gather(*(pace.turn(1) for _ in range(5)))
    assert loop.time() - started >= 4 / 20 * 0.9
    started = loop.time()
    await asyncio.gather(*(pace.turn(chat) for chat in range(100, 105)))
    assert loop.time() - started < 0.1


async def test_a_429_and_server_errors_are_retried(chat: Chat, school: School) -> None:
    [code] = await school.codes("7A", 1)
    pupil = chat.user(5000)
    chat.emu.add_fault(Fault(method="sendMessage", status=429, retry_after=1))
    chat.emu.add_fault(Fault(method="sendMessage", status=502, times=2))
    await chat.do(pupil.start(code))
    assert last(pupil).text == "Kies je taal."
    statuses = [call.status for call in chat.emu.calls_to("sendMessage")]
    assert statuses == [429, 502, 502, 200]


async def test_an_answer_is_stored_before_its_reply_is_sent(
    chat: Chat, ctx: Context, school: School
) -> None:
    [code] = await school.codes("7A", 1)
    pupil = chat.user(5100)
    await begin(chat, pupil, code)
    await chat.do(pupil.press(last(pupil), last(pupil).button_texts[0]))
    question = last(pupil)
    chat.emu.add_fault(Fault(method="sendMessage", kind="drop", times=None))
    await chat.do(pupil.press(question, question.button_texts[0]))  # logged, not raised
    assert last(pupil).message_id == question.message_id  # nothing new reached the chat
    [answered] = await stored(ctx)
    assert "safe_school" in answered  # the network failed, the answer is kept
    chat.emu.faults.rules.clear()
    await chat.do(pupil.send("hallo"))  # the next message shows the right question
    assert "Vraag 2 van" in (last(pupil).text or "")
