"""Who may do what: every staff use case for every kind of actor, on both backends.

A refused action raises ``NotAllowed`` and changes nothing; an allowed one is not refused for
permission (it may still fail for its own reasons, e.g. a round that is open already) and is
audited with the actor's name.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import text

from bot.service import (
    codes,
    consent,
    coordinators,
    groups,
    results,
    rounds,
    schools,
    simulate,
)
from bot.service.actors import Actor
from bot.service.context import Context
from bot.service.records import IssuedCodes, NewSchool, SchoolCode, Sector
from bot.service.school_import import SchoolRow
from tests.bot.service.conftest import LINDE, OPERATOR, YEAR, make_school
from veilig.errors import NotAllowed

OTHER = SchoolCode("34CD", "00")
Call = Callable[[Context, Actor], Awaitable[Any]]


async def _keep_codes(issued: IssuedCodes) -> None:
    return None


async def _keep_files(files: object) -> list[str]:
    return []


async def _keep_delivery(files: dict[str, bytes]) -> None:
    return None


# Use cases a coordinator may do at their own school.
COORDINATOR_CASES: dict[str, Call] = {
    "group add": lambda c, a: groups.add_group(c, a, LINDE, YEAR, "6C", 6, 20),
    "group list": lambda c, a: groups.list_groups(c, a, LINDE, YEAR),
    "round open": lambda c, a: rounds.open_round(c, a, LINDE, YEAR, "veilig-leerlingen"),
    "round status": lambda c, a: rounds.round_status(c, a, LINDE, YEAR),
    "round list": lambda c, a: rounds.list_rounds(c, a, LINDE),
    "codes": lambda c, a: codes.issue_codes(c, a, LINDE, YEAR, "7A", _keep_codes, 1),
    "consent give": lambda c, a: consent.give_consent(c, a, LINDE, YEAR, "Directeur"),
    "consent of": lambda c, a: consent.consent_of(c, a, LINDE, YEAR),
    "consent withdraw": lambda c, a: consent.withdraw_consent(c, a, LINDE, YEAR, "Directeur"),
    "report": lambda c, a: results.school_report(c, a, LINDE, YEAR),
    "round close": lambda c, a: rounds.close_round(c, a, LINDE, YEAR),
}
# Use cases only the operator may do.
OPERATOR_CASES: dict[str, Call] = {
    "school add": lambda c, a: schools.add_school(
        c, a, NewSchool(SchoolCode("56EF", "00"), "X", Sector.PO)
    ),
    "school import": lambda c, a: schools.import_schools(
        c, a, [SchoolRow(2, NewSchool(SchoolCode("78GH", "00"), "Y", Sector.VO))], "s.csv"
    ),
    "school list": lambda c, a: schools.list_schools(c, a),
    "round list (all)": lambda c, a: rounds.list_rounds(c, a, None),
    "deliver": lambda c, a: results.deliver(
        c, a, YEAR, min_n=10, target="/tmp/x", keep=_keep_delivery
    ),
    "export": lambda c, a: results.research_export(
        c, a, YEAR, min_n=10, spss=False, keep=_keep_files
    ),
    "instrument": lambda c, a: results.instrument_evidence(c, a, YEAR, min_n=10, min_schools=20),
    "simulate": lambda c, a: simulate.simulate(c, a, LINDE, YEAR, 1, 1),
    "coordinator invite": lambda c, a: coordinators.invite(c, a, LINDE),
    "coordinator list": lambda c, a: coordinators.list_coordinators(c, a),
    "coordinator revoke": lambda c, a: coordinators.revoke(c, a, 999),
}
ALL = {**COORDINATOR_CASES, **OPERATOR_CASES}


async def _coordinator_of(ctx: Context, school: SchoolCode, user: str) -> Actor:
    invitation = await coordinators.invite(ctx, OPERATOR, school)
    joined = await coordinators.accept(
        ctx, invitation.token, "telegram", user, user, f"Staff {user}"
    )
    actor = await coordinators.identify(ctx, "telegram", user)
    assert actor is not None and actor.coordinator_id == joined.id
    return actor


async def _actors(ctx: Context) -> dict[str, Actor]:
    await make_school(ctx)
    await make_school(ctx, code=OTHER)
    own = await _coordinator_of(ctx, LINDE, "100")
    other = await _coordinator_of(ctx, OTHER, "200")
    revoked = await _coordinator_of(ctx, LINDE, "300")
    assert revoked.coordinator_id is not None
    await coordinators.revoke(ctx, OPERATOR, revoked.coordinator_id)
    assert await coordinators.identify(ctx, "telegram", "300") is None
    return {
        "own coordinator": own,
        "other school's coordinator": other,
        "revoked coordinator": revoked,
        "pupil": Actor.pupil(),
        "operator": OPERATOR,
    }


def _allowed(who: str, case: str) -> bool:
    if who == "operator":
        return True
    return who == "own coordinator" and case in COORDINATOR_CASES


async def _audit_count(ctx: Context) -> int:
    async with ctx.database.transaction() as session:
        return int(await session.scalar(text("SELECT count(*) FROM audit_event")) or 0)


async def _outcome(call: Awaitable[Any]) -> Exception | None:
    """What the call raised, or None."""
    try:
        await call
    except Exception as raised:
        return raised
    return None


@pytest.mark.parametrize("case", list(ALL))
async def test_every_staff_action_checks_who_asks(ctx: Context, case: str) -> None:
    actors = await _actors(ctx)
    for who, actor in actors.items():
        before = await _audit_count(ctx)
        raised = await _outcome(ALL[case](ctx, actor))
        if _allowed(who, case):
            # Allowed: never refused for permission (it may fail for its own reason).
            assert not isinstance(raised, NotAllowed), f"{who} was refused {case}: {raised}"
        else:
            assert isinstance(raised, NotAllowed), f"{who} got {raised!r} for {case}"
            assert "may not" in str(raised)
            assert await _audit_count(ctx) == before, f"{case} by {who} left an event"


async def test_a_coordinators_action_is_audited_as_theirs(ctx: Context) -> None:
    actors = await _actors(ctx)
    own = actors["own coordinator"]
    await consent.give_consent(ctx, own, LINDE, YEAR, "M. Jansen, directeur")
    async with ctx.database.transaction() as session:
        actor = await session.scalar(
            text("SELECT actor FROM audit_event WHERE action = 'consent.give'")
        )
    assert actor == own.name and actor.startswith("coordinator:")


async def test_a_viewer_sees_but_does_not_change(ctx: Context) -> None:
    await make_school(ctx)
    invitation = await coordinators.invite(ctx, OPERATOR, LINDE, role="viewer")
    await coordinators.accept(ctx, invitation.token, "telegram", "400", "400", "Viewer")
    viewer = await coordinators.identify(ctx, "telegram", "400")
    assert viewer is not None
    await rounds.round_status(ctx, viewer, LINDE, YEAR)
    with pytest.raises(NotAllowed):
        await rounds.close_round(ctx, viewer, LINDE, YEAR)
