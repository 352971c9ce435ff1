"""The database handle: one async engine, units of work, and error conversion at the edge.

SQLAlchemy and driver exceptions are turned into ``veilig.errors`` here; repositories turn the
integrity errors they expect (a duplicate school, say) into ``AlreadyExists`` themselves,
because only they know what the duplicate means to a person.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.pseudonyms import Keyring
from veilig.errors import ConfigurationError, DatabaseBusy, DatabaseUnavailable, StorageError

#: How long an SQLite writer waits for another to finish before giving up.
SQLITE_BUSY_MS = 15000


#: Connections a process keeps to a PostgreSQL server, all of them open all the time: a pool
#: that opens overflow connections under load and closes them when they come back spends its
#: time connecting (each new asyncpg connection costs several round trips and its own
#: statement cache). A request that finds them all busy waits up to ``pool_timeout`` seconds,
#: then is told the database is busy (``DatabaseBusy``). Several workers on one server: keep
#: workers x pool_size under the server's ``max_connections`` (100 by default).
_POSTGRES_POOL = {"pool_size": 10, "max_overflow": 0, "pool_timeout": 10}


def safe_url(url: str | URL) -> str:
    """The URL without its password, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL lets readers and a writer work together;
    # the busy timeout makes a second writer wait instead of failing at once. The driver's
    # own BEGIN is switched off: _sqlite_begin takes the write lock at the start instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # One writer at a time, from the first statement: a transaction that reads and then
    # writes (a pupil's answer: read the answers, apply, write) cannot interleave with
    # another one's, which a deferred BEGIN would allow until both try to write.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _make_private_file(path: Path) -> None:
    """The embedded database file, made readable by its owner only (like the secret key):
    it holds pupils' answers. SQLite gives its -wal and -shm files the same mode."""
    folder = path.parent
    try:
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(20, "not a folder")
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise ConfigurationError(
            f"VEILIG_DATABASE_URL: cannot use {path}: {folder} {exc.strerror or exc}; "
            "choose a folder you can write to (VEILIG_DATA_DIR for the embedded database)"
        ) from None
    os.close(descriptor)


class Database:
    """An engine plus the installation's keyring; open units of work with :meth:`transaction`."""

    def __init__(self, url: str, keyring: Keyring, **engine_options: Any) -> None:
        self.url = make_url(url)
        self.keyring = keyring
        if self.dialect == "sqlite" and self.url.database not in (None, "", ":memory:"):
            _make_private_file(Path(self.url.database))
        if self.dialect == "postgresql":
            engine_options = {**_POSTGRES_POOL, **engine_options}
        self.engine: AsyncEngine = create_async_engine(self.url, **engine_options)
        if self.dialect == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.url.get_backend_name()

    async def check(self) -> None:
        """Connect once, so a wrong URL or a stopped server is reported before any work."""
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError) as exc:
            raise self.unavailable(exc) from None

    def unavailable(self, exc: BaseException) -> DatabaseUnavailable:
        reason = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
        detail = " ".join(str(reason).split()) or type(reason).__name__
        return DatabaseUnavailable(
            f"VEILIG_DATABASE_URL: cannot use {safe_url(self.url)}: {detail}; "
            "check that the server runs and the URL, user and database are right"
        )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: committed when the block ends, rolled back on any error."""
        async with self._errors() as in_body, self._sessions() as session, session.begin():
            in_body.append(True)
            yield session

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[AsyncConnection]:
        """A connection without a transaction around its statements: each statement commits
        on its own (no ``BEGIN`` and ``COMMIT`` round trips). For work that is one statement
        at a time by design, such as a pupil's answer written with a guard on PostgreSQL
        (:mod:`storage.repositories.places`)."""
        async with self._errors() as in_body, self.engine.connect() as connection:
            in_body.append(True)
            yield await connection.execution_options(isolation_level="AUTOCOMMIT")

    @asynccontextmanager
    async def _errors(self) -> AsyncIterator[list[bool]]:
        """Driver and pool errors as ``veilig.errors``; the list yielded is marked once the
        caller's block runs (an ``OSError`` from there is the caller's, not the database's)."""
        in_body: list[bool] = []
        try:
            yield in_body
        except IntegrityError as exc:
            # An integrity error a repository did not anticipate is a bug, not bad input.
            raise StorageError(f"the database refused a change: {exc.orig}") from exc
        except DBAPIError as exc:
            if exc.connection_invalidated or isinstance(exc.orig, OSError):
                raise self.unavailable(exc) from exc
            raise
        except OSError as exc:
            # Only a failure to reach the database is the database's; a file the caller
            # could not write inside the unit of work is reported as what it is.
            if in_body:
                raise
            raise self.unavailable(exc) from exc
        except PoolTimeout as exc:
            raise DatabaseBusy(
                "the database is busy: no free connection in time; try again in a moment"
            ) from exc

    async def dispose(self) -> None:
        await self.engine.dispose()
