"""A school's yearly round: open, close, list, and how it is doing (status).

Closing a round also computes the school's figures once and keeps them (aggregates only), so
other schools' reports compare with them without reading this school's answers again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.service.access import Action, allowed
from bot.service.actors import Actor
from bot.service.audit import record
from bot.service.context import Context
from bot.service.pupils import band_of
from flows import load_questionnaire
from storage.records import GroupRecord, RoundRecord, RoundSummary
from storage.repositories import figures, groups, respondents, rounds, schools
from storage.values import SchoolCode
from veilig.errors import InvalidInput

if TYPE_CHECKING:
    from analytics.dataset import Dataset


@dataclass(frozen=True, slots=True)
class GroupResponse:
    group: GroupRecord
    answers: bool  # False for groups too young to answer (PO groep 1-4)
    started: int
    completed: int


@dataclass(frozen=True, slots=True)
class RoundStatusReport:
    """Response per group against enrolled, days open and the representativeness verdict."""

    round: RoundRecord
    days_open: int
    groups: tuple[GroupResponse, ...]
    enrolled: int
    completed: int
    verdict: str
    margin_of_error: float
    required: int


async def open_round(
    ctx: Context, actor: Actor, school: SchoolCode, school_year: str, questionnaire_id: str
) -> RoundRecord:
    """Open the round; it keeps this questionnaire version until it closes."""
    chosen = load_questionnaire(questionnaire_id)
    async with allowed(ctx, actor, school, Action.ROUND_OPEN) as session:
        opened = await rounds.open_round(
            session, school, school_year, chosen.id, chosen.version, ctx.today()
        )
        await record(session, ctx, actor, "round.open", school, school_year=school_year)
        return opened


async def close_round(
    ctx: Context, actor: Actor, school: SchoolCode, school_year: str
) -> RoundRecord:
    """Close the round: no new answers, resume pseudonyms erased, the school's figures kept."""
    async with allowed(ctx, actor, school, Action.ROUND_CLOSE) as session:
        closed = await rounds.close_round(session, school, school_year, ctx.today())
        await record(session, ctx, actor, "round.close", school, school_year=school_year)
    # The figures are read after the commit, from what the round holds now it is closed.
    await keep_figures(ctx, school, school_year)
    return closed


async def keep_figures(ctx: Context, school: SchoolCode, school_year: str) -> None:
    """Compute and store the figures of ``school``'s closed round in ``school_year``."""
    from analytics.load import load_dataset  # pandas: only when figures are computed

    dataset = await load_dataset(ctx.database, school_year=school_year, school=str(school))
    await store_figures(ctx, dataset, school_year)


async def store_figures(ctx: Context, dataset: Dataset, school_year: str) -> int:
    """Store the figures of every closed round of ``school_year`` in ``dataset``; returns the
    number of school-bands stored."""
    from analytics.school_results.units import unit_figures

    closed = dataset.rounds[
        (dataset.rounds["school_year"].astype(str) == school_year)
        & dataset.rounds["status"].isin(["closed", "delivered"])
    ]
    wanted = set(closed["school"].astype(str))
    async with ctx.database.transaction() as session:
        ids = await figures.round_ids(session, school_year)
        per_round: dict[int, dict[str, dict[str, float | int | None]]] = {}
        for (code, band), values in unit_figures(dataset, school_year).items():
            if code in wanted:
                per_round.setdefault(ids[SchoolCode.parse(code)], {})[band] = values
        await figures.save(session, per_round, ctx.today())
    return sum(len(per_band) for per_band in per_round.values())


async def list_rounds(
    ctx: Context, actor: Actor, school: SchoolCode | None = None
) -> list[RoundSummary]:
    """Every round (the operator), or one school's, with codes and responses counted."""
    async with allowed(ctx, actor, school, Action.ROUND_STATUS) as session:
        if school is not None:
            await schools.get(session, school)  # an unknown school is an error, not "none"
        return await rounds.summaries(session, school)


async def round_status(
    ctx: Context, actor: Actor, school: SchoolCode, school_year: str
) -> RoundStatusReport:
    """How the round is doing: per group, and whether the response is representative."""
    import pandas as pd

    from analytics.representativeness import representativeness

    async with allowed(ctx, actor, school, Action.ROUND_STATUS) as session:
        owner = await schools.get(session, school)
        round_ = await rounds.get(session, school, school_year)
        counts = await respondents.counts_by_group(session, round_.id)
        found = await groups.list_for(session, school, school_year)
        await record(session, ctx, actor, "round.status", school, school_year=school_year)
    lines = []
    for group in found:
        try:
            band_of(owner.sector, group.grade)
            answers = True
        except InvalidInput:
            answers = False
        started, completed = counts.get(group.id, (0, 0))
        lines.append(GroupResponse(group, answers, started, completed))
    taking_part = [line for line in lines if line.answers]
    if not taking_part:
        raise InvalidInput(
            f"school {school} has no groups that answer in {school_year}; add groups first"
        )
    verdict = representativeness(
        pd.Series({line.group.name: line.completed for line in taking_part}),
        pd.Series({line.group.name: line.group.enrolled for line in taking_part}),
    )
    end = round_.closes_on or ctx.today()
    days = (end - round_.opens_on).days if round_.opens_on else 0
    return RoundStatusReport(
        round=round_,
        days_open=days,
        groups=tuple(lines),
        enrolled=verdict.enrolled,
        completed=verdict.responded,
        verdict=verdict.verdict.value,
        margin_of_error=verdict.margin_of_error,
        required=verdict.required,
    )
