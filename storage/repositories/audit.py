"""The audit trail of staff and operator actions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEvent


async def record(
    session: AsyncSession,
    actor: str,
    action: str,
    now: datetime,
    school_id: int | None = None,
    **detail: Any,
) -> None:
    """Add an event; ``detail`` must never hold codes, tokens or anything about a pupil."""
    session.add(
        AuditEvent(occurred_at=now, actor=actor, action=action, school_id=school_id, detail=detail)
    )


async def actions(session: AsyncSession, school_id: int | None = None) -> list[str]:
    """The actions recorded, oldest first (optionally for one school)."""
    query = select(AuditEvent.action).order_by(AuditEvent.id)
    if school_id is not None:
        query = query.where(AuditEvent.school_id == school_id)
    return list(await session.scalars(query))
