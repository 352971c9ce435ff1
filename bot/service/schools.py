"""Registering schools (vestigingen): one by one or many from a file; listing them."""

from __future__ import annotations

from collections.abc import Sequence

from bot.service.access import Action, allowed
from bot.service.actors import Actor
from bot.service.audit import record
from bot.service.context import Context
from bot.service.school_import import SchoolRow
from storage.records import SchoolRecord
from storage.repositories import schools
from storage.repositories.schools import NewSchool
from veilig.errors import CsvImportError


async def add_school(ctx: Context, actor: Actor, school: NewSchool) -> SchoolRecord:
    async with allowed(ctx, actor, None, Action.SCHOOLS_MANAGE) as session:
        added = await schools.add(session, school, ctx.today())
        await record(session, ctx, actor, "school.add", added.code)
        return added


async def import_schools(ctx: Context, actor: Actor, rows: Sequence[SchoolRow], source: str) -> int:
    """Register every school of ``rows`` (read from ``source``), or none of them."""
    async with allowed(ctx, actor, None, Action.SCHOOLS_MANAGE) as session:
        taken = await schools.registered(session, (row.school.code for row in rows))
        if taken:
            raise CsvImportError(
                source,
                [
                    f"line {row.line}: school {row.school.code} is already registered"
                    for row in rows
                    if row.school.code in taken
                ],
            )
        await schools.add_many(session, [row.school for row in rows], ctx.today())
        await record(session, ctx, actor, "school.import", count=len(rows))
        return len(rows)


async def list_schools(ctx: Context, actor: Actor) -> list[SchoolRecord]:
    async with allowed(ctx, actor, None, Action.SCHOOLS_VIEW) as session:
        return await schools.list_all(session)
