"""Answers: one row per respondent and item, written idempotently on either backend.

Rows hold the item's number (table ``item``), not its id; callers speak item ids only. An item
id is numbered the first time anyone answers it, safely when several workers do so at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from sqlalchemy import Table, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Answer, Item
from storage.repositories.upsert import insert as _insert

ITEM_NUMBERS = "veilig.item_numbers"  # connection.info: numbers read before
_MADE_HERE = "veilig.items_made"


async def item_numbers(session: AsyncSession, names: Iterable[str]) -> dict[str, int]:
    """The numbers of ``names``, numbering the ones not seen before.

    Numbers never change once committed, so each connection keeps the ones it has read
    (``connection.info`` lives as long as the pooled connection): a pupil's answer then needs
    no lookup. A number this transaction made itself is not kept until it is committed
    elsewhere and read again, since a rollback would take it away.
    """
    wanted = sorted(set(names))
    if not wanted:
        return {}
    known: dict[str, int] = (await session.connection()).info.setdefault(ITEM_NUMBERS, {})
    if all(name in known for name in wanted):
        return {name: known[name] for name in wanted}
    query = select(Item.name, Item.id).where(Item.name.in_(wanted))
    found = {name: number for name, number in await session.execute(query)}
    made_here = session.info.setdefault(_MADE_HERE, set())
    known.update({name: number for name, number in found.items() if name not in made_here})
    missing = [name for name in wanted if name not in found]
    if missing:
        statement = _insert(session, Item).values([{"name": name} for name in missing])
        await session.execute(statement.on_conflict_do_nothing(index_elements=[Item.name]))
        made_here.update(missing)
        found = {name: number for name, number in await session.execute(query)}
    return found


_ANSWER, _ITEM = cast(Table, Answer.__table__), cast(Table, Item.__table__)
_OF = select(_ITEM.c.name, _ANSWER.c.value).join(_ITEM, _ITEM.c.id == _ANSWER.c.item_id)
_UPSERTS: dict[str, Any] = {}


def _upsert_statement(session: AsyncSession) -> Any:
    """``INSERT ... ON CONFLICT DO UPDATE`` of one answer, built once per dialect: the same
    statement object every time, so it is compiled once and executed with parameters."""
    dialect = session.get_bind().dialect.name
    if dialect not in _UPSERTS:
        statement = _insert(session, _ANSWER)
        _UPSERTS[dialect] = statement.on_conflict_do_update(
            index_elements=[_ANSWER.c.respondent_id, _ANSWER.c.item_id],
            set_={"value": statement.excluded.value},
        )
    return _UPSERTS[dialect]


async def upsert(
    session: AsyncSession, respondent_id: int, values: Mapping[str, int | None]
) -> None:
    """Store answers (``None`` = "I'd rather not say"); a repeated write just overwrites."""
    if not values:
        return
    numbers = await item_numbers(session, values)
    await session.execute(
        _upsert_statement(session),
        [
            {"respondent_id": respondent_id, "item_id": numbers[item], "value": value}
            for item, value in values.items()
        ],
    )


async def remove(session: AsyncSession, respondent_id: int, items: Iterable[str]) -> None:
    """Forget answers (the pupil went back to change them)."""
    wanted = list(items)
    if wanted:
        numbers = select(_ITEM.c.id).where(_ITEM.c.name.in_(wanted))
        await session.execute(
            delete(_ANSWER).where(
                _ANSWER.c.respondent_id == respondent_id, _ANSWER.c.item_id.in_(numbers)
            )
        )


async def of(session: AsyncSession, respondent_id: int) -> dict[str, int | None]:
    """All answers of one respondent: the whole of their place in the questionnaire."""
    rows = await session.execute(_OF.where(_ANSWER.c.respondent_id == respondent_id))
    return {item: value for item, value in rows}
