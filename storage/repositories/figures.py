"""A school-band's aggregate figures per round, kept for comparisons with other schools.

Written when a round closes and when the national batch runs; read by one school's report,
which then needs no other school's answers. Only aggregates are kept (means, counts, SDs of
units with at least the reporting minimum), as a JSON object per school-band.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Round, School, SchoolFigures
from storage.values import RoundStatus, SchoolCode, Sector

CHUNK = 500


@dataclass(frozen=True, slots=True)
class UnitFigures:
    school: SchoolCode
    school_year: str
    band: str
    figures: Mapping[str, Any]


async def save(
    session: AsyncSession,
    per_round: Mapping[int, Mapping[str, Mapping[str, Any]]],
    today: date,
) -> None:
    """Replace the stored figures of each round with its ``band -> figures``, in bulk (the
    national batch stores 8,000 schools at once)."""
    rounds = sorted(per_round)
    for start in range(0, len(rounds), CHUNK):
        chunk = rounds[start : start + CHUNK]
        await session.execute(delete(SchoolFigures).where(SchoolFigures.round_id.in_(chunk)))
    rows = [
        {"round_id": round_id, "band": band, "figures": dict(values), "computed_on": today}
        for round_id in rounds
        for band, values in sorted(per_round[round_id].items())
    ]
    if rows:
        await session.execute(insert(SchoolFigures), rows)


async def round_ids(session: AsyncSession, school_year: str) -> dict[SchoolCode, int]:
    """The round of every school in ``school_year``."""
    rows = await session.execute(
        select(School.brin, School.vestiging, Round.id)
        .join(Round, Round.school_id == School.id)
        .where(Round.school_year == school_year)
    )
    return {SchoolCode(brin, vestiging): round_id for brin, vestiging, round_id in rows}


async def of_peers(
    session: AsyncSession, school_year: str, sector: Sector, band: str
) -> list[UnitFigures]:
    """The stored figures of every school of ``sector`` in ``band`` and ``school_year``
    whose round is closed (final figures only)."""
    rows = await session.execute(
        select(School.brin, School.vestiging, SchoolFigures.figures)
        .join(Round, Round.id == SchoolFigures.round_id)
        .join(School, School.id == Round.school_id)
        .where(
            Round.school_year == school_year,
            Round.status.in_([RoundStatus.CLOSED, RoundStatus.DELIVERED]),
            School.sector == sector,
            SchoolFigures.band == band,
        )
        .order_by(School.brin, School.vestiging)
    )
    return [
        UnitFigures(SchoolCode(brin, vestiging), school_year, band, figures)
        for brin, vestiging, figures in rows
    ]
