"""``veilig simulate``: synthetic pupils answer a school's open round through the real engine.

Data for tests, the demo and the benchmarks that went the way a real pupil's answers go: each
pupil redeems a fresh access code (:func:`storage.repositories.respondents.redeem`, channel
``simulate``), walks the conversation engine with the answers of the synthetic pupil model
(:mod:`analytics.synthetic`), and every transition's effects are written with the repositories
a chat channel uses (answers upserted and removed, the response completed at the outro).

Decisions:

- **Seats.** Pupils are spread at random over the school's groups that take part (PO from
  groep 5), in proportion to each group's free places: enrolled minus pupils who answered in
  this round already (a multivariate hypergeometric draw). Asking for more pupils than there are
  free places is refused, not met with extra codes: it would make response rates above 100 %.
  Raise the groups' enrolled numbers to simulate more pupils.
- **Codes.** Every simulated pupil gets a new code of their group, issued and used at once and
  never shown; codes made earlier stay free for real pupils.
- **Batches.** One transaction per :data:`BATCH` pupils (codes, redemptions, answers), so a
  long run is not one giant transaction and an interruption leaves whole pupils only. The audit
  event is written with the first batch, so no simulated answer exists without it.
- **Determinism.** The seed fixes the split over groups and every answer; respondent ids and
  codes are random, as they are for real pupils.
"""

from __future__ import annotations

import secrets
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.output import count as counted
from bot.cli.runtime import (
    SchoolYear,
    record,
    school_year_or_current,
    today,
    with_database,
)
from flows import check_version
from flows.bands import age_band_for
from flows.model import Questionnaire
from flows.steps import SchoolContext, Transition
from storage.database import Database
from storage.records import GroupRecord, RedemptionStatus, RoundRecord, SchoolRecord
from storage.repositories import answers, groups, respondents, rounds, schools
from storage.repositories import codes as code_repo
from storage.values import SchoolCode, Sector
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
class _Tally:
    started: int = 0
    completed: int = 0
    groups: set[int] = field(default_factory=set)

    @property
    def partial(self) -> int:
        return self.started - self.completed


def simulate(
    ctx: typer.Context,
    school: str = typer.Argument(..., help="School code: BRIN + vestiging, e.g. 12AB00."),
    pupils: int = typer.Option(300, help="How many pupils answer."),
    seed: int = typer.Option(1, help="Random seed; the same seed gives the same answers."),
    school_year: SchoolYear = None,
) -> None:
    """Let synthetic pupils answer the school's open round, through the real engine."""
    code = SchoolCode.parse(school)
    year = school_year_or_current(school_year)
    if pupils < 1:
        raise InvalidInput(f"--pupils {pupils} is too few; ask for at least 1 pupil")

    async def work(database: Database) -> _Tally:
        async with database.transaction() as session:
            plan = await _plan(session, code, year, pupils)
        tally = _Tally()
        hidden = not sys.stderr.isatty()
        bar = typer.progressbar(
            length=pupils, label="Simulating pupils", file=sys.stderr, hidden=hidden
        )
        with bar:
            for number, batch in enumerate(_batches(_pupils(plan, pupils, seed), BATCH)):
                async with database.transaction() as session:
                    if number == 0:
                        await record(
                            session,
                            "simulate",
                            plan.school.id,
                            school_year=year,
                            pupils=pupils,
                            seed=seed,
                        )
                    batch_tally = await _answer(session, database, plan, batch)
                tally.started += batch_tally.started
                tally.completed += batch_tally.completed
                tally.groups |= batch_tally.groups
                bar.update(len(batch))
        return tally

    tally = with_database(ctx, work)
    typer.echo(
        f"Simulated {counted(tally.started, 'pupil')} in {counted(len(tally.groups), 'group')} "
        f"of school {code} ({year}): {tally.completed} completed, {tally.partial} stopped part way."
    )


async def _plan(session: AsyncSession, code: SchoolCode, year: str, pupils: int) -> _Plan:
    """Everything checked before anything is written: school, open round, groups, places."""
    owner = await schools.get(session, code)
    round_ = await rounds.get_open(session, code, year)
    questionnaire = check_version(round_.questionnaire_id, round_.questionnaire_version)
    found = await groups.list_for(session, code, year)
    if not found:
        raise InvalidInput(
            f"school {code} has no groups in {year}; add them first, e.g. veilig group add "
            f"{code} --name 7B --grade 7 --enrolled 28 --school-year {year}"
        )
    answered = Counter(r.group_id for r in await respondents.of_round(session, code, year))
    seats: list[_Seat] = []
    for group in found:
        try:
            band = _band_of(owner.sector, group.grade)
        except InvalidInput:
            continue  # too young to answer themselves (PO groep 1-4)
        seats.append(_Seat(group, band, max(0, group.enrolled - answered[group.id])))
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


def _band_of(sector: Sector, grade: int) -> str:
    return age_band_for(sector.value, grade).value


async def _answer(
    session: AsyncSession, database: Database, plan: _Plan, batch: Sequence[_Pupil]
) -> _Tally:
    """Issue a code per pupil, redeem it, walk the engine and store what each step changed."""
    from analytics.synthetic import walk

    context = SchoolContext(name=plan.school.name, support_contact=plan.school.support_contact)
    fresh: dict[int, list[str]] = {}
    for seat, count in Counter(pupil.seat for pupil in batch).items():
        issued = await code_repo.issue(session, database.keyring, plan.round, seat.group, count)
        fresh[seat.group.id] = list(issued.codes)
    tally = _Tally()
    day = today()
    for pupil in batch:
        redemption = await respondents.redeem(
            session,
            database.keyring,
            fresh[pupil.seat.group.id].pop(),
            channel=CHANNEL,
            user_id=secrets.token_hex(16),
            language=LANGUAGE,
            today=day,
            band_of=_band_of,
        )
        if redemption.status is not RedemptionStatus.STARTED or redemption.respondent is None:
            raise StorageError(
                f"a fresh code of group {pupil.seat.group.name} was refused "
                f"({redemption.status.value}); nothing of this batch was stored"
            )
        moves = walk(
            plan.questionnaire, pupil.seat.band, pupil.profile, lang=LANGUAGE, school=context
        )
        completed = await _store(session, redemption.respondent.id, moves, day)
        tally.started += 1
        tally.completed += completed
        tally.groups.add(pupil.seat.group.id)
    return tally


async def _store(
    session: AsyncSession, respondent_id: int, moves: Sequence[Transition], day: date
) -> bool:
    """Write the effects of the transitions in order, as a chat channel does; True if completed.

    Upserts of consecutive transitions go to the database as one call (answers are keyed by
    item, so the stored result is the same), which makes a pupil two statements, not sixty.
    """
    pending: dict[str, int | None] = {}
    completed = False
    for move in moves:
        if move.delete:
            await answers.upsert(session, respondent_id, pending)
            pending = {}
            await answers.remove(session, respondent_id, move.delete)
        pending.update(move.upsert)
        if move.language:
            await respondents.set_language(session, respondent_id, move.language)
        completed = completed or move.completed
    await answers.upsert(session, respondent_id, pending)
    if completed:
        await respondents.complete(session, respondent_id, day)
    return completed
