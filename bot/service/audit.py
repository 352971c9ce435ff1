"""Audit events of staff use cases: who did what, recorded in the use case's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.service.actors import Actor
from bot.service.context import Context
from storage.repositories import audit, schools
from storage.values import SchoolCode


async def record(
    session: AsyncSession,
    ctx: Context,
    actor: Actor,
    action: str,
    school: SchoolCode | None = None,
    **detail: Any,
) -> None:
    """Add the event; ``detail`` never holds codes, tokens or anything about a pupil."""
    school_id = None if school is None else (await schools.get(session, school)).id
    await audit.record(session, actor.name, action, ctx.now(), school_id, **detail)
