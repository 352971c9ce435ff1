"""A school's consent to deliver its results to the Inspectie: given and withdrawn, by whom."""

from __future__ import annotations

from bot.service.access import Action, allowed
from bot.service.actors import Actor
from bot.service.audit import record
from bot.service.context import Context
from storage.records import ConsentRecord
from storage.repositories import consents
from storage.values import SchoolCode


async def give_consent(
    ctx: Context, actor: Actor, school: SchoolCode, school_year: str, by: str
) -> ConsentRecord:
    """Record that ``by`` (name and role) consents for the school; again: a new who/when."""
    async with allowed(ctx, actor, school, Action.CONSENT) as session:
        given = await consents.give(session, school, school_year, by, ctx.now())
        await record(session, ctx, actor, "consent.give", school, school_year=school_year)
        return given


async def withdraw_consent(
    ctx: Context, actor: Actor, school: SchoolCode, school_year: str, by: str
) -> ConsentRecord:
    """Withdraw the school's consent: it is left out of every later delivery."""
    async with allowed(ctx, actor, school, Action.CONSENT) as session:
        withdrawn = await consents.withdraw(session, school, school_year, by, ctx.now())
        await record(session, ctx, actor, "consent.withdraw", school, school_year=school_year)
        return withdrawn


async def consent_of(
    ctx: Context, actor: Actor, school: SchoolCode, school_year: str
) -> ConsentRecord | None:
    async with allowed(ctx, actor, school, Action.DELIVERY_STATUS) as session:
        return await consents.of(session, school, school_year)
