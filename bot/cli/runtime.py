"""What every command shares: settings from the Typer context, the service context, errors.

The command line is an adapter: each command parses its options, calls one use case of
:mod:`bot.service` as the operator, and prints or writes the result.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, TypeVar

import typer

from bot.service.actors import Actor
from bot.service.context import Context
from bot.service.records import SchoolCode, parse_school_year, school_year_of
from bot.service.results import MAX_COUNT
from veilig.errors import CsvImportError, InvalidInput, VeiligError
from veilig.settings import Settings, load_settings

T = TypeVar("T")
#: Problems of an import file shown one by one; the rest are counted.
MAX_PROBLEMS = 20
#: Every command acts as the provider's operator.
OPERATOR = Actor.operator("cli")

#: The ``--school-year`` option every command shares; ``None`` means the current school year.
SchoolYear = Annotated[
    str | None,
    typer.Option(
        "--school-year",
        help="School year like 2026-2027; by default the current one (from 1 August).",
    ),
]
SCHOOL_HELP = "School code: BRIN + vestiging, e.g. 12AB00."


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
        for problem in exc.problems[:MAX_PROBLEMS]:
            typer.echo(f"  {problem}", err=True)
        if len(exc.problems) > MAX_PROBLEMS:
            typer.echo(f"  ... and {len(exc.problems) - MAX_PROBLEMS:,} more", err=True)
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


def with_service(
    ctx: typer.Context,
    work: Callable[[Context], Awaitable[T]],
    *,
    require_current_schema: bool = True,
) -> T:
    """Open the service context (database, schema checked), run ``work``, close."""
    return asyncio.run(_with_service(settings_of(ctx), work, require_current_schema))


async def _with_service(
    settings: Settings, work: Callable[[Context], Awaitable[T]], require_current_schema: bool
) -> T:
    async with Context.open(settings, require_current_schema=require_current_schema) as service:
        return await work(service)


def at_least_one(option: str, value: int) -> None:
    """Refuse a count option (``--min-n``, ``--min-schools``) below 1 or beyond reason."""
    if not 1 <= value <= MAX_COUNT:
        raise InvalidInput(f"{option} must be 1 to {MAX_COUNT:,}, got {value}")


def school_year_or_current(text: str | None) -> str:
    """The school year given, or the one today falls in (a new one starts in August)."""
    return parse_school_year(text) if text else school_year_of(datetime.now(UTC).date())


def school_code(text: str) -> SchoolCode:
    return SchoolCode.parse(text)
