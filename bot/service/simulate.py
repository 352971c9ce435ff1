"""Synthetic pupils answer a school's open round, the way real pupils' answers go.

Each pupil redeems a fresh code (channel ``simulate``), and a :class:`Conversation` is moved on
input by input with what the synthetic pupil model (:func:`analytics.synthetic.respond`) says
the pupil does; the effects are stored once per pupil with :func:`bot.service.pupils.store`,
the write path of every channel. For data in tests, the demo and the benchmarks.

Decisions:

- **Seats.** Pupils are spread at random over the school's groups that take part (PO from
  groep 5), in proportion to each group's free places: enrolled minus pupils who answered in
  this round already (a multivariate hypergeometric draw). Asking for more pupils than there are
  free places is refused, not met with extra codes: it would make response rates above 100 %.
- **Codes.** Every simulated pupil gets a new code of their group, issued and used at once and
  never shown; codes made earlier stay free for real pupils.
- **Batches.** One transaction per :data:`BATCH` pupils, so a long run is not one giant
  transaction and an interruption leaves whole pupils only. The audit event is written with
  the first batch, so no simulated answer exists without it.
- **Determinism.** The seed fixes the split over groups and every answer; respondent ids and
  codes are random, as they are for real pupils.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.service.access import Action, allowed
from bot.service.actors import Actor
from bot.service.audit import record
from bot.service.context import Context
from bot.service.conversation import Conversation
from bot.service.pupils import band_of, store
from flows import check_version
from flows.model import Questionnaire
from flows.steps import PSEUDO_PREFIX, SchoolContext
from storage.records import GroupRecord, RedemptionStatus, RoundRecord, SchoolRecord
from storage.repositories import codes, groups, respondents, rounds, schools
from storage.values import SchoolCode
from veilig.errors import InvalidInput, StorageError

if TYPE_CHECKING:
    from analytics.synthetic import Profile

CHANNEL = "simulate"
LANGUAGE = "nl"
#: Pupils per transaction.
BATCH = 50


@dataclass(frozen=True)
class _Seat:
    """A group that takes part, with its band and how many places are still free."""

    group: GroupRecord
    band: str
    free: int


@dataclass(frozen=True)
class _Plan:
    school: SchoolRecord
    round: RoundRecord
    questionnaire: Questionnaire
    seats: tuple[_Seat, ...]


@dataclass(frozen=True)
class _Pupil:
    seat: _Seat
    profile: Profile


@dataclass
class Tally:
    """What a simulation did: pupils started and completed, groups they were in."""

    started: int = 0
    completed: int = 0
    groups: set[str] = field(default_factory=set)

    @property
    def partial(self) -> int:
        return self.started - self.completed


async def simulate(
    ctx: Context,
    actor: Actor,
    school: SchoolCode,
    school_year: str,
    pupils: int,
    seed: int,
    progress: Callable[[int], None] = lambda done: None,
) -> Tally:
    """Let ``pupils`` synthetic pupils answer the school's open round; ``progress`` is told
    how many pupils each batch stored."""
    if pupils < 1:
        raise InvalidInput(f"{pupils} pupils is too few; ask for at least 1 pupil")
    if not 0 <= seed < 2**63:
        raise InvalidInput(f"seed {seed} is out of range; give a whole number from 0 to 2^63-1")
    async with allowed(ctx, actor, school, Action.SIMULATE) as session:
        plan = await _plan(session, school, school_year, pupils)
    tally = Tally()
    for number, batch in enumerate(_batches(_pupils(plan, pupils, seed), BATCH)):
        async with ctx.database.transaction() as session:
            if number == 0:
                await record(
                    session,
                    ctx,
                    actor,
                    "simulate",
                    school,
                    school_year=school_year,
                    pupils=pupils,
                    seed=seed,
                )
            done = await _answer(session, ctx, plan, batch)
        tally.started += done.started
        tally.completed += done.completed
        tally.groups |= done.groups
        progress(len(batch))
    return tally


async def _plan(session: AsyncSession, code: SchoolCode, year: str, pupils: int) -> _Plan:
    """Everything checked before anything is written: school, open round, groups, places."""
    owner = await schools.get(session, code)
    round_ = await rounds.get_open(session, code, year)
    questionnaire = check_version(round_.questionnaire_id, round_.questionnaire_version)
    found = await groups.list_for(session, code, year)
    if not found:
        raise InvalidInput(
            f"school {code} has no groups in {year}; add its groups (name, grade, enrolled "
            "pupils) first"
        )
    answered = await _answered(session, round_.id)
    seats: list[_Seat] = []
    for group in found:
        try:
            band = band_of(owner.sector, group.grade)
        except InvalidInput:
            continue  # too young to answer themselves (PO groep 1-4)
        seats.append(_Seat(group, band, max(0, group.enrolled - answered.get(group.id, 0))))
    if not seats:
        raise InvalidInput(
            f"none of the groups of school {code} in {year} answers the questionnaire "
            "(PO pupils answer from groep 5); add a group of groep 5-8"
        )
    free = sum(seat.free for seat in seats)
    if pupils > free:
        raise InvalidInput(
            f"{pupils} pupils do not fit: the groups of school {code} have {free} free places "
            f"in {year} (enrolled minus pupils who answered); ask for at most {free} pupils, "
            "or add groups"
        )
    return _Plan(owner, round_, questionnaire, tuple(seats))


async def _answered(session: AsyncSession, round_id: int) -> dict[int, int]:
    """Pupils who started in the round, per group."""
    counts = await respondents.counts_by_group(session, round_id)
    return {group: started for group, (started, _) in counts.items()}


def _pupils(plan: _Plan, pupils: int, seed: int) -> Iterator[_Pupil]:
    """The pupils of the run, group by group; the seed fixes who is where and every answer."""
    # numpy and pandas load here, not at start-up of every veilig command.
    import numpy as np

    from analytics.synthetic import draw_profile, draw_school_effect

    rng = np.random.default_rng(seed)
    per_group = rng.multivariate_hypergeometric([seat.free for seat in plan.seats], pupils)
    effect = draw_school_effect(rng)
    for seat, count in zip(plan.seats, per_group, strict=True):
        for _ in range(int(count)):
            yield _Pupil(seat, draw_profile(rng, effect))


def _batches(pupils: Iterator[_Pupil], size: int) -> Iterator[list[_Pupil]]:
    batch: list[_Pupil] = []
    for pupil in pupils:
        batch.append(pupil)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


async def _answer(
    session: AsyncSession, ctx: Context, plan: _Plan, batch: Sequence[_Pupil]
) -> Tally:
    """Issue a code per pupil, redeem it, move the conversation on and store its effects."""
    context = SchoolContext(name=plan.school.name, support_contact=plan.school.support_contact)
    # The places are checked again under the round's lock: two simulations at once must not
    # both fill the same free places (a response rate over 100 %).
    await rounds.lock(session, plan.round.id)
    answered = await _answered(session, plan.round.id)
    wanted = Counter(pupil.seat for pupil in batch)
    for seat, count in wanted.items():
        free = seat.group.enrolled - answered.get(seat.group.id, 0)
        if count > free:
            raise InvalidInput(
                f"group {seat.group.name} has {max(free, 0)} free places now, not {count}: "
                "another simulation filled them; nothing of this batch was stored"
            )
    fresh: dict[int, list[str]] = {}
    for seat, count in wanted.items():
        issued = await codes.issue(session, ctx.keyring, plan.round, seat.group, count)
        fresh[seat.group.id] = list(issued.codes)
    tally = Tally()
    for pupil in batch:
        redemption = await respondents.redeem(
            session,
            ctx.keyring,
            fresh[pupil.seat.group.id].pop(),
            channel=CHANNEL,
            user_id=secrets.token_hex(16),
            language=LANGUAGE,
            today=ctx.today(),
            band_of=band_of,
        )
        if redemption.status is not RedemptionStatus.STARTED or redemption.respondent is None:
            raise StorageError(
                f"a fresh code of group {pupil.seat.group.name} was refused "
                f"({redemption.status.value}); nothing of this batch was stored"
            )
        conversation = Conversation(plan.questionnaire, pupil.seat.band, LANGUAGE, context)
        converse(conversation, pupil.profile)
        await store(session, ctx, redemption.respondent.id, conversation)
        tally.started += 1
        tally.completed += conversation.completed
        tally.groups.add(pupil.seat.group.name)
    return tally


def converse(conversation: Conversation, profile: Profile) -> None:
    """The pupil's whole conversation: to the outro, or until the pupil stops part way."""
    from analytics.synthetic import respond

    q, band = conversation.questionnaire, conversation.band
    screen = conversation.screen()
    # Each input either answers a question or passes the intro or the card once.
    for _ in range(2 * len(q.items_in_band(band)) + 4):
        answered = sum(not key.startswith(PSEUDO_PREFIX) for key in conversation.answers)
        action = respond(profile, q, band, screen, answered)
        if action is None:
            return
        move = conversation.apply(action)
        if move.paused:
            return
        screen = move.screen
    raise InvalidInput(f"the walk through band {band} of {q.id} did not end")
