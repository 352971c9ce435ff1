"""The command line as a test drives it, and a school set up the way an operator would.

:class:`Cli` runs ``veilig`` in-process (the ``cli`` fixture in ``conftest.py`` points it at
a fresh database on each backend) and reads the database back independently of the commands.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.app import main
from storage.database import Database
from storage.models import AuditEvent, Base
from storage.pseudonyms import Keyring
from tests.conftest import TEST_SECRET

T = TypeVar("T")
YEAR = "2026-2027"


@dataclass
class Result:
    code: int
    out: str
    err: str


class Cli:
    """``veilig`` with its output captured; ``url`` is the database the commands use."""

    def __init__(self, capsys: pytest.CaptureFixture[str], url: str) -> None:
        self.capsys = capsys
        self.url = url

    def __call__(self, *args: str) -> Result:
        self.capsys.readouterr()
        code = main(list(args))
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)

    def ok(self, *args: str) -> Result:
        """Run a command that must succeed."""
        result = self(*args)
        assert result.code == 0, result.err
        return result

    def read(self, work: Callable[[Database], Awaitable[T]]) -> T:
        """Run ``work`` on a connection of its own to the commands' database."""

        async def run() -> T:
            database = Database(self.url, Keyring(TEST_SECRET))
            try:
                return await work(database)
            finally:
                await database.dispose()

        return asyncio.run(run())

    def session(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run ``work`` in a transaction of its own (e.g. a repository function)."""

        async def run(database: Database) -> T:
            async with database.transaction() as session:
                return await work(session)

        return self.read(run)

    def snapshot(self) -> dict[str, list[tuple[object, ...]]]:
        """Every row of every table, to show that a command changed nothing."""

        async def dump(database: Database) -> dict[str, list[tuple[object, ...]]]:
            async with database.engine.connect() as connection:
                return {
                    table.name: sorted(
                        map(tuple, await connection.execute(table.select())), key=repr
                    )
                    for table in Base.metadata.sorted_tables
                }

        return self.read(dump)

    def scalar(self, sql: str) -> object:
        async def query(database: Database) -> object:
            async with database.engine.connect() as connection:
                return (await connection.execute(text(sql))).scalar()

        return self.read(query)

    def audit_details(self, action: str) -> list[dict[str, Any]]:
        """The details of every audit event ``action``, oldest first."""

        async def query(session: AsyncSession) -> list[dict[str, Any]]:
            rows = await session.scalars(
                select(AuditEvent.detail).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
            return [dict(detail) for detail in rows]

        return self.session(query)


def add_school(
    cli: Cli,
    code: str,
    groups: Sequence[tuple[str, int, int]] = (),
    *,
    sector: str = "po",
    name: str | None = None,
    open_round: bool = True,
    pupils: int = 0,
    seed: int = 3,
) -> None:
    """A school set up with the real commands: registered, its ``groups`` (name, grade,
    enrolled) added and its round opened in :data:`YEAR`, then ``pupils`` simulated pupils
    answering through the real engine."""
    cli.ok(
        "school", "add", "--brin", code[:4], "--vestiging", code[4:],
        "--name", name or f"School {code}", "--sector", sector,
    )  # fmt: skip
    for group, grade, enrolled in groups:
        cli.ok(
            "group", "add", code, "--name", group, "--grade", str(grade),
            "--enrolled", str(enrolled), "--school-year", YEAR,
        )  # fmt: skip
    if open_round:
        cli.ok("round", "open", code, "--school-year", YEAR)
    if pupils:
        cli.ok("simulate", code, "--pupils", str(pupils), "--seed", str(seed),
               "--school-year", YEAR)  # fmt: skip
