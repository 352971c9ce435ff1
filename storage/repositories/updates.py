"""Chat updates already handled: the first worker to claim an update id handles it.

Telegram redelivers a webhook update it got no answer for, and two polling workers may both
receive one; the claim is an insert that only one transaction can make, on both backends.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import HandledUpdate
from storage.repositories.upsert import insert


async def claim(session: AsyncSession, source: str, update_id: int, now: datetime) -> bool:
    """Claim ``update_id`` of ``source``; False when it was claimed before."""
    statement = insert(session, HandledUpdate).values(
        source=source, update_id=update_id, handled_at=now
    )
    result = await session.execute(
        statement.on_conflict_do_nothing(
            index_elements=[HandledUpdate.source, HandledUpdate.update_id]
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def expire(session: AsyncSession, before: datetime) -> int:
    """Forget updates handled before ``before``; returns how many."""
    result = await session.execute(delete(HandledUpdate).where(HandledUpdate.handled_at < before))
    return int(result.rowcount)  # type: ignore[attr-defined]
