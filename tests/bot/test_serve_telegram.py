"""``veilig serve`` as a real process with the Telegram bot, against the Bot API emulator
(also a process) on loopback: a pupil opens the deep link and answers, driven over HTTP."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.bot.test_serve import environment, free_port, start, stop, wait_for_url
from tests.telegram.emulator.client import ControlClient
from tests.telegram.emulator.process import EmulatorProcess

TOKEN = "123456:serve-end-to-end-token"


def _buttons(message: dict[str, Any]) -> list[str]:
    """The texts of a message's inline buttons, row by row."""
    return [str(button["text"]) for row in message.get("buttons") or [] for button in row]


async def _next_with_buttons(pupil: Any, after: int) -> dict[str, Any]:
    """The first message after ``after`` that has buttons (edits of older ones come first)."""
    for _ in range(10):
        message: dict[str, Any] = await pupil.wait_for_reply(timeout=20)
        if message["message_id"] > after and _buttons(message):
            return message
    raise AssertionError("the bot sent no new message with buttons")


async def _pupil_answers(base_url: str, code: str) -> list[str]:
    async with ControlClient(base_url) as control:
        pupil = await control.user(4242, first_name="Sam", language_code="nl")
        await pupil.send(f"/start {code}")
        menu = await _next_with_buttons(pupil, 0)  # the language comes first
        dutch = next(b for b in _buttons(menu) if "Nederlands" in b)
        await pupil.press(menu["message_id"], dutch)
        intro = await _next_with_buttons(pupil, menu["message_id"])
        await pupil.press(intro["message_id"], _buttons(intro)[0])  # Beginnen
        question = await _next_with_buttons(pupil, intro["message_id"])
        await pupil.press(question["message_id"], _buttons(question)[0])
        await _next_with_buttons(pupil, question["message_id"])  # the next question
        return [str(message.get("text", "")) for message in await pupil.messages()]


def test_a_pupil_answers_through_the_served_bot(tmp_path: Path) -> None:
    async def run() -> list[str]:
        async with EmulatorProcess(TOKEN) as emulator:
            env = environment(
                tmp_path, VEILIG_TELEGRAM_TOKEN=TOKEN, VEILIG_TELEGRAM_API=emulator.base_url
            )
            process = await asyncio.to_thread(start, env, "--port", str(free_port()))
            try:
                _, codes = await asyncio.to_thread(wait_for_url, process)
                return await _pupil_answers(emulator.base_url, codes[0])
            finally:
                await asyncio.to_thread(stop, process)

    texts = asyncio.run(run())
    joined = "\n".join(texts)
    assert "Voel jij je veilig op school?" in joined  # the first question, then the next
    assert len(texts) >= 3
