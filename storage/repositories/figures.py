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

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Round, School, SchoolFigures
from storage.values import RoundStatus, SchoolCode, Sector


@dataclass(frozen=True, slots=True)
class UnitFigures:
    school: SchoolCode
    school_year: str
    band: str
    figures: Mapping[str, Any]


async def save(
    session: AsyncSession, round_id: int, per_band: Mapping[str, Mapping[str, Any]], today: date
) -> None:
    """Replace the stored figures of a round with ``per_band`` (band -> figures)."""
    await session.execute(delete(SchoolFigures).where(SchoolFigures.round_id == round_id))
    session.add_all(
        SchoolFigures(round_id=round_id, band=band, figures=dict(figures), computed_on=today)
        for band, figures in sorted(per_band.items())
    )
    await session.flush()


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
