"""A school's consent to deliver a school year's results to the Inspectie, and its withdrawal."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Consent
from storage.records import ConsentRecord
from storage.repositories.schools import school_row
from storage.values import SchoolCode, parse_name
from veilig.errors import Conflict


def _record(school: SchoolCode, row: Consent) -> ConsentRecord:
    return ConsentRecord(
        school, row.school_year, row.given_by, row.given_at, row.withdrawn_by, row.withdrawn_at
    )


async def _row(session: AsyncSession, school: SchoolCode, school_year: str) -> Consent | None:
    owner = await school_row(session, school)
    return await session.scalar(
        select(Consent).where(Consent.school_id == owner.id, Consent.school_year == school_year)
    )


async def give(
    session: AsyncSession, school: SchoolCode, school_year: str, given_by: str, now: datetime
) -> ConsentRecord:
    """Record consent; giving it again (also after a withdrawal) records who and when anew."""
    owner = await school_row(session, school)
    row = await _row(session, school, school_year)
    if row is None:
        row = Consent(school_id=owner.id, school_year=school_year)
        session.add(row)
    row.given_by = parse_name(given_by, "name of who consents")
    row.given_at = now
    row.withdrawn_by = None
    row.withdrawn_at = None
    await session.flush()
    return _record(school, row)


async def withdraw(
    session: AsyncSession, school: SchoolCode, school_year: str, withdrawn_by: str, now: datetime
) -> ConsentRecord:
    """Withdraw the school's consent for the year: it is left out of every later delivery."""
    row = await _row(session, school, school_year)
    if row is None or row.withdrawn_at is not None:
        raise Conflict(
            f"school {school} has no consent in force for {school_year}; nothing to withdraw"
        )
    row.withdrawn_by = parse_name(withdrawn_by, "name of who withdraws consent")
    row.withdrawn_at = now
    await session.flush()
    return _record(school, row)


async def of(session: AsyncSession, school: SchoolCode, school_year: str) -> ConsentRecord | None:
    row = await _row(session, school, school_year)
    return None if row is None else _record(school, row)
