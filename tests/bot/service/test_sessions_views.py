"""What the web chat needs from the application layer: signed sessions that end when idle,
steps as plain data, wrong codes counted per client address, a code's tries counted per code,
answers by chat identity, and the demo school of a first start."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.service import pupils, sessions
from bot.service.context import Context, FixedClock
from bot.service.demo import demo_school
from bot.service.views import turn_view
from flows.steps import Choose, CodeEntry, CodeProblem, Intro, Question, Start
from tests.bot.service.conftest import NOW, School


def test_a_session_token_names_its_holder_until_idle(ctx: Context) -> None:
    holder = sessions.new_holder()
    token = sessions.token_for(ctx, holder)
    assert sessions.holder_of(ctx, token) == holder
    later = Context(ctx.settings, ctx.database, FixedClock(NOW + sessions.IDLE))
    assert sessions.holder_of(later, token) == holder
    idle = Context(ctx.settings, ctx.database, FixedClock(NOW + sessions.IDLE + timedelta(1)))
    assert sessions.holder_of(idle, token) is None
    name, stamp, tag = token.split(".")
    for forged in (
        f"other.{stamp}.{tag}",
        f"{name}.{int(stamp) + 3600}.{tag}",
        f"{name}.{stamp}.{'0' * len(tag)}",
        "",
        None,
        "a.b",
        "x" * 500,
    ):
        assert sessions.holder_of(ctx, forged) is None


async def test_a_turn_as_plain_data_names_its_screen(ctx: Context, school: School) -> None:
    (code,) = await school.codes("7A", 1)
    first = await pupils.redeem(ctx, code, "web", "h1", "nl", client="10.0.0.1")
    assert isinstance(first.step, Intro)
    view = turn_view(first)
    assert json.loads(json.dumps(view)) == view
    assert view["step"]["kind"] == "intro" and view["step"]["screen_id"] == "_intro"
    assert view["version"] == first.version and view["open"] is True
    assert "respondent_id" not in json.dumps(view)
    turn = await pupils.answer_as(ctx, "web", "h1", Start())
    assert turn is not None and isinstance(turn.step, Question)
    stale = await pupils.answer_as(ctx, "web", "h1", Choose("_intro", "start"))
    assert stale is not None
    notice = turn_view(stale)["step"]
    assert notice["kind"] == "notice" and notice["then"]["screen_id"] == turn.step.item_id
    assert await pupils.answer_as(ctx, "web", "nobody", Start()) is None


async def test_wrong_codes_count_per_client_address(ctx: Context, school: School) -> None:
    (code,) = await school.codes("7A", 1)
    for attempt in range(pupils.CODE_TRIES):
        # A new session token each time, as a script throwing its cookies away would have.
        turn = await pupils.redeem(ctx, "AAA-AAA-AAA", "web", f"t{attempt}", "nl", client="1.2.3.4")
        assert isinstance(turn.step, CodeEntry)
        assert turn.step.problem is CodeProblem.UNKNOWN_CODE
    paused = await pupils.redeem(ctx, code, "web", "fresh", "nl", client="1.2.3.4")
    assert isinstance(paused.step, CodeEntry)
    assert paused.step.problem is CodeProblem.TOO_MANY_TRIES
    other = await pupils.redeem(ctx, code, "web", "fresh", "nl", client="5.6.7.8")
    assert isinstance(other.step, Intro)


async def test_one_code_typed_too_often_is_paused(ctx: Context, school: School) -> None:
    (code,) = await school.codes("7A", 1)
    for attempt in range(pupils.CODE_REDEEMS):
        turn = await pupils.redeem(ctx, code, "web", f"d{attempt}", "nl", client=f"c{attempt}")
        assert turn.pupil is not None
    paused = await pupils.redeem(ctx, code.lower(), "web", "again", "nl", client="elsewhere")
    assert isinstance(paused.step, CodeEntry)
    assert paused.step.problem is CodeProblem.TOO_MANY_TRIES


async def test_the_demo_school_is_made_once(ctx: Context) -> None:
    made = await demo_school(ctx, count=3)
    assert made is not None and len(made) == 3
    turn = await pupils.redeem(ctx, made[0], "web", "demo", "nl")
    assert isinstance(turn.step, Intro)
    assert await demo_school(ctx) is None
