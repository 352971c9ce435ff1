"""Reminders reach coordinators once, even when two workers look for them."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.service.context import Context, FixedClock
from bot.telegram.reminders import send_due
from tests.bot.service.conftest import LINDE, NOW, School
from tests.bot.telegram.conftest import Chat, last
from tests.bot.telegram.test_staff import coordinator_of


def at(ctx: Context, when: datetime) -> Context:
    """The same database seen on another day."""
    return Context(ctx.settings, ctx.database, FixedClock(when))


async def test_low_response_after_two_weeks_once(chat: Chat, ctx: Context, school: School) -> None:
    staff = await coordinator_of(chat, LINDE, 6000)
    pupil = chat.user(6001)
    [code] = await school.codes("7A", 1)
    await chat.do(pupil.start(code))
    assert await send_due(at(ctx, NOW + timedelta(days=13)), chat.bot) == 0
    later = at(ctx, NOW + timedelta(days=15))
    assert await send_due(later, chat.bot) == 1
    assert await send_due(later, chat.bot) == 0  # a second worker, or the next hour
    text = last(staff).text or ""
    assert text.startswith("Herinnering: de ronde 2026-2027 van 12AB00 is 15 dagen open")
    assert pupil.messages()[-1].text == "Kies je taal."  # pupils never get reminders


async def test_from_june_what_the_delivery_still_needs(
    chat: Chat, ctx: Context, school: School
) -> None:
    staff = await coordinator_of(chat, LINDE, 6100)
    june = at(ctx, datetime(2027, 6, 2, 9, 0, tzinfo=NOW.tzinfo))
    assert await send_due(june, chat.bot) == 2  # low response, and the delivery
    text = last(staff).text or ""
    assert "vóór 01-07-2027" in text and "(/ronde_sluiten)" in text and "(/toestemming)" in text
    assert await send_due(june, chat.bot) == 0
