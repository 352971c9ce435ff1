"""Migrations: every revision goes up, down and up again, and the newest matches the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from storage import migrate
from storage.database import Database
from storage.models import Base
from storage.pseudonyms import Keyring
from tests.conftest import BACKENDS, TEST_SECRET

pytestmark = pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)


async def _tables(database: Database) -> set[str]:
    async with database.engine.connect() as connection:
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    return set(names) - {"alembic_version"}


async def test_stairway(empty_database_url: str) -> None:
    database = Database(empty_database_url, Keyring(TEST_SECRET))
    try:
        previous = "base"
        for revision in migrate.revisions():
            await migrate.upgrade(database, revision)
            assert await migrate.current(database) == revision
            await migrate.downgrade(database, previous)
            await migrate.upgrade(database, revision)
            assert await migrate.current(database) == revision
            previous = revision
        await migrate.downgrade(database, "base")
        assert await _tables(database) == set()
    finally:
        await database.dispose()


async def test_models_match_the_newest_migration(empty_database_url: str) -> None:
    database = Database(empty_database_url, Keyring(TEST_SECRET))
    try:
        await migrate.upgrade(database)
        assert await _tables(database) == set(Base.metadata.tables)
        async with database.engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
        assert diff == []
    finally:
        await database.dispose()
