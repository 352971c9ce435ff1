"""The service context on a fresh database of each backend, with a school ready to answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from bot.service import codes, groups, rounds, schools
from bot.service.actors import Actor
from bot.service.context import Context, FixedClock
from bot.service.records import IssuedCodes, NewSchool, SchoolCode, Sector
from flows import DEFAULT_QUESTIONNAIRE_ID
from storage.database import Database
from tests.conftest import TEST_SECRET
from veilig.settings import load_settings

NOW = datetime(2026, 10, 5, 9, 30, tzinfo=UTC)
YEAR = "2026-2027"
OPERATOR = Actor.operator("test")
LINDE = SchoolCode("12AB", "00")


@pytest.fixture
def ctx(database: Database, database_url: str) -> Context:
    settings = load_settings(database_url=database_url, secret_key=TEST_SECRET.decode())
    return Context(settings, database, FixedClock(NOW))


@dataclass
class School:
    """A registered school with groups and an open round; ``codes`` hands out fresh codes."""

    ctx: Context
    code: SchoolCode

    async def codes(self, group: str, count: int) -> list[str]:
        made: list[str] = []

        async def keep(issued: IssuedCodes) -> None:
            made.extend(issued.codes)

        await codes.issue_codes(self.ctx, OPERATOR, self.code, YEAR, group, keep, count)
        return made


async def make_school(
    ctx: Context,
    code: SchoolCode = LINDE,
    sector: Sector = Sector.PO,
    group_list: tuple[tuple[str, int, int], ...] = (("7A", 7, 25), ("8B", 8, 25)),
) -> School:
    await schools.add_school(ctx, OPERATOR, NewSchool(code, f"School {code}", sector, "juf Anna"))
    for name, grade, enrolled in group_list:
        await groups.add_group(ctx, OPERATOR, code, YEAR, name, grade, enrolled)
    await rounds.open_round(ctx, OPERATOR, code, YEAR, DEFAULT_QUESTIONNAIRE_ID)
    return School(ctx, code)


@pytest.fixture
async def school(ctx: Context) -> School:
    return await make_school(ctx)
