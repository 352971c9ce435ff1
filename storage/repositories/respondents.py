"""Respondents: a pupil's response, begun with an access code and resumed by pseudonym.

While a response is open, two keyed pseudonyms find it again: the chat identity answering it
(``resume_key``) and the code that started it (``code_key``, so the code continues on any
device). Both are erased when the response completes or the round closes; from then on nothing
links a respondent to a code or a chat account.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import access_codes
from storage.models import AccessCode, Group, Respondent, Round, School
from storage.pseudonyms import Keyring
from storage.records import (
    Redemption,
    RedemptionStatus,
    RespondentRecord,
)
from storage.repositories import groups, rounds, schools
from storage.values import RoundStatus, SchoolCode, Sector

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
    """Start a response with a code a pupil typed, or continue the one it started.

    The same code continues its open response on any device and channel (the chat identity
    typing it becomes the one answering); a code whose response is complete, or that another
    pupil claimed, is used. Safe to repeat, and two pupils racing for one code cannot both
    win it.
    """
    code = access_codes.normalize(typed_code)
    if code is None:
        return Redemption(RedemptionStatus.UNKNOWN_CODE)
    # The seat with its round, group and school: one statement (a class types its codes at
    # the same moment, so every round trip here counts).
    found = (
        await session.execute(
            select(AccessCode, Round, Group, School)
            .join(Round, Round.id == AccessCode.round_id)
            .join(Group, Group.id == AccessCode.group_id)
            .join(School, School.id == Group.school_id)
            .where(AccessCode.digest == keyring.code_digest(code))
        )
    ).one_or_none()
    if found is None:
        return Redemption(RedemptionStatus.UNKNOWN_CODE)
    seat, round_row, group_row, school_row = found
    if round_row.status is not RoundStatus.OPEN:
        return Redemption(RedemptionStatus.ROUND_NOT_OPEN)
    school = schools.to_record(school_row)
    group = groups.to_record(group_row, school.code)
    round_ = rounds.to_record(round_row, school.code)
    identity = keyring.resume_key(channel, user_id)
    code_key = keyring.code_key(code)

    started = await _by_code(session, code_key)
    if started is None:
        # Claim the seat with a guarded update, so two pupils racing for one code cannot
        # both win; the loser finds the winner's response (the same pupil on two devices).
        claimed = await session.execute(
            update(AccessCode)
            .where(AccessCode.id == seat.id, AccessCode.used.is_(False))
            .values(used=True)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            started = await _by_code(session, code_key)
            if started is None:
                return Redemption(RedemptionStatus.USED_CODE)
    if started is not None:
        await _answering_as(session, started, identity)
        return Redemption(RedemptionStatus.RESUMED, to_record(started), school, group, round_)
    await _release(session, identity)
    row = Respondent(
        round_id=round_row.id,
        group_id=group_row.id,
        language=language,
        age_band=band_of(school.sector, group_row.grade),
        channel=channel,
        started_on=today,
        resume_key=identity,
        code_key=code_key,
    )
    session.add(row)
    await session.flush()
    return Redemption(RedemptionStatus.STARTED, to_record(row), school, group, round_)


async def _by_code(session: AsyncSession, code_key: str) -> Respondent | None:
    return await session.scalar(
        select(Respondent).where(Respondent.code_key == code_key).with_for_update()
    )


async def _release(session: AsyncSession, identity: str, keep: int | None = None) -> None:
    """This chat identity stops answering any other response (one at a time per identity)."""
    query = update(Respondent).where(Respondent.resume_key == identity)
    if keep is not None:
        query = query.where(Respondent.id != keep)
    await session.execute(query.values(resume_key=None))


async def _answering_as(session: AsyncSession, row: Respondent, identity: str) -> None:
    if row.resume_key != identity:
        await _release(session, identity, keep=row.id)
        row.resume_key = identity
        await session.flush()


async def find(
    session: AsyncSession, keyring: Keyring, channel: str, user_id: str
) -> RespondentRecord | None:
    """The open response this chat identity is answering, if any."""
    query = select(Respondent).where(Respondent.resume_key == keyring.resume_key(channel, user_id))
    row = await session.scalar(query)
    return None if row is None else to_record(row)


async def complete(session: AsyncSession, respondent_id: int, today: date) -> None:
    """Mark the response complete and erase its pseudonyms (nothing left to resume)."""
    await session.execute(
        update(Respondent)
        .where(Respondent.id == respondent_id)
        .values(
            completed_on=func.coalesce(Respondent.completed_on, today),
            resume_key=None,
            code_key=None,
        )
    )


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


async def counts_by_group(session: AsyncSession, round_id: int) -> dict[int, tuple[int, int]]:
    """Per group of the round: pupils who started and who completed."""
    rows = await session.execute(
        select(Respondent.group_id, func.count(), func.count(Respondent.completed_on))
        .where(Respondent.round_id == round_id)
        .group_by(Respondent.group_id)
    )
    return {group: (int(started), int(done)) for group, started, done in rows}
