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
    *,
    channel: str,
    user_id: str,
    address: str | None,
    display_name: str,
    now: datetime,
) -> CoordinatorRecord:
    """Redeem an invite: the chat user becomes (or stays) a coordinator of its school."""
    found = await session.scalar(
        select(Invite).where(Invite.digest == keyring.invite_digest(token)).with_for_update()
    )
    if found is None:
        raise NotFound("this invite is not known; ask your school's coordinator for a new one")
    if found.used_at is not None:
        raise Conflict("this invite has been used already; ask for a new one")
    if found.expires_at <= now:
        raise Conflict("this invite has expired; ask for a new one")
    found.used_at = now
    identity = keyring.coordinator_identity(channel, user_id)
    person = await session.scalar(select(Coordinator).where(Coordinator.identity == identity))
    if person is None:
        person = Coordinator(
            channel=channel,
            identity=identity,
            display_name=parse_name(display_name),
            active=True,
            created_on=now.date(),
        )
        session.add(person)
        await session.flush()
    person.active = True
    person.address = address
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
        channel=person.channel,
        address=person.address,
        active=person.active,
        schools=tuple((SchoolCode(brin, vestiging), role) for brin, vestiging, role in rows),
    )


async def by_identity(
    session: AsyncSession, keyring: Keyring, channel: str, user_id: str
) -> CoordinatorRecord | None:
    """The active coordinator behind a chat account, if any."""
    person = await session.scalar(
        select(Coordinator).where(
            Coordinator.identity == keyring.coordinator_identity(channel, user_id),
            Coordinator.active.is_(True),
        )
    )
    return None if person is None else await _record(session, person)


async def role_at(session: AsyncSession, coordinator_id: int, school: SchoolCode) -> str | None:
    """The role of an active coordinator at ``school``; None when they have none there."""
    return await session.scalar(
        select(Membership.role)
        .join(Coordinator, Coordinator.id == Membership.coordinator_id)
        .join(School, School.id == Membership.school_id)
        .where(
            Membership.coordinator_id == coordinator_id,
            Coordinator.active.is_(True),
            School.brin == school.brin,
            School.vestiging == school.vestiging,
        )
    )


async def list_all(session: AsyncSession) -> list[CoordinatorRecord]:
    people = await session.scalars(select(Coordinator).order_by(Coordinator.id))
    return [await _record(session, person) for person in people]


async def deactivate(session: AsyncSession, coordinator_id: int) -> CoordinatorRecord:
    person = await session.get(Coordinator, coordinator_id)
    if person is None:
        raise NotFound(f"coordinator {coordinator_id} does not exist; see veilig coordinator list")
    person.active = False
    await session.flush()
    return await _record(session, person)
