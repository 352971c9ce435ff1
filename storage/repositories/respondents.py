"""Respondents: a pupil's response, begun with an access code and resumed by pseudonym.

Nothing links a respondent to the code that started it: the code is only marked used. A pupil
who comes back on the same chat identity (or a chat platform that delivers the same message
twice) finds their response through the round-bound resume pseudonym.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import access_codes
from storage.models import AccessCode, Group, Respondent, Round, School
from storage.pseudonyms import Keyring
from storage.records import Redemption, RedemptionStatus, RespondentRecord
from storage.repositories import groups, schools
from storage.values import RoundStatus, SchoolCode, Sector
from veilig.errors import NotFound

BandOf = Callable[[Sector, int], str]


def to_record(row: Respondent) -> RespondentRecord:
    return RespondentRecord(
        id=row.id,
        round_id=row.round_id,
        group_id=row.group_id,
        language=row.language,
        age_band=row.age_band,
        channel=row.channel,
        started_on=row.started_on,
        completed_on=row.completed_on,
    )


async def redeem(
    session: AsyncSession,
    keyring: Keyring,
    typed_code: str,
    *,
    channel: str,
    user_id: str,
    language: str,
    today: date,
    band_of: BandOf,
) -> Redemption:
    """Start (or resume) a response with a code a pupil typed; safe to repeat."""
    code = access_codes.normalize(typed_code)
    seat = None
    if code is not None:
        seat = await session.scalar(
            select(AccessCode).where(AccessCode.digest == keyring.code_digest(code))
        )
    if seat is None:
        return Redemption(RedemptionStatus.UNKNOWN_CODE)
    round_row = await session.get_one(Round, seat.round_id)
    if round_row.status is not RoundStatus.OPEN:
        return Redemption(RedemptionStatus.ROUND_NOT_OPEN)
    group_row = await session.get_one(Group, seat.group_id)
    school_row = await session.get_one(School, group_row.school_id)
    school = schools.to_record(school_row)
    group = groups.to_record(group_row, school.code)

    resume_key = keyring.resume_key(round_row.id, channel, user_id)
    mine = await session.scalar(select(Respondent).where(Respondent.resume_key == resume_key))
    if mine is not None:
        return Redemption(RedemptionStatus.RESUMED, to_record(mine), school, group)
    # Claim the seat with a guarded update, so two pupils racing for one code cannot both win.
    claimed = await session.execute(
        update(AccessCode)
        .where(AccessCode.id == seat.id, AccessCode.used.is_(False))
        .values(used=True)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return Redemption(RedemptionStatus.USED_CODE)
    row = Respondent(
        round_id=round_row.id,
        group_id=group_row.id,
        language=language,
        age_band=band_of(school.sector, group_row.grade),
        channel=channel,
        started_on=today,
        resume_key=resume_key,
    )
    session.add(row)
    await session.flush()
    return Redemption(RedemptionStatus.STARTED, to_record(row), school, group)


async def find(
    session: AsyncSession, keyring: Keyring, round_id: int, channel: str, user_id: str
) -> RespondentRecord | None:
    """The unfinished response of this chat identity in this round, if any."""
    row = await session.scalar(
        select(Respondent).where(
            Respondent.resume_key == keyring.resume_key(round_id, channel, user_id)
        )
    )
    return None if row is None else to_record(row)


async def _row(session: AsyncSession, respondent_id: int) -> Respondent:
    row = await session.get(Respondent, respondent_id)
    if row is None:
        raise NotFound("this response no longer exists; start again with a new code")
    return row


async def set_language(session: AsyncSession, respondent_id: int, language: str) -> None:
    (await _row(session, respondent_id)).language = language


async def complete(session: AsyncSession, respondent_id: int, today: date) -> None:
    """Mark the response complete and erase its resume pseudonym (nothing left to resume)."""
    row = await _row(session, respondent_id)
    if row.completed_on is None:
        row.completed_on = today
    row.resume_key = None


async def of_round(
    session: AsyncSession, school: SchoolCode, school_year: str
) -> list[RespondentRecord]:
    """All respondents of a school's round (for analyses and tests)."""
    school_id = (await schools.school_row(session, school)).id
    rows = await session.scalars(
        select(Respondent)
        .join(Round, Respondent.round_id == Round.id)
        .where(Round.school_id == school_id, Round.school_year == school_year)
        .order_by(Respondent.id)
    )
    return [to_record(row) for row in rows]
