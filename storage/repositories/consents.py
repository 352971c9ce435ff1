"""A school's consent to deliver a school year's results to the Inspectie."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Consent
from storage.records import ConsentRecord
from storage.repositories.schools import school_row
from storage.values import SchoolCode, parse_name


async def give(
    session: AsyncSession, school: SchoolCode, school_year: str, given_by: str, now: datetime
) -> ConsentRecord:
    """Record consent; giving it again updates who gave it and when."""
    owner = await school_row(session, school)
    row = await session.scalar(
        select(Consent).where(Consent.school_id == owner.id, Consent.school_year == school_year)
    )
    if row is None:
        row = Consent(school_id=owner.id, school_year=school_year)
        session.add(row)
    row.given_by = parse_name(given_by, "name of who consents")
    row.given_at = now
    await session.flush()
    return ConsentRecord(school, school_year, row.given_by, row.given_at)


async def of(session: AsyncSession, school: SchoolCode, school_year: str) -> ConsentRecord | None:
    owner = await school_row(session, school)
    row = await session.scalar(
        select(Consent).where(Consent.school_id == owner.id, Consent.school_year == school_year)
    )
    return None if row is None else ConsentRecord(school, school_year, row.given_by, row.given_at)
