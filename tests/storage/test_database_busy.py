"""Every connection in use past the pool's timeout is a ``DatabaseBusy`` (the web chat answers
503 "try again"), not SQLAlchemy's own exception."""

from __future__ import annotations

import pytest
from sqlalchemy import text

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
