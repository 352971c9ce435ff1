"""Answers: one row per respondent and item, written idempotently on either backend.

Rows hold the item's number (table ``item``), not its id; callers speak item ids only. An item
id is numbered the first time anyone answers it, safely when several workers do so at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Answer, Item
from storage.repositories.upsert import insert as _insert


async def item_numbers(session: AsyncSession, names: Iterable[str]) -> dict[str, int]:
    """The numbers of ``names``, numbering the ones not seen before."""
    wanted = sorted(set(names))
    if not wanted:
        return {}
    query = select(Item.name, Item.id).where(Item.name.in_(wanted))
    known = {name: number for name, number in await session.execute(query)}
    missing = [name for name in wanted if name not in known]
    if missing:
        statement = _insert(session, Item).values([{"name": name} for name in missing])
        await session.execute(statement.on_conflict_do_nothing(index_elements=[Item.name]))
        known = {name: number for name, number in await session.execute(query)}
    return known


async def upsert(
    session: AsyncSession, respondent_id: int, values: Mapping[str, int | None]
) -> None:
    """Store answers (``None`` = "I'd rather not say"); a repeated write just overwrites."""
    if not values:
        return
    numbers = await item_numbers(session, values)
    statement = _insert(session, Answer).values(
        [
            {"respondent_id": respondent_id, "item_id": numbers[item], "value": value}
            for item, value in values.items()
        ]
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Answer.respondent_id, Answer.item_id],
            set_={"value": statement.excluded.value},
        )
    )


async def remove(session: AsyncSession, respondent_id: int, items: Iterable[str]) -> None:
    """Forget answers (the pupil went back to change them)."""
    wanted = list(items)
    if wanted:
        numbers = select(Item.id).where(Item.name.in_(wanted))
        await session.execute(
            delete(Answer).where(Answer.respondent_id == respondent_id, Answer.item_id.in_(numbers))
        )


async def of(session: AsyncSession, respondent_id: int) -> dict[str, int | None]:
    """All answers of one respondent: the whole of their place in the questionnaire."""
    rows = await session.execute(
        select(Item.name, Answer.value)
        .join(Item, Item.id == Answer.item_id)
        .where(Answer.respondent_id == respondent_id)
    )
    return {item: value for item, value in rows}
