"""One-time pupil codes for a group: made, handed to the adapter once, stored as digests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.service.access import Action, allowed
from bot.service.actors import Actor
from bot.service.audit import record
from bot.service.context import Context
from bot.service.pupils import band_of
from storage.records import IssuedCodes
from storage.repositories import codes, groups, rounds, schools
from storage.values import SchoolCode

Keep = Callable[[IssuedCodes], Awaitable[None]]


async def issue_codes(
    ctx: Context,
    actor: Actor,
    school: SchoolCode,
    school_year: str,
    group: str,
    keep: Keep,
    count: int | None = None,
) -> IssuedCodes:
    """Make codes for ``group`` of the open round (default: enrolled plus spares).

    The codes exist in the clear only in the result: ``keep`` (the adapter's file or message)
    runs inside the transaction, so if it fails no code is stored, and if storing fails the
    adapter removes what ``keep`` made.
    """
    async with allowed(ctx, actor, school, Action.CODES_ISSUE) as session:
        owner = await schools.get(session, school)
        round_ = await rounds.get_open(session, school, school_year)
        chosen = await groups.get(session, school, school_year, group)
        band_of(owner.sector, chosen.grade)  # refuses groups too young to answer
        before = await codes.count(session, round_.id, chosen.id)
        how_many = count if count is not None else codes.default_count(chosen.enrolled)
        issued = await codes.issue(session, ctx.keyring, round_, chosen, how_many)
        await keep(issued)
        await record(
            session,
            ctx,
            actor,
            "codes.issue",
            school,
            group=chosen.name,
            school_year=school_year,
            count=len(issued.codes),
            before=before.issued,
        )
        return issued
