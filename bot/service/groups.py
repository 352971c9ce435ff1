"""The groups (classes) of a school in a school year, with the codes handed out."""

from __future__ import annotations

from bot.service.access import Action, allowed
from bot.service.actors import Actor
from bot.service.audit import record
from bot.service.context import Context
from storage.records import CodeCount, GroupRecord
from storage.repositories import codes, groups, rounds
from storage.values import SchoolCode
from veilig.errors import NotFound


async def add_group(
    ctx: Context,
    actor: Actor,
    school: SchoolCode,
    school_year: str,
    name: str,
    grade: int,
    enrolled: int,
) -> GroupRecord:
    async with allowed(ctx, actor, school, Action.GROUPS_MANAGE) as session:
        added = await groups.add(session, school, school_year, name, grade, enrolled)
        await record(session, ctx, actor, "group.add", school, group=added.name)
        return added


async def change_group(
    ctx: Context,
    actor: Actor,
    school: SchoolCode,
    school_year: str,
    name: str,
    grade: int,
    enrolled: int,
) -> GroupRecord:
    """Change a group's grade and number of enrolled pupils."""
    async with allowed(ctx, actor, school, Action.GROUPS_MANAGE) as session:
        changed = await groups.change(session, school, school_year, name, grade, enrolled)
        await record(
            session, ctx, actor, "group.change", school, group=changed.name, enrolled=enrolled
        )
        return changed


async def list_groups(
    ctx: Context, actor: Actor, school: SchoolCode, school_year: str
) -> list[tuple[GroupRecord, CodeCount | None]]:
    """The school's groups, each with its codes in this year's round (None: no round)."""
    async with allowed(ctx, actor, school, Action.GROUPS_VIEW) as session:
        found = await groups.list_for(session, school, school_year)
        await record(session, ctx, actor, "group.list", school, school_year=school_year)
        try:
            round_id: int | None = (await rounds.get(session, school, school_year)).id
        except NotFound:
            round_id = None
        return [
            (group, None if round_id is None else await codes.count(session, round_id, group.id))
            for group in found
        ]
