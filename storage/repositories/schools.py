"""Schools (vestigingen), identified by BRIN + vestiging."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import School
from storage.records import SchoolRecord
from storage.values import SchoolCode, Sector
from veilig.errors import AlreadyExists, NotFound


@dataclass(frozen=True, slots=True)
class NewSchool:
    code: SchoolCode
    name: str
    sector: Sector
    support_contact: str | None = None


def to_record(row: School) -> SchoolRecord:
    return SchoolRecord(
        id=row.id,
        code=SchoolCode(row.brin, row.vestiging),
        name=row.name,
        sector=row.sector,
        support_contact=row.support_contact,
    )


async def school_row(session: AsyncSession, code: SchoolCode) -> School:
    """The row for a school code; ``NotFound`` if it is not registered."""
    row = await session.scalar(
        select(School).where(School.brin == code.brin, School.vestiging == code.vestiging)
    )
    if row is None:
        raise NotFound(f"school {code} is not registered; check the code or add the school first")
    return row


async def get(session: AsyncSession, code: SchoolCode) -> SchoolRecord:
    return to_record(await school_row(session, code))


#: Codes per query: a national import (8,000 schools) in one ``IN`` list is too deep for
#: PostgreSQL's parser and has too many variables for SQLite.
CHUNK = 500


async def registered(session: AsyncSession, codes: Iterable[SchoolCode]) -> set[SchoolCode]:
    """Which of these codes are registered already."""
    wanted = [(c.brin, c.vestiging) for c in codes]
    found: set[SchoolCode] = set()
    for start in range(0, len(wanted), CHUNK):
        rows = await session.execute(
            select(School.brin, School.vestiging).where(
                tuple_(School.brin, School.vestiging).in_(wanted[start : start + CHUNK])
            )
        )
        found |= {SchoolCode(brin, vestiging) for brin, vestiging in rows}
    return found


async def add(session: AsyncSession, school: NewSchool, today: date) -> SchoolRecord:
    """Register a school; ``AlreadyExists`` if its code is taken."""
    (added,) = await add_many(session, [school], today)
    return added


async def add_many(
    session: AsyncSession, new: Sequence[NewSchool], today: date
) -> list[SchoolRecord]:
    """Register schools at once; ``AlreadyExists`` naming every code that is taken."""
    taken = await registered(session, (school.code for school in new))
    if taken:
        listed = ", ".join(str(code) for code in sorted(taken))
        what = f"school {listed} is" if len(taken) == 1 else f"schools {listed} are"
        raise AlreadyExists(f"{what} already registered; nothing was changed")
    rows = [
        School(
            brin=school.code.brin,
            vestiging=school.code.vestiging,
            name=school.name,
            sector=school.sector,
            support_contact=school.support_contact,
            created_on=today,
        )
        for school in new
    ]
    session.add_all(rows)
    await session.flush()
    return [to_record(row) for row in rows]


async def list_all(session: AsyncSession) -> list[SchoolRecord]:
    rows = await session.scalars(select(School).order_by(School.brin, School.vestiging))
    return [to_record(row) for row in rows]
