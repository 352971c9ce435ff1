"""Groups (classes) of a school in one school year."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Group
from storage.records import GroupRecord
from storage.repositories.schools import school_row
from storage.values import (
    MAX_GROUP_NAME_LENGTH,
    SchoolCode,
    check_enrolled,
    check_grade,
    parse_name,
)
from veilig.errors import AlreadyExists, NotFound


def to_record(row: Group, school: SchoolCode) -> GroupRecord:
    return GroupRecord(
        id=row.id,
        school=school,
        school_year=row.school_year,
        name=row.name,
        grade=row.grade,
        enrolled=row.enrolled,
    )


async def add(
    session: AsyncSession,
    school: SchoolCode,
    school_year: str,
    name: str,
    grade: int,
    enrolled: int,
) -> GroupRecord:
    """Add a class; its grade must exist in the school's sector."""
    owner = await school_row(session, school)
    name = parse_name(name, "group name", MAX_GROUP_NAME_LENGTH)
    check_grade(owner.sector, grade)
    check_enrolled(enrolled)
    existing = await session.scalar(
        select(Group.id).where(
            Group.school_id == owner.id, Group.school_year == school_year, Group.name == name
        )
    )
    if existing is not None:
        raise AlreadyExists(
            f"school {school} already has a group {name} in {school_year}; nothing was changed"
        )
    row = Group(
        school_id=owner.id, school_year=school_year, name=name, grade=grade, enrolled=enrolled
    )
    session.add(row)
    await session.flush()
    return to_record(row, school)


async def get(
    session: AsyncSession, school: SchoolCode, school_year: str, name: str
) -> GroupRecord:
    owner = await school_row(session, school)
    row = await session.scalar(
        select(Group).where(
            Group.school_id == owner.id,
            Group.school_year == school_year,
            Group.name == " ".join(name.split()),
        )
    )
    if row is None:
        raise NotFound(
            f"school {school} has no group {name!r} in {school_year}; "
            "check the name or add the group first"
        )
    return to_record(row, school)


async def list_for(
    session: AsyncSession, school: SchoolCode, school_year: str
) -> list[GroupRecord]:
    owner = await school_row(session, school)
    rows = await session.scalars(
        select(Group)
        .where(Group.school_id == owner.id, Group.school_year == school_year)
        .order_by(Group.grade, Group.name)
    )
    return [to_record(row, school) for row in rows]


async def change(
    session: AsyncSession,
    school: SchoolCode,
    school_year: str,
    name: str,
    grade: int,
    enrolled: int,
) -> GroupRecord:
    """Change a group's grade and number of enrolled pupils (its name stays)."""
    owner = await school_row(session, school)
    check_grade(owner.sector, grade)
    check_enrolled(enrolled)
    found = await get(session, school, school_year, name)
    row = await session.get(Group, found.id)
    assert row is not None  # found just above, in this transaction
    row.grade, row.enrolled = grade, enrolled
    await session.flush()
    return to_record(row, school)
