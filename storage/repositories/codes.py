"""Pupil access codes: issued per group and round, stored only as keyed digests."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import access_codes
from storage.models import AccessCode
from storage.pseudonyms import Keyring
from storage.records import CodeCount, GroupRecord, IssuedCodes, RoundRecord
from storage.values import RoundStatus
from veilig.errors import Conflict, InvalidInput

MAX_CODES_PER_CALL = 1000
#: Codes a group may have in all, per enrolled pupil: spares for lost slips and new pupils,
#: not thousands that make a guessed code likelier and a response rate meaningless.
CODES_PER_PUPIL = 3


def default_count(enrolled: int) -> int:
    """Enough codes for the class plus spares for a lost or spoiled slip (at least 2)."""
    return enrolled + max(2, enrolled // 10)


async def count(session: AsyncSession, round_id: int, group_id: int) -> CodeCount:
    issued, used = (
        await session.execute(
            select(func.count(), func.count().filter(AccessCode.used)).where(
                AccessCode.round_id == round_id, AccessCode.group_id == group_id
            )
        )
    ).one()
    return CodeCount(issued=int(issued), used=int(used))


async def issue(
    session: AsyncSession,
    keyring: Keyring,
    round_: RoundRecord,
    group: GroupRecord,
    how_many: int,
) -> IssuedCodes:
    """Make ``how_many`` new codes for a group; returns them in the clear, stores digests."""
    if round_.status is not RoundStatus.OPEN:
        raise Conflict(
            f"the {round_.school_year} round of school {round_.school} is "
            f"{round_.status.value}; codes can only be made for an open round"
        )
    if group.school_year != round_.school_year or group.school != round_.school:
        raise InvalidInput(f"group {group.name} does not belong to this round")
    if not 1 <= how_many <= MAX_CODES_PER_CALL:
        raise InvalidInput(f"count {how_many} is out of range; ask for 1 to {MAX_CODES_PER_CALL}")
    before = await count(session, round_.id, group.id)
    limit = CODES_PER_PUPIL * group.enrolled
    if before.issued + how_many > limit:
        raise InvalidInput(
            f"group {group.name} has {group.enrolled} pupils and {before.issued} codes; "
            f"{how_many} more would pass the limit of {limit} ({CODES_PER_PUPIL} per pupil); "
            "ask for fewer codes"
        )
    fresh: dict[str, str] = {}  # digest -> printed code
    while len(fresh) < how_many:
        while len(fresh) < how_many:
            code = access_codes.generate()
            fresh[keyring.code_digest(code)] = access_codes.format_code(code)
        # A clash with a stored code is astronomically unlikely (44.6 bits), but costs nothing
        # to rule out, and the unique digest makes a silent duplicate seat impossible.
        taken = await session.scalars(select(AccessCode.digest).where(AccessCode.digest.in_(fresh)))
        for digest in taken:
            del fresh[digest]
    session.add_all(
        AccessCode(round_id=round_.id, group_id=group.id, digest=digest, used=False)
        for digest in fresh
    )
    await session.flush()
    return IssuedCodes(
        codes=tuple(fresh.values()),
        group=group,
        round=round_,
        total=await count(session, round_.id, group.id),
    )
