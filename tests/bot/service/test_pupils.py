"""Pupils through the application layer on SQLite and PostgreSQL: the participant scripts,
two inputs at once, stale and forged buttons, closed rounds, changed questionnaires, resume."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from bot.service import consent, pupils, rounds
from bot.service.context import Context, FixedClock
from bot.service.conversation import Conversation
from bot.service.records import Sector
from flows import load_questionnaire
from flows.steps import (
    INTRO_SEEN,
    Back,
    Choose,
    CodeEntry,
    CodeProblem,
    Intro,
    Notice,
    Outro,
    Question,
    SchoolContext,
    Start,
    SupportCard,
)
from tests.bot.service.conftest import LINDE, NOW, OPERATOR, YEAR, School, make_school
from tests.bot.service.participant import Pupil, label, screen_of
from tests.flows.participant import BULLIED_PO, FINE_PO, FINE_PO_ANSWERS

Q = load_questionnaire()


async def test_a_po_pupil_who_is_fine(ctx: Context, school: School) -> None:
    (code,) = await school.codes("7A", 1)
    pupil = Pupil(ctx)
    first = await pupil.enter(code)
    assert isinstance(first.step, Intro) and first.version == Q.version
    await pupil.run(FINE_PO)
    assert isinstance(pupil.turn and pupil.turn.step, Outro) and pupil.turn.completed
    assert await pupil.stored() == FINE_PO_ANSWERS
    # The response is complete: its pseudonyms are gone and its code is spent.
    assert await pupils.resume(ctx, "web", "device-1") is None
    again = await Pupil(ctx, user="device-2").enter(code)
    assert isinstance(again.step, CodeEntry) and again.step.problem is CodeProblem.USED_CODE


async def test_a_bullied_po_pupil_sees_the_card_once(ctx: Context, school: School) -> None:
    (code,) = await school.codes("8B", 1)
    pupil = Pupil(ctx, channel="telegram", user="501")
    await pupil.enter(code)
    await pupil.run(BULLIED_PO[:-1])
    assert pupil.seen.count("support_card") == 1
    assert isinstance((await pupil.do("5")).step, Notice)  # not an option: nothing stored
    assert isinstance((await pupil.do("4")).step, Outro)
    stored = await pupil.stored()
    assert stored["gender"] is None and stored["told_friend"] is None
    assert stored["bullied_where"] == 2 and stored["adult_helped"] == 3


@pytest.mark.parametrize(("sector", "grade"), [(Sector.SO, 5), (Sector.VO, 3)])
async def test_so_and_vo_pupils_reach_the_end(ctx: Context, sector: Sector, grade: int) -> None:
    school = await make_school(ctx, sector=sector, group_list=(("A", grade, 20),))
    (code,) = await school.codes("A", 1)
    pupil = Pupil(ctx)
    turn = await pupil.enter(code)
    while not isinstance(turn.step, Outro):
        turn = await pupil.do("1")
    stored = await pupil.stored()
    band = "so" if sector is Sector.SO else "vo"
    assert {item.id for _, item in Q.items_in_band(band)} & set(stored)
    assert stored[INTRO_SEEN] == 1


async def test_a_stale_button_changes_nothing(ctx: Context, school: School) -> None:
    (code,) = await school.codes("7A", 1)
    pupil = Pupil(ctx)
    await pupil.enter(code)
    await pupil.do(Choose("_intro", "start"))
    await pupil.do(Choose("safe_school", "yes"))
    before = await pupil.stored()
    # The same button again (an old keyboard, a double click), and "start" again.
    for stale in (Choose("safe_school", "yes"), Choose("_intro", "start"), Back("safe_school")):
        turn = await pupil.do(stale)
        assert isinstance(turn.step, Notice) and label(turn.step) == "safe_class"
        assert await pupil.stored() == before
    forged = await pupil.do(Choose("safe_class", "yes", version="0" * 64))
    assert isinstance(forged.step, Notice) and await pupil.stored() == before
    fresh = await pupil.do(Choose("safe_class", "yes", version=Q.version))
    assert label(fresh.step) == "safe_schoolyard"


async def test_two_inputs_at_once_are_applied_one_after_the_other(
    ctx: Context, school: School
) -> None:
    (code,) = await school.codes("7A", 1)
    pupil = Pupil(ctx)
    await pupil.enter(code)
    await pupil.do(Start())
    handle = pupil.handle
    # Two taps at once on different answers of the same question: one answers it, the other
    # names a question that is no longer current and changes nothing.
    for _ in range(3):
        here = pupil.here()
        turns = await asyncio.gather(
            pupils.answer(ctx, handle, Choose(here, "yes")),
            pupils.answer(ctx, handle, Choose(here, "no")),
        )
        assert sum(isinstance(turn.step, Notice) for turn in turns) == 1
        pupil.turn = next(turn for turn in turns if not isinstance(turn.step, Notice))
        stored = await pupil.stored()
        assert stored[here] in (4, 1)
    assert len([key for key in await pupil.stored() if not key.startswith("_")]) == 3


async def test_a_closed_round_takes_no_more_answers(ctx: Context, school: School) -> None:
    first, second = await school.codes("7A", 2)
    pupil = Pupil(ctx)
    await pupil.enter(first)
    await pupil.do(Start())
    await rounds.close_round(ctx, OPERATOR, LINDE, YEAR)
    turn = await pupil.do("1")
    assert isinstance(turn.step, CodeEntry) and turn.step.problem is CodeProblem.ROUND_CLOSED
    assert await pupil.stored() == {INTRO_SEEN: 1}
    for code in (first, second):
        refused = await Pupil(ctx).enter(code)
        assert isinstance(refused.step, CodeEntry)
        assert refused.step.problem is CodeProblem.ROUND_CLOSED
    assert await pupils.resume(ctx, "web", "device-1") is None


async def test_a_changed_questionnaire_is_refused_kindly(ctx: Context, school: School) -> None:
    first, second = await school.codes("7A", 2)
    pupil = Pupil(ctx)
    await pupil.enter(first)
    async with ctx.database.transaction() as session:
        await session.execute(text("UPDATE survey_round SET questionnaire_version = 'older'"))
    turn = await pupil.do(Start())
    assert isinstance(turn.step, CodeEntry) and turn.step.problem is CodeProblem.NOT_AVAILABLE
    assert await pupil.stored() == {}
    refused = await Pupil(ctx, user="other").enter(second)
    assert isinstance(refused.step, CodeEntry)
    assert refused.step.problem is CodeProblem.NOT_AVAILABLE
    async with ctx.database.transaction() as session:  # the code was not claimed
        used = await session.scalar(text("SELECT count(*) FROM access_code WHERE used"))
    assert used == 1


async def test_resume_by_pseudonym_and_by_code_on_another_device(
    ctx: Context, school: School
) -> None:
    (code,) = await school.codes("7A", 1)
    phone = Pupil(ctx, channel="telegram", user="777", language="en")
    await phone.enter(code)
    await phone.do(Start())
    await phone.do("1")
    again = await pupils.resume(ctx, "telegram", "777")
    assert again is not None and label(again.step) == "safe_class"
    assert again.step.language == "en"
    assert await pupils.resume(ctx, "telegram", "778") is None
    # The same code in the school's web chat: welcome back, at the same question.
    tablet = Pupil(ctx, channel="web", user="tablet")
    turn = await tablet.enter(code)
    assert isinstance(turn.step, Notice) and "Welcome back" in turn.step.message
    assert label(turn.step) == "safe_class"
    # The web chat answers now; the phone's chat no longer finds the response.
    assert await pupils.resume(ctx, "telegram", "777") is None
    assert (await pupils.resume(ctx, "web", "tablet")) is not None


async def test_too_many_wrong_codes_pause_code_entry(ctx: Context, school: School) -> None:
    (code,) = await school.codes("7A", 1)
    guesser = Pupil(ctx, channel="telegram", user="666")
    for attempt in range(pupils.CODE_TRIES):
        turn = await guesser.enter(f"AAA-AAA-AA{attempt}")
        assert isinstance(turn.step, CodeEntry)
        assert turn.step.problem is CodeProblem.UNKNOWN_CODE
    paused = await guesser.enter(code)  # even the right code waits
    assert isinstance(paused.step, CodeEntry)
    assert paused.step.problem is CodeProblem.TOO_MANY_TRIES
    assert paused.step.message and "te vaak" in paused.step.message
    # Another chat is not affected; after the window the same chat may try again.
    assert (await Pupil(ctx, channel="telegram", user="667").enter("BBB-BBB-BBB")).step
    later = Context(ctx.settings, ctx.database, FixedClock(NOW + pupils.TRY_WINDOW))
    turn = await Pupil(later, channel="telegram", user="666").enter(code)
    assert isinstance(turn.step, Intro)


async def test_a_code_step_in_every_language(ctx: Context) -> None:
    for language in ("nl", "en", "tr", "ar", "pl"):
        step = pupils.welcome(language).step
        assert isinstance(step, CodeEntry) and step.prompt and step.problem is None
        assert step.rtl == (language == "ar")
    assert "code" in pupils.welcome("en").step.prompt  # type: ignore[union-attr]


# ------------------------------------------------------------------ stale and forged inputs

# What the pupil does at each step: a fresh answer (option by index) or, in between, an input
# a stale tab or a forger could send: another screen's button, or a wrong version.
fresh = st.integers(0, 5).map(lambda n: ("fresh", n))
stale = st.tuples(
    st.just("stale"),
    st.sampled_from(sorted({item.id for _, item in Q.items()} | {"_intro", "_support_card"})),
    st.sampled_from(["yes", "no", "start", "continue", "never", "prefer_not", "sometimes"]),
)
forged = st.integers(0, 5).map(lambda n: ("forged", n))
steps = st.lists(st.one_of(fresh, fresh, fresh, stale, forged), min_size=5, max_size=40)


def _option(screen: object, index: int) -> str | None:
    if isinstance(screen, Question):
        options = [*screen.options, screen.prefer_not]
        return options[index % len(options)].option_id
    if isinstance(screen, Intro):
        return "start"
    if isinstance(screen, SupportCard):
        return "continue"
    return None


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(script=steps)
async def test_stale_and_forged_inputs_change_nothing(
    ctx: Context, script: list[tuple[object, ...]]
) -> None:
    school = await _fresh_school(ctx)
    (code,) = await school.codes("7A", 1)
    pupil = Pupil(ctx)
    await pupil.enter(code)
    own = Conversation(Q, "po", "nl", SchoolContext(name="x", support_contact="juf Anna"))
    for action in script:
        assert pupil.turn is not None
        screen = screen_of(pupil.turn.step)
        if screen is None or isinstance(screen, Outro):
            break
        here = pupil.here()
        if action[0] == "stale":
            if action[1] == here:
                continue  # that would be the current screen's button, not a stale one
            await pupil.do(Choose(str(action[1]), str(action[2])))
            continue
        option = _option(screen, int(str(action[1])))
        assert option is not None
        if action[0] == "forged":
            await pupil.do(Choose(here, option, version="f" * 64))
            continue
        await pupil.do(Choose(here, option, version=Q.version))
        own.apply(Choose(here, option))
    assert await pupil.stored() == own.answers


_schools = iter(range(10, 100))


async def _fresh_school(ctx: Context) -> School:
    """A new school per example (hypothesis reuses the function's database)."""
    number = next(_schools)
    from bot.service.records import SchoolCode

    return await make_school(ctx, code=SchoolCode(f"{number}AB", "00"))


async def test_consent_can_be_withdrawn(ctx: Context, school: School) -> None:
    given = await consent.give_consent(ctx, OPERATOR, LINDE, YEAR, "A. de Vries, directeur")
    assert given.in_force
    later = Context(ctx.settings, ctx.database, FixedClock(NOW + timedelta(days=3)))
    gone = await consent.withdraw_consent(later, OPERATOR, LINDE, YEAR, "A. de Vries")
    assert not gone.in_force and gone.withdrawn_at == NOW + timedelta(days=3)
    assert gone.given_by == "A. de Vries, directeur"


async def test_two_simulations_at_once_never_pass_the_enrolled(ctx: Context) -> None:
    from bot.service.simulate import simulate
    from veilig.errors import InvalidInput

    await make_school(ctx, group_list=(("7A", 7, 20),))
    outcomes = await asyncio.gather(
        simulate(ctx, OPERATOR, LINDE, YEAR, 20, seed=1),
        simulate(ctx, OPERATOR, LINDE, YEAR, 20, seed=2),
        return_exceptions=True,
    )
    refused = [o for o in outcomes if isinstance(o, InvalidInput)]
    assert len(refused) == 1 and "free places" in str(refused[0])
    summary = (await rounds.list_rounds(ctx, OPERATOR, LINDE))[0]
    assert summary.started == 20 <= summary.enrolled
