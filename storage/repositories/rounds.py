"""Survey rounds: one per school per school year, opened, closed and later delivered."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AccessCode, Group, Respondent, Round, School
from storage.records import RoundRecord, RoundSummary
from storage.repositories.schools import school_row
from storage.values import RoundStatus, SchoolCode
from veilig.errors import AlreadyExists, Conflict, NotFound


def to_record(row: Round, school: SchoolCode) -> RoundRecord:
    return RoundRecord(
        id=row.id,
        school=school,
        school_year=row.school_year,
        questionnaire_id=row.questionnaire_id,
        questionnaire_version=row.questionnaire_version,
        status=row.status,
        opens_on=row.opens_on,
        closes_on=row.closes_on,
        planned_end=row.planned_end,
    )


async def _row(session: AsyncSession, school_id: int, school_year: str) -> Round | None:
    return await session.scalar(
        select(Round).where(Round.school_id == school_id, Round.school_year == school_year)
    )


async def open_round(
    session: AsyncSession,
    school: SchoolCode,
    school_year: str,
    questionnaire_id: str,
    questionnaire_version: str,
    today: date,
) -> RoundRecord:
    """Open the school's round for a school year, recording the questionnaire it uses."""
    owner = await school_row(session, school)
    row = await _row(session, owner.id, school_year)
    if row is not None and row.status is not RoundStatus.DRAFT:
        raise AlreadyExists(
            f"school {school} already has a round for {school_year} ({row.status.value}); "
            "a school has one round per school year"
        )
    if row is None:
        row = Round(school_id=owner.id, school_year=school_year)
        session.add(row)
    row.questionnaire_id = questionnaire_id
    row.questionnaire_version = questionnaire_version
    row.status = RoundStatus.OPEN
    row.opens_on = today
    await session.flush()
    return to_record(row, school)


async def get(session: AsyncSession, school: SchoolCode, school_year: str) -> RoundRecord:
    owner = await school_row(session, school)
    row = await _row(session, owner.id, school_year)
    if row is None:
        raise NotFound(f"school {school} has no round for {school_year}; open one first")
    return to_record(row, school)


async def lock(session: AsyncSession, round_id: int) -> None:
    """Hold the round for this transaction (PostgreSQL: a row lock; SQLite has one writer),
    so checks of its places and the writes that fill them are one step."""
    await session.execute(select(Round.id).where(Round.id == round_id).with_for_update())


async def get_open(session: AsyncSession, school: SchoolCode, school_year: str) -> RoundRecord:
    """The school's round for the year, which must be open (for codes and answers)."""
    found = await get(session, school, school_year)
    if found.status is not RoundStatus.OPEN:
        raise Conflict(
            f"the {school_year} round of school {school} is {found.status.value}, not open; "
            "nothing was changed"
        )
    return found


async def close_round(
    session: AsyncSession, school: SchoolCode, school_year: str, today: date
) -> RoundRecord:
    """Close an open round: no new answers, and every resume pseudonym is erased."""
    found = await get_open(session, school, school_year)
    row = await session.get_one(Round, found.id)
    row.status = RoundStatus.CLOSED
    row.closes_on = today
    await session.execute(
        update(Respondent)
        .where(Respondent.round_id == row.id)
        .values(resume_key=None, code_key=None)
    )
    await session.flush()
    return to_record(row, school)


async def summaries(session: AsyncSession, school: SchoolCode | None = None) -> list[RoundSummary]:
    """Every round (of one school, or all), with codes and responses counted."""
    codes = (
        select(
            AccessCode.round_id,
            func.count().label("issued"),
            func.count().filter(AccessCode.used).label("used"),
        )
        .group_by(AccessCode.round_id)
        .subquery()
    )
    answers = (
        select(
            Respondent.round_id,
            func.count().label("started"),
            func.count(Respondent.completed_on).label("completed"),
        )
        .group_by(Respondent.round_id)
        .subquery()
    )
    enrolled = (
        select(
            Group.school_id,
            Group.school_year,
            func.sum(Group.enrolled).label("enrolled"),
        )
        .group_by(Group.school_id, Group.school_year)
        .subquery()
    )
    query = (
        select(
            Round,
            School.brin,
            School.vestiging,
            func.coalesce(enrolled.c.enrolled, 0),
            func.coalesce(codes.c.issued, 0),
            func.coalesce(codes.c.used, 0),
            func.coalesce(answers.c.started, 0),
            func.coalesce(answers.c.completed, 0),
        )
        .join(School, Round.school_id == School.id)
        .outerjoin(codes, codes.c.round_id == Round.id)
        .outerjoin(answers, answers.c.round_id == Round.id)
        .outerjoin(
            enrolled,
            (enrolled.c.school_id == Round.school_id)
            & (enrolled.c.school_year == Round.school_year),
        )
        .order_by(Round.school_year.desc(), School.brin, School.vestiging)
    )
    if school is not None:
        query = query.where(School.brin == school.brin, School.vestiging == school.vestiging)
    result = await session.execute(query)
    return [
        RoundSummary(
            round=to_record(row, SchoolCode(brin, vestiging)),
            enrolled=int(enrolled_count),
            codes_issued=int(issued),
            codes_used=int(used),
            started=int(started),
            completed=int(completed),
        )
        for row, brin, vestiging, enrolled_count, issued, used, started, completed in result
    ]
