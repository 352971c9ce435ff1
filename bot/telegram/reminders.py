"""Reminders to coordinators in their chat, claimed once in the database before sending.

:func:`send_due` is one pass; :func:`remind_until` repeats it until a stop event. Several
workers may run it: :func:`bot.service.reminders.claim` lets one of them send each reminder.
A reminder whose send fails is not sent again (at most once: better than a flood).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from bot.service import reminders
from bot.service.context import Context
from bot.telegram import CHANNEL
from bot.telegram.texts import staff_text

log = logging.getLogger(__name__)

#: How often reminders are looked for.
INTERVAL = 3600.0


def reminder_text(reminder: reminders.Reminder) -> str:
    fields = {
        "school": reminder.school,
        "year": reminder.school_year,
        "days": reminder.days_open,
        "completed": reminder.completed,
        "enrolled": reminder.enrolled,
        "deadline": f"{reminder.deadline:%d-%m-%Y}",
    }
    lines = [staff_text(f"remind_{reminder.kind.value}", **fields)]
    lines += [staff_text(f"missing_{missing}") for missing in reminder.missing]
    return "\n".join(lines)


async def send_due(ctx: Context, bot: Bot) -> int:
    """Send every reminder that is due and not yet sent; returns how many were sent."""
    sent = 0
    for reminder in await reminders.due(ctx, CHANNEL):
        if not reminder.addresses or not await reminders.claim(ctx, reminder):
            continue
        for address in reminder.addresses:
            try:
                await bot.send_message(int(address), reminder_text(reminder))
            except TelegramAPIError as error:  # blocked the bot, or gone: the others still get it
                log.warning("reminder %s to a coordinator failed: %s", reminder.kind, error)
        sent += 1
    return sent


async def remind_until(
    ctx: Context, bot: Bot, stop_event: asyncio.Event, interval: float = INTERVAL
) -> None:
    """Look for due reminders every ``interval`` seconds until ``stop_event`` is set."""
    while not stop_event.is_set():
        try:
            await send_due(ctx, bot)
        except Exception:  # a failed pass must not end the loop; the next one tries again
            log.exception("looking for reminders failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop_event.wait(), interval)
