"""A questionnaire tried out by staff, exactly as a pupil meets it, on a scratch database.

``veilig questionnaire try`` uses this: a throwaway school in a temporary folder, a group of
the band's age, an open round, one code redeemed; then every line typed goes through
:func:`bot.service.pupils.answer`, the same path as a chat message. Nothing touches the real
database; the folder is removed at the end.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.service import codes, groups, pupils, rounds, schools
from bot.service.actors import Actor
from bot.service.context import Context
from flows.steps import Input
from storage.records import IssuedCodes
from storage.repositories import answers
from storage.repositories.schools import NewSchool
from storage.values import SchoolCode, Sector
from veilig.settings import load_settings

CHANNEL = "try"
# A school and group of each band's age.
_SETUP = {"po": (Sector.PO, 7), "vo": (Sector.VO, 2), "so": (Sector.SO, 5)}
_SCHOOL = SchoolCode("00TR", "00")


@dataclass
class Trial:
    """One pupil's conversation on the scratch database."""

    ctx: Context
    pupil: pupils.Pupil
    first: pupils.Turn

    async def answer(self, user_input: Input) -> pupils.Turn:
        return await pupils.answer(self.ctx, self.pupil, user_input)

    async def stored(self) -> dict[str, int | None]:
        """The answers as the database holds them now."""
        async with self.ctx.database.transaction() as session:
            return await answers.of(session, self.pupil.respondent_id)


@asynccontextmanager
async def trial(
    band: str, language: str, questionnaire_id: str, contact: str | None = None
) -> AsyncIterator[Trial]:
    """A pupil of ``band`` who has just typed their code, in ``language``."""
    sector, grade = _SETUP[band]
    operator = Actor.operator("try")
    with tempfile.TemporaryDirectory(prefix="veilig-try-") as folder:
        settings = load_settings(
            data_dir=Path(folder), database_url="", secret_key=secrets.token_urlsafe(32)
        )
        async with Context.open(settings) as ctx:
            year = ctx.school_year()
            school = NewSchool(_SCHOOL, "Proefschool", sector, contact)
            await schools.add_school(ctx, operator, school)
            await groups.add_group(ctx, operator, _SCHOOL, year, "proef", grade, 30)
            await rounds.open_round(ctx, operator, _SCHOOL, year, questionnaire_id)
            made: list[str] = []

            async def keep(issued: IssuedCodes) -> None:
                made.extend(issued.codes)

            await codes.issue_codes(ctx, operator, _SCHOOL, year, "proef", keep, count=1)
            first = await pupils.redeem(ctx, made[0], CHANNEL, "terminal", language)
            if first.pupil is None:  # pragma: no cover - a fresh code of an open round
                raise RuntimeError(f"the trial's own code was refused: {first.step}")
            yield Trial(ctx, first.pupil, first)
