"""Coordinators (school staff), joined through single-use, expiring invites."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Coordinator, Invite, Membership, School
from storage.pseudonyms import Keyring
from storage.records import CoordinatorRecord
from storage.repositories.schools import school_row
from storage.values import SchoolCode, parse_name
from veilig.errors import Conflict, NotFound

INVITE_LIFETIME = timedelta(days=7)
ROLES = ("coordinator", "viewer")


async def invite(
    session: AsyncSession,
    keyring: Keyring,
    school: SchoolCode,
    now: datetime,
    role: str = "coordinator",
    lifetime: timedelta = INVITE_LIFETIME,
) -> str:
    """Make an invite token for a school; returned in the clear once, stored as a digest."""
    if role not in ROLES:
        raise Conflict(f"role {role!r} is not known; choose one of {', '.join(ROLES)}")
    owner = await school_row(session, school)
    token = secrets.token_urlsafe(24)
    session.add(
        Invite(
            school_id=owner.id,
            digest=keyring.invite_digest(token),
            role=role,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    await session.flush()
    return token


async def accept(
    session: AsyncSession,
    keyring: Keyring,
    token: str,
    chat_user_id: int,
    display_name: str,
    now: datetime,
) -> CoordinatorRecord:
    """Redeem an invite: the chat user becomes (or stays) a coordinator of its school."""
    found = await session.scalar(
        select(Invite).where(Invite.digest == keyring.invite_digest(token))
    )
    if found is None:
        raise NotFound("this invite is not known; ask your school's coordinator for a new one")
    if found.used_at is not None:
        raise Conflict("this invite has been used already; ask for a new one")
    if found.expires_at <= now:
        raise Conflict("this invite has expired; ask for a new one")
    found.used_at = now
    person = await session.scalar(
        select(Coordinator).where(Coordinator.chat_user_id == chat_user_id)
    )
    if person is None:
        person = Coordinator(
            chat_user_id=chat_user_id,
            display_name=parse_name(display_name),
            active=True,
            created_on=now.date(),
        )
        session.add(person)
        await session.flush()
    person.active = True
    membership = await session.get(Membership, (person.id, found.school_id))
    if membership is None:
        session.add(
            Membership(coordinator_id=person.id, school_id=found.school_id, role=found.role)
        )
    else:
        membership.role = found.role
    await session.flush()
    return await _record(session, person)


async def _record(session: AsyncSession, person: Coordinator) -> CoordinatorRecord:
    rows = await session.execute(
        select(School.brin, School.vestiging, Membership.role)
        .join(Membership, Membership.school_id == School.id)
        .where(Membership.coordinator_id == person.id)
        .order_by(School.brin, School.vestiging)
    )
    return CoordinatorRecord(
        id=person.id,
        display_name=person.display_name,
        chat_user_id=person.chat_user_id,
        active=person.active,
        schools=tuple((SchoolCode(brin, vestiging), role) for brin, vestiging, role in rows),
    )


async def by_chat_user(session: AsyncSession, chat_user_id: int) -> CoordinatorRecord | None:
    """The active coordinator behind a chat account, if any."""
    person = await session.scalar(
        select(Coordinator).where(
            Coordinator.chat_user_id == chat_user_id, Coordinator.active.is_(True)
        )
    )
    return None if person is None else await _record(session, person)


async def deactivate(session: AsyncSession, coordinator_id: int) -> None:
    person = await session.get(Coordinator, coordinator_id)
    if person is None:
        raise NotFound(f"coordinator {coordinator_id} does not exist")
    person.active = False
