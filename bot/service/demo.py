"""A demo school for a first start: one group, an open round and a few pupil codes.

``veilig serve`` calls :func:`demo_school` on an empty database so a newcomer can try the
web chat at once; production starts with ``--no-demo-school``.
"""

from __future__ import annotations

from bot.service import codes, groups, rounds, schools
from bot.service.actors import Actor
from bot.service.context import Context
from flows import DEFAULT_QUESTIONNAIRE_ID
from storage.records import IssuedCodes
from storage.repositories import schools as school_rows
from storage.repositories.schools import NewSchool
from storage.values import SchoolCode, Sector

DEMO_SCHOOL = SchoolCode("99DE", "00")
DEMO_GROUP = "demo"
_OPERATOR = Actor.operator("demo")


async def demo_school(ctx: Context, count: int = 5) -> list[str] | None:
    """On a database without schools: a demo school and ``count`` fresh codes; else None."""
    async with ctx.database.transaction() as session:
        if await school_rows.list_all(session):
            return None
    year = ctx.school_year()
    new = NewSchool(DEMO_SCHOOL, "Demoschool", Sector.PO, "juf Anna, vertrouwenspersoon")
    await schools.add_school(ctx, _OPERATOR, new)
    await groups.add_group(ctx, _OPERATOR, DEMO_SCHOOL, year, DEMO_GROUP, 7, 30)
    await rounds.open_round(ctx, _OPERATOR, DEMO_SCHOOL, year, DEFAULT_QUESTIONNAIRE_ID)
    made: list[str] = []

    async def keep(issued: IssuedCodes) -> None:
        made.extend(issued.codes)

    await codes.issue_codes(ctx, _OPERATOR, DEMO_SCHOOL, year, DEMO_GROUP, keep, count)
    return made
