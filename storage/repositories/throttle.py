"""Failed attempts per keyed identity in a fixed window: a limit every worker shares.

A pupil who types wrong codes again and again (or a script guessing codes) is paused for the
rest of the window. The count lives in the database, so it holds across restarts and across
worker processes; the key is a keyed digest, never a chat id.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, delete, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Throttle
from storage.repositories.upsert import insert


async def failures(session: AsyncSession, key: str, now: datetime, window: timedelta) -> int:
    """Failed attempts of ``key`` in the window that is running now."""
    found = (
        await session.execute(
            select(Throttle.window_start, Throttle.failures).where(Throttle.key == key)
        )
    ).one_or_none()
    if found is None or found.window_start + window <= now:
        return 0
    return int(found.failures)


async def fail(session: AsyncSession, key: str, now: datetime, window: timedelta) -> int:
    """Count one more failed attempt; returns the count in the running window.

    One statement, atomic on both backends even when two workers count the same key at
    once: the first failure inserts the count, a later one adds to it, or starts a new
    window when the running one has ended."""
    first = insert(session, Throttle).values(key=key, window_start=now, failures=1)
    ended = Throttle.window_start <= literal(now - window, Throttle.window_start.type)
    counted = first.on_conflict_do_update(
        index_elements=[Throttle.key],
        set_={
            "failures": case((ended, 1), else_=Throttle.failures + 1),
            "window_start": case(
                (ended, literal(now, Throttle.window_start.type)), else_=Throttle.window_start
            ),
        },
    ).returning(Throttle.failures)
    return int((await session.execute(counted)).scalar_one())


async def forget(session: AsyncSession, key: str) -> None:
    """A good attempt clears the count."""
    await session.execute(delete(Throttle).where(Throttle.key == key))


async def expire(session: AsyncSession, before: datetime) -> int:
    """Remove counts whose window started before ``before``; returns how many."""
    result = await session.execute(delete(Throttle).where(Throttle.window_start < before))
    return int(result.rowcount)  # type: ignore[attr-defined]
