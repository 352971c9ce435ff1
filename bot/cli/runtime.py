"""What every command shares: settings from the context, the database, and error handling."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import Database, safe_url
from storage.pseudonyms import Keyring
from storage.repositories import audit, schools
from storage.values import SchoolCode, parse_school_year, school_year_of
from veilig.errors import ConfigurationError, CsvImportError, InvalidInput, VeiligError
from veilig.settings import Settings, load_settings

T = TypeVar("T")
ACTOR = "cli"

#: The ``--school-year`` option every command shares; ``None`` means the current school year.
SchoolYear = Annotated[
    str | None,
    typer.Option(
        "--school-year",
        help="School year like 2026-2027; by default the current one (from 1 August).",
    ),
]


def run_cli(app: typer.Typer, argv: list[str] | None) -> int:
    """Run the app; a ``VeiligError`` becomes one line on stderr and its exit code.

    Typer runs in standalone mode, so usage errors, ``--help`` and Ctrl-C are handled (and
    end in ``SystemExit``) the way every Typer program handles them.
    """
    try:
        app(args=argv, prog_name="veilig", obj=load_settings())
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    except CsvImportError as exc:
        fail(str(exc))
        for problem in exc.problems:
            typer.echo(f"  {problem}", err=True)
        return exc.exit_code
    except VeiligError as exc:
        fail(str(exc))
        return exc.exit_code
    return 0


def fail(message: str) -> None:
    typer.echo(f"veilig: {message}", err=True)


def settings_of(ctx: typer.Context) -> Settings:
    settings = ctx.find_root().obj
    if not isinstance(settings, Settings):
        raise TypeError("the veilig CLI was started without settings; call bot.cli.app.main")
    return settings


def with_database(
    ctx: typer.Context,
    work: Callable[[Database], Awaitable[T]],
    *,
    require_current_schema: bool = True,
) -> T:
    """Open the configured database, make sure its schema is current, run ``work``, close."""
    return asyncio.run(_with_database(settings_of(ctx), work, require_current_schema))


async def _with_database(
    settings: Settings, work: Callable[[Database], Awaitable[T]], require_current_schema: bool
) -> T:
    from storage import migrate  # alembic: only for commands that open the database

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
        return await work(database)
    finally:
        await database.dispose()


def at_least_one(option: str, value: int) -> None:
    """Refuse a count option (``--min-n``, ``--min-schools``) below 1."""
    if value < 1:
        raise InvalidInput(f"{option} must be 1 or more, got {value}")


def today() -> date:
    return datetime.now(UTC).date()


def now() -> datetime:
    return datetime.now(UTC)


def school_year_or_current(text: str | None) -> str:
    """The school year given, or the one today falls in (a new one starts in August)."""
    return parse_school_year(text) if text else school_year_of(today())


async def record(
    session: AsyncSession, action: str, school_id: int | None = None, **detail: Any
) -> None:
    """Add the audit event of a CLI command, in the command's transaction."""
    await audit.record(session, ACTOR, action, now(), school_id, **detail)


async def record_for(session: AsyncSession, code: SchoolCode, action: str, **detail: Any) -> None:
    """Add the audit event of a CLI command about the school ``code``."""
    owner = await schools.get(session, code)
    await record(session, action, owner.id, **detail)
