"""A demo school, for newcomers and demonstrations: registered, grouped, its round open.

Used by ``veilig demo`` (the whole product on a scratch database) and by ``veilig serve``,
which on a database without schools makes it with a few pupil codes so a newcomer can try the
web chat at once (production starts with ``--no-demo-school``). Everything is made through
the ordinary use cases, as an operator would.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.service import codes, groups, rounds, schools
from bot.service.actors import Actor
from bot.service.context import Context
from flows import DEFAULT_QUESTIONNAIRE_ID
from storage.records import IssuedCodes
from storage.repositories import schools as school_rows
from storage.repositories.schools import NewSchool
from storage.values import SchoolCode, Sector

DEMO_SCHOOL = SchoolCode("99DM", "00")
DEMO_NAME = "Demoschool De Vlinder"
DEMO_CONTACT = "juf Sanne (vertrouwenspersoon)"
#: Groups of a PO school that take part, and one too young to answer: (name, grade, enrolled).
DEMO_GROUPS = (
    ("4A", 4, 26),
    ("5A", 5, 27),
    ("5B", 5, 25),
    ("6A", 6, 28),
    ("6B", 6, 26),
    ("7A", 7, 29),
    ("7B", 7, 27),
    ("8A", 8, 28),
    ("8B", 8, 26),
)
#: The group whose codes ``veilig serve`` prints on a first start.
DEMO_GROUP = "7A"
_OPERATOR = Actor.operator("demo")


@dataclass(frozen=True, slots=True)
class DemoSchool:
    code: SchoolCode
    school_year: str
    enrolled: int  # pupils in the groups that answer


async def create_demo_school(ctx: Context, actor: Actor, scale: int = 1) -> DemoSchool:
    """Register the demo school with its groups (``scale`` times the enrolled pupils, so a
    demo of many pupils fits) and open this school year's round."""
    year = ctx.school_year()
    school = NewSchool(DEMO_SCHOOL, DEMO_NAME, Sector.PO, DEMO_CONTACT)
    await schools.add_school(ctx, actor, school)
    for name, grade, enrolled in DEMO_GROUPS:
        await groups.add_group(ctx, actor, DEMO_SCHOOL, year, name, grade, enrolled * scale)
    await rounds.open_round(ctx, actor, DEMO_SCHOOL, year, DEFAULT_QUESTIONNAIRE_ID)
    answering = sum(enrolled * scale for _, grade, enrolled in DEMO_GROUPS if grade >= 5)
    return DemoSchool(DEMO_SCHOOL, year, answering)


async def demo_school(ctx: Context, count: int = 5) -> list[str] | None:
    """On a database without schools: the demo school and ``count`` fresh codes of one of its
    groups; on any other database None (nothing is made)."""
    async with ctx.database.transaction() as session:
        if await school_rows.list_all(session):
            return None
    made = await create_demo_school(ctx, _OPERATOR)
    fresh: list[str] = []

    async def keep(issued: IssuedCodes) -> None:
        fresh.extend(issued.codes)

    await codes.issue_codes(ctx, _OPERATOR, made.code, made.school_year, DEMO_GROUP, keep, count)
    return fresh
