"""School staff who run their school's round from a chat: invited by the operator.

An invite is single-use and expires; whoever opens it on a channel becomes a coordinator of
its school there. The coordinator's chat identity is kept as a keyed digest per channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.service.access import Action, allowed
from bot.service.actors import Actor
from bot.service.audit import record
from bot.service.context import Context
from storage.records import CoordinatorRecord
from storage.repositories import coordinators
from storage.values import SchoolCode

INVITE_LIFETIME = coordinators.INVITE_LIFETIME


@dataclass(frozen=True, slots=True)
class Invitation:
    """An invite in the clear: shown once to the operator, stored only as a digest."""

    token: str
    school: SchoolCode
    expires_at: datetime


async def invite(
    ctx: Context,
    actor: Actor,
    school: SchoolCode,
    role: str = "coordinator",
    lifetime: timedelta = INVITE_LIFETIME,
) -> Invitation:
    async with allowed(ctx, actor, None, Action.COORDINATORS_MANAGE) as session:
        token = await coordinators.invite(
            session, ctx.keyring, school, ctx.now(), role=role, lifetime=lifetime
        )
        await record(session, ctx, actor, "coordinator.invite", school, role=role)
        return Invitation(token, school, ctx.now() + lifetime)


async def accept(
    ctx: Context, token: str, channel: str, user: str, address: str | None, name: str
) -> CoordinatorRecord:
    """The staff member behind ``channel``/``user`` opened an invite: they join its school."""
    async with ctx.database.transaction() as session:
        joined = await coordinators.accept(
            session,
            ctx.keyring,
            token,
            channel=channel,
            user_id=user,
            address=address,
            display_name=name,
            now=ctx.now(),
        )
        actor = Actor.coordinator(joined.id, channel)
        for school, role in joined.schools:
            await record(session, ctx, actor, "coordinator.join", school, role=role)
        return joined


async def identify(ctx: Context, channel: str, user: str) -> Actor | None:
    """The coordinator actor behind a chat account, or None for anyone else."""
    async with ctx.database.transaction() as session:
        found = await coordinators.by_identity(session, ctx.keyring, channel, user)
    return None if found is None else Actor.coordinator(found.id, channel)


async def membership(ctx: Context, channel: str, user: str) -> CoordinatorRecord | None:
    """The active coordinator behind a chat account with their schools, or None."""
    async with ctx.database.transaction() as session:
        return await coordinators.by_identity(session, ctx.keyring, channel, user)


async def list_coordinators(ctx: Context, actor: Actor) -> list[CoordinatorRecord]:
    async with allowed(ctx, actor, None, Action.COORDINATORS_MANAGE) as session:
        return await coordinators.list_all(session)


async def revoke(ctx: Context, actor: Actor, coordinator_id: int) -> CoordinatorRecord:
    """Deactivate a coordinator: every later action of theirs is refused."""
    async with allowed(ctx, actor, None, Action.COORDINATORS_MANAGE) as session:
        revoked = await coordinators.deactivate(session, coordinator_id)
        await record(session, ctx, actor, "coordinator.revoke", coordinator=coordinator_id)
        return revoked
