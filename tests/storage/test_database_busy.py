"""Every connection in use past the pool's timeout is a ``DatabaseBusy`` (the web chat answers
503 "try again"), not SQLAlchemy's own exception."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event, text

from storage.database import Database
from storage.pseudonyms import Keyring
from tests.conftest import TEST_SECRET
from veilig.errors import DatabaseBusy


@pytest.mark.postgres
async def test_no_free_connection_is_busy(postgres_url: str) -> None:
    database = Database(
        postgres_url, Keyring(TEST_SECRET), pool_size=1, max_overflow=0, pool_timeout=0.2
    )
    try:
        async with database.transaction() as held:
            await held.execute(text("SELECT 1"))
            with pytest.raises(DatabaseBusy, match="try again in a moment"):
                async with database.transaction() as second:
                    await second.execute(text("SELECT 1"))
    finally:
        await database.dispose()


@pytest.mark.postgres
async def test_a_busy_pool_keeps_its_connections(postgres_url: str) -> None:
    """More transactions at once than the pool holds wait for a connection rather than open
    and close extra ones: connecting is costly, and under a school's peak it was most of the
    work (the default overflow connections were closed on return and opened again)."""
    database = Database(postgres_url, Keyring(TEST_SECRET))
    connects: list[object] = []
    event.listen(database.engine.sync_engine, "connect", lambda *_: connects.append(1))

    async def one() -> None:
        async with database.transaction() as session:
            await session.execute(text("SELECT pg_sleep(0.01)"))

    try:
        await asyncio.gather(*(one() for _ in range(40)))
        first_burst = len(connects)
        await asyncio.gather(*(one() for _ in range(40)))
        assert 1 <= first_burst <= database.engine.pool.size()  # type: ignore[attr-defined]
        assert len(connects) == first_burst  # the second burst opened none
    finally:
        await database.dispose()
