"""Chat updates handled once: a channel claims each update id before it acts on it.

Telegram redelivers a webhook update it got no answer for, and two workers may both receive
one; the claim is a row only one transaction can insert, so the second delivery is dropped.
"""

from __future__ import annotations

from datetime import timedelta

from bot.service.context import Context
from storage.repositories import updates

#: How long a handled update id is remembered; Telegram keeps undelivered updates 24 hours.
REMEMBER = timedelta(days=2)
# Old claims are swept on every SWEEP_EVERY-th update id, not on each update.
SWEEP_EVERY = 1000


async def first_delivery(ctx: Context, source: str, update_id: int) -> bool:
    """True the first time ``update_id`` of ``source`` (a bot) arrives, False after."""
    async with ctx.database.transaction() as session:
        claimed = await updates.claim(session, source, update_id, ctx.now())
        if claimed and update_id % SWEEP_EVERY == 0:
            await updates.expire(session, ctx.now() - REMEMBER)
        return claimed
