"""Migrations: every revision goes up, down and up again, and the newest matches the models."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Date, Uuid, bindparam, inspect, text

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


async def test_compact_answers_carry_stored_answers_over_and_back(empty_database_url: str) -> None:
    """0002 renumbers respondents and items; no answer, date or "rather not say" is lost."""
    database = Database(empty_database_url, Keyring(TEST_SECRET))
    respondents = "SELECT round_id, started_on, completed_on, resume_key FROM respondent"
    old_answers = (
        "SELECT r.resume_key, a.item_id, a.value FROM answer a "
        "JOIN respondent r ON r.id = a.respondent_id"
    )
    new_answers = (
        "SELECT r.resume_key, i.name, a.value FROM answer a "
        "JOIN respondent r ON r.id = a.respondent_id JOIN item i ON i.id = a.item_id"
    )
    try:
        await migrate.upgrade(database, "0001")
        async with database.engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO school (id, brin, vestiging, name, sector, created_on) "
                    "VALUES (1, '12AB', '00', 'De Linde', 'po', '2026-09-01')"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO class_group (id, school_id, school_year, name, grade, enrolled) "
                    "VALUES (1, 1, '2026-2027', '7a', 7, 25)"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO survey_round (id, school_id, school_year, questionnaire_id, "
                    "questionnaire_version, status) VALUES (1, 1, '2026-2027', 'q', 'v', 'open')"
                )
            )
            for number, (key, done) in enumerate([("k1", "2026-10-02"), ("k2", None)]):
                respondent = Uuid().bind_processor(connection.dialect)
                value = uuid.UUID(int=number + 1)
                await connection.execute(
                    text(
                        "INSERT INTO respondent (id, round_id, group_id, language, age_band, "
                        "channel, started_on, completed_on, resume_key) VALUES "
                        "(:id, 1, 1, 'nl', 'po', 'web', :started, :done, :key)"
                    ).bindparams(
                        bindparam("started", type_=Date()), bindparam("done", type_=Date())
                    ),
                    {
                        "id": respondent(value) if respondent else value,
                        "started": date(2026, 10, 1),
                        "done": None if done is None else date.fromisoformat(done),
                        "key": key,
                    },
                )
                for item, code in [("safe_school", 3 + number), ("bullied", None)]:
                    await connection.execute(
                        text("INSERT INTO answer VALUES (:id, :item, :value)"),
                        {
                            "id": respondent(value) if respondent else value,
                            "item": item,
                            "value": code,
                        },
                    )

        async def snapshot(answers_sql: str) -> tuple[list[tuple[object, ...]], ...]:
            async with database.engine.connect() as connection:
                people = (await connection.execute(text(respondents))).all()
                given = (await connection.execute(text(answers_sql))).all()
            return sorted(map(tuple, people), key=str), sorted(map(tuple, given), key=str)

        before = await snapshot(old_answers)
        assert len(before[1]) == 4
        await migrate.upgrade(database, "0002")
        assert await snapshot(new_answers) == before
        await migrate.downgrade(database, "0001")
        assert await snapshot(old_answers) == before
    finally:
        await database.dispose()
