"""Who may do what, in one place: :func:`require` is called by every staff use case.

The operator may do everything. A coordinator acts only on the schools they are a member of,
with their role's actions, and only while active: membership is read in the use case's own
transaction, so a revoked coordinator is refused at once. The system (reminders) may only
read status. Pupils may do no staff action at all.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.service.actors import Actor, Role
from bot.service.context import Context
from storage.repositories import coordinators
from storage.values import SchoolCode
from veilig.errors import NotAllowed


class Action(StrEnum):
    SCHOOLS_MANAGE = "register schools"
    SCHOOLS_VIEW = "list schools"
    GROUPS_MANAGE = "add or change groups"
    GROUPS_VIEW = "see the groups"
    ROUND_OPEN = "open the round"
    ROUND_CLOSE = "close the round"
    ROUND_STATUS = "see the round's status"
    CODES_ISSUE = "make pupil codes"
    CONSENT = "give or withdraw consent"
    REPORT = "make the school report"
    DELIVERY_STATUS = "see the delivery status"
    DELIVER = "deliver to the Inspectie"
    EXPORT = "write the research export"
    INSTRUMENT = "write the instrument report"
    SIMULATE = "simulate pupils"
    COORDINATORS_MANAGE = "invite or revoke coordinators"


_VIEW = frozenset({Action.GROUPS_VIEW, Action.ROUND_STATUS, Action.REPORT, Action.DELIVERY_STATUS})
#: What a member of a school may do there, by their role.
BY_ROLE: dict[str, frozenset[Action]] = {
    "coordinator": _VIEW
    | {
        Action.GROUPS_MANAGE,
        Action.ROUND_OPEN,
        Action.ROUND_CLOSE,
        Action.CODES_ISSUE,
        Action.CONSENT,
    },
    "viewer": _VIEW,
}
SYSTEM_ACTIONS = frozenset({Action.ROUND_STATUS, Action.DELIVERY_STATUS})


async def require(
    session: AsyncSession, actor: Actor, school: SchoolCode | None, action: Action
) -> None:
    """Raise :class:`~veilig.errors.NotAllowed` unless ``actor`` may do ``action`` at
    ``school`` (``None``: an action across schools, for the operator only)."""
    if actor.role is Role.OPERATOR:
        return
    if actor.role is Role.SYSTEM and action in SYSTEM_ACTIONS:
        return
    if actor.role is Role.COORDINATOR and actor.coordinator_id is not None and school:
        role = await coordinators.role_at(session, actor.coordinator_id, school)
        if role is not None and action in BY_ROLE.get(role, frozenset()):
            return
    where = f" for school {school}" if school else ""
    raise NotAllowed(
        f"you may not {action.value}{where}; a coordinator acts only on their own school, "
        "and some actions are the operator's: ask the operator if you need this"
    )


@asynccontextmanager
async def allowed(
    ctx: Context, actor: Actor, school: SchoolCode | None, action: Action
) -> AsyncIterator[AsyncSession]:
    """One unit of work for a staff use case, begun by checking the actor's permission."""
    async with ctx.database.transaction() as session:
        await require(session, actor, school, action)
        yield session


async def check(ctx: Context, actor: Actor, school: SchoolCode | None, action: Action) -> None:
    """Refuse early, before long work (a national read), in a transaction of its own."""
    async with allowed(ctx, actor, school, action):
        pass
