"""The context every use case runs in: settings, database, keyring and clock, built once.

:meth:`Context.open` connects, checks (or on the embedded default, upgrades) the schema once,
and closes everything when the block ends. Use cases read the time from ``ctx.clock`` only, so
tests can fix it.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol, TypeVar

from storage.database import Database, safe_url
from storage.pseudonyms import Keyring
from storage.values import parse_school_year, school_year_of
from veilig.errors import ConfigurationError
from veilig.settings import Settings

T = TypeVar("T")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True)
class FixedClock:
    """A clock that stands still (tests, reproducible demos)."""

    at: datetime

    def now(self) -> datetime:
        return self.at


class Context:
    """What every use case needs; made once per process by :meth:`open`."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        clock: Clock | None = None,
        executor: Executor | None = None,
    ) -> None:
        self.settings = settings
        self.database = database
        self.clock: Clock = clock or SystemClock()
        # Where CPU-bound work (reports) runs; None: in this thread (the command line).
        self.executor = executor

    @property
    def keyring(self) -> Keyring:
        return self.database.keyring

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.now().date()

    def school_year(self, text: str | None = None) -> str:
        """The school year given, or the one today falls in (a new one starts 1 August)."""
        return parse_school_year(text) if text else school_year_of(self.today())

    async def compute(self, work: Callable[..., T], *args: object) -> T:
        """Run CPU-bound ``work(*args)`` off the event loop when an executor is set.

        A chat process sets a process pool, so a report does not stall pupils answering on
        the same process; the command line runs it here.
        """
        if self.executor is None:
            return work(*args)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(work, *args))

    @classmethod
    @asynccontextmanager
    async def open(
        cls,
        settings: Settings,
        *,
        clock: Clock | None = None,
        executor: Executor | None = None,
        require_current_schema: bool = True,
    ) -> AsyncIterator[Context]:
        """Connect, make sure the schema is current, yield the context, close."""
        from storage import migrate  # alembic: only for processes that open the database

        database = Database(settings.url, Keyring(settings.secret_key_bytes()))
        try:
            await database.check()
            if settings.embedded:
                await migrate.upgrade(database)
            elif require_current_schema:
                at = await migrate.current(database)
                if at != migrate.head():
                    raise ConfigurationError(
                        f"VEILIG_DATABASE_URL: the schema of {safe_url(database.url)} is at "
                        f"revision {at or 'none'}, not {migrate.head()}; run: veilig db upgrade"
                    )
            yield cls(settings, database, clock, executor)
        finally:
            await database.dispose()
