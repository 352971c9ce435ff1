"""Answers: one row per respondent and item, written idempotently on either backend."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Answer


async def upsert(
    session: AsyncSession, respondent_id: uuid.UUID, values: Mapping[str, int | None]
) -> None:
    """Store answers (``None`` = "I'd rather not say"); a repeated write just overwrites.

    The one place that branches on dialect: both SQLite and PostgreSQL speak
    ``INSERT ... ON CONFLICT DO UPDATE``, through their own SQLAlchemy constructs.
    """
    if not values:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Answer).values(
        [
            {"respondent_id": respondent_id, "item_id": item, "value": value}
            for item, value in values.items()
        ]
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Answer.respondent_id, Answer.item_id],
            set_={"value": statement.excluded.value},
        )
    )


async def remove(session: AsyncSession, respondent_id: uuid.UUID, items: Iterable[str]) -> None:
    """Forget answers (the pupil went back to change them)."""
    wanted = list(items)
    if wanted:
        await session.execute(
            delete(Answer).where(Answer.respondent_id == respondent_id, Answer.item_id.in_(wanted))
        )


async def of(session: AsyncSession, respondent_id: uuid.UUID) -> dict[str, int | None]:
    """All answers of one respondent: the whole of their place in the questionnaire."""
    rows = await session.execute(
        select(Answer.item_id, Answer.value).where(Answer.respondent_id == respondent_id)
    )
    return {item: value for item, value in rows}
