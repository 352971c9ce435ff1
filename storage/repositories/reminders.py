"""Reminders already sent: one row per round and kind, inserted by the first worker only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Coordinator, Membership, ReminderSent, School
from storage.repositories.upsert import insert
from storage.values import SchoolCode


async def claim(session: AsyncSession, round_id: int, kind: str, now: datetime) -> bool:
    """Claim the reminder ``kind`` of ``round_id``; False when it was sent before."""
    statement = insert(session, ReminderSent).values(round_id=round_id, kind=kind, sent_at=now)
    result = await session.execute(
        statement.on_conflict_do_nothing(index_elements=[ReminderSent.round_id, ReminderSent.kind])
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def addresses(session: AsyncSession, school: SchoolCode, channel: str) -> list[str]:
    """Where the school's active coordinators on ``channel`` can be reached."""
    rows = await session.scalars(
        select(Coordinator.address)
        .join(Membership, Membership.coordinator_id == Coordinator.id)
        .join(School, School.id == Membership.school_id)
        .where(
            School.brin == school.brin,
            School.vestiging == school.vestiging,
            Coordinator.channel == channel,
            Coordinator.active.is_(True),
            Coordinator.address.is_not(None),
        )
        .order_by(Coordinator.id)
    )
    return [address for address in rows if address]
