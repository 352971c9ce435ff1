"""Failed attempts per keyed identity in a fixed window: a limit every worker shares.

A pupil who types wrong codes again and again (or a script guessing codes) is paused for the
rest of the window. The count lives in the database, so it holds across restarts and across
worker processes; the key is a keyed digest, never a chat id.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Throttle
from storage.repositories.upsert import insert


async def failures(session: AsyncSession, key: str, now: datetime, window: timedelta) -> int:
    """Failed attempts of ``key`` in the window that is running now."""
    row = await session.get(Throttle, key)
    if row is None or row.window_start + window <= now:
        return 0
    return row.failures


async def fail(session: AsyncSession, key: str, now: datetime, window: timedelta) -> int:
    """Count one more failed attempt; returns the count in the running window."""
    # Two workers may count the first failure of a key at once: insert or keep, then lock.
    first = insert(session, Throttle).values(key=key, window_start=now, failures=0)
    await session.execute(first.on_conflict_do_nothing(index_elements=[Throttle.key]))
    row = await session.scalar(
        select(Throttle)
        .where(Throttle.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert row is not None  # inserted or kept just above, in this transaction
    if row.window_start + window <= now:
        row.window_start, row.failures = now, 1
    else:
        row.failures += 1
    await session.flush()
    return row.failures


async def forget(session: AsyncSession, key: str) -> None:
    """A good attempt clears the count."""
    await session.execute(delete(Throttle).where(Throttle.key == key))


async def expire(session: AsyncSession, before: datetime) -> int:
    """Remove counts whose window started before ``before``; returns how many."""
    result = await session.execute(delete(Throttle).where(Throttle.window_start < before))
    return int(result.rowcount)  # type: ignore[attr-defined]
