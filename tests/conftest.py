"""Test fixtures: every storage test runs on SQLite and on a real PostgreSQL server.

PostgreSQL comes from ``VEILIG_TEST_POSTGRES_URL`` (default: the trust-auth server on this kind
of machine). Each test session creates its own uniquely named database and drops it at the end.
Where the server cannot be reached the PostgreSQL tests skip with the reason, unless
``VEILIG_REQUIRE_POSTGRES=1``, where they fail.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from storage import migrate
from storage.database import Database
from storage.models import Base
from storage.pseudonyms import Keyring

DEFAULT_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
TEST_SECRET = b"test-secret-key-that-is-long-enough-0123456789"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _server_url() -> str:
    return os.environ.get("VEILIG_TEST_POSTGRES_URL", DEFAULT_SERVER)


def _dsn(url: str) -> str:
    """asyncpg speaks plain ``postgresql://``."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresServer:
    """Creates and drops uniquely named databases on the test server."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.created: list[str] = []

    async def _admin(self, sql: str) -> None:
        connection = await asyncpg.connect(_dsn(self.url), timeout=5)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    def create_database(self) -> str:
        name = f"veilig_test_{uuid.uuid4().hex[:16]}"
        asyncio.run(self._admin(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        for name in self.created:
            asyncio.run(self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer(_server_url())
    try:
        asyncio.run(server._admin("SELECT 1"))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        reason = f"PostgreSQL at {make_url(server.url).render_as_string()} unreachable: {exc}"
        if os.environ.get("VEILIG_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason} (VEILIG_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    yield server
    server.drop_all()


@pytest.fixture(scope="session")
def postgres_url(postgres: PostgresServer) -> str:
    """A database for this test session, migrated to the newest revision once."""
    url = postgres.create_database()
    asyncio.run(_upgrade(url))
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file; each test gets a copy, which is faster than migrating again."""
    path = tmp_path_factory.mktemp("template") / "veilig.db"
    asyncio.run(_upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


async def _upgrade(url: str) -> None:
    database = Database(url, Keyring(TEST_SECRET))
    try:
        await migrate.upgrade(database)
    finally:
        await database.dispose()


async def _truncate(url: str) -> None:
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    connection = await asyncpg.connect(_dsn(url))
    try:
        await connection.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, migrated database on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "veilig.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    asyncio.run(_truncate(url))
    return url


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url, Keyring(TEST_SECRET))
    yield database
    await database.dispose()


@pytest.fixture
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Parametrize indirectly with "sqlite" or "postgresql": a database with no schema at all."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.create_database()
