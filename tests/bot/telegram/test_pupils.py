"""Pupils through Telegram: real updates into the real dispatcher, answers in the database."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select

from bot.service.context import Context
from flows.steps import Continue, PreferNotToSay, Start
from storage.models import Respondent
from storage.repositories import answers
from tests.bot.service.conftest import LINDE, School, make_school
from tests.bot.service.participant import Pupil as ServicePupil
from tests.bot.telegram.conftest import Chat, last, texts
from tests.flows.participant import BULLIED_PO, FINE_PO, Script
from tests.telegram.emulator import SimulatedUser


async def stored(ctx: Context) -> list[dict[str, int | None]]:
    """Every response's answers, in the order the responses started."""
    async with ctx.database.transaction() as session:
        ids = list(await session.scalars(select(Respondent.id).order_by(Respondent.id)))
        return [await answers.of(session, respondent) for respondent in ids]


async def begin(chat: Chat, pupil: SimulatedUser, code: str, language: str = "Nederlands") -> None:
    """Open the deep link, choose the language, see the intro."""
    await chat.do(pupil.start(code))
    menu = last(pupil)
    assert menu.text == "Kies je taal." or "Choose" in (menu.text or "")
    await chat.do(pupil.press(menu, next(t for t in menu.button_texts if language in t)))


async def run(chat: Chat, pupil: SimulatedUser, script: Script) -> None:
    """A participant script as taps and typing: buttons for Start, Continue and "rather not
    say", typed text for the rest (as a pupil may type the number or the words)."""
    for _expected, step in script:
        shown = last(pupil)
        if isinstance(step, Start | Continue):
            await chat.do(pupil.press(shown, shown.button_texts[0]))
        elif isinstance(step, PreferNotToSay):
            await chat.do(pupil.press(shown, next(b for b in shown.button_texts if "liever" in b)))
        else:
            assert isinstance(step, str)
            await chat.do(pupil.send(step))


async def test_participant_scripts_store_what_the_service_stores(
    chat: Chat, ctx: Context, school: School
) -> None:
    codes = await school.codes("7A", 4)
    # BULLIED_PO ends on a number that is no option: the pupil is asked again, then finishes.
    for number, script in enumerate((FINE_PO, [*BULLIED_PO, ("gender", "4")])):
        pupil = chat.user(2000 + number)
        await begin(chat, pupil, codes[number])
        await run(chat, pupil, script)
        assert any("Gesprek wissen" in b for b in last(pupil).button_texts)
        service = ServicePupil(ctx, user=f"web-{number}")
        await service.enter(codes[2 + number])
        await service.run(script)
    fine_tg, fine_web, bullied_tg, bullied_web = await stored(ctx)
    assert fine_tg == fine_web and bullied_tg == bullied_web
    assert fine_tg != bullied_tg


async def test_an_answer_edits_its_question_and_the_next_follows(
    chat: Chat, school: School
) -> None:
    [code] = await school.codes("7A", 1)
    pupil = chat.user(2100)
    await begin(chat, pupil, code)
    intro = last(pupil)
    await chat.do(pupil.press(intro, intro.button_texts[0]))
    question = last(pupil)
    assert question.buttons[-1][-1].callback_data == "s"  # back / language / stop on every step
    assert (
        question.buttons[0][0].callback_data
        == "a:safe_school:" + (question.buttons[0][0].callback_data or "").split(":")[2]
    )
    await chat.do(pupil.press(question, question.button_texts[0]))
    answered = next(m for m in pupil.messages() if m.message_id == question.message_id)
    assert answered.edited and answered.buttons == ()
    assert "Jouw antwoord:" in (answered.text or "")
    assert last(pupil).message_id != question.message_id


async def test_language_from_the_client_and_a_restart_in_the_middle(
    chat: Chat, ctx: Context, school: School
) -> None:
    [code] = await school.codes("7A", 1)
    pupil = chat.user(2200, language_code="en")
    await chat.do(pupil.start(code))
    menu = last(pupil)
    assert menu.text == "Choose your language." and "✓ English" in menu.button_texts
    await chat.do(pupil.press(menu, "✓ English"))
    intro = last(pupil)
    await chat.do(pupil.press(intro, intro.button_texts[0]))
    for _ in range(2):
        await chat.do(pupil.press(last(pupil), last(pupil).button_texts[0]))
    third = last(pupil)
    chat.restart()  # a new Dispatcher: nothing of the conversation is in memory
    await chat.do(pupil.press(third, third.button_texts[1]))
    [answered] = await stored(ctx)
    assert len([item for item in answered if not item.startswith("_")]) == 3

    # The same code on another device continues at the fourth question.
    other = chat.user(2201, language_code="nl")
    await chat.do(other.start(code))
    assert "Welcome back" in (last(other).text or "") or "Welkom terug" in (last(other).text or "")
    await chat.do(other.press(last(other), last(other).button_texts[0]))
    [answered] = await stored(ctx)
    assert len([item for item in answered if not item.startswith("_")]) == 4


async def test_stale_and_forged_buttons_change_nothing(
    chat: Chat, ctx: Context, school: School
) -> None:
    [code] = await school.codes("7A", 1)
    pupil = chat.user(2300)
    await begin(chat, pupil, code)
    await chat.do(pupil.press(last(pupil), last(pupil).button_texts[0]))
    first = last(pupil)
    first_press = await pupil.press(first, first.button_texts[0])
    await chat.feed(first_press)
    before = await stored(ctx)

    # A second tap on the first question's old button (sent before the edit reached the chat).
    stale = copy.deepcopy(first_press)
    stale["update_id"] += 10_000
    stale["callback_query"]["id"] = (await pupil.press(last(pupil), last(pupil).button_texts[0]))[
        "callback_query"
    ]["id"]
    await chat.feed(stale)
    forged: dict[str, Any] = copy.deepcopy(stale)
    forged["update_id"] += 1
    for data in ("a:bullied:1", "z:whatever", "a:safe_school", "k:open:12AB00"):
        forged["update_id"] += 1
        forged["callback_query"]["id"] = (
            await pupil.press(last(pupil), last(pupil).button_texts[0])
        )["callback_query"]["id"]
        forged["callback_query"]["data"] = data
        await chat.feed(forged)
    assert await stored(ctx) == before
    refusals = [a for a in pupil.callback_answers if a.get("text")]
    assert len(refusals) >= 4 and all(
        "werkt niet meer" in a["text"] or "mag u niet" in a["text"] for a in refusals[:1]
    )


async def test_guessing_codes_pauses_code_entry(chat: Chat, school: School) -> None:
    [code] = await school.codes("7A", 1)
    guesser = chat.user(2400)
    await chat.do(guesser.start())
    for guess in ("AAA-AAA-AAA", "BBB-BBB-BBB", "CCC-CCC-CCC", "DDD-DDD-DDD", "EEE-EEE-EEE"):
        await chat.do(guesser.send(guess))
        assert "ken ik niet" in (last(guesser).text or "")
    await chat.do(guesser.send(code))  # even the right code waits now
    assert "te vaak" in (last(guesser).text or "")


async def test_a_duplicate_update_is_handled_once(chat: Chat, ctx: Context, school: School) -> None:
    [code] = await school.codes("7A", 1)
    pupil = chat.user(2500)
    await begin(chat, pupil, code)
    await chat.do(pupil.press(last(pupil), last(pupil).button_texts[0]))
    typed = await chat.do(pupil.send("1"))  # answers the first question
    sent_before = len(chat.emu.calls_to("sendMessage"))
    await chat.feed(typed)  # delivered again: a webhook retry, or a second worker
    assert len(chat.emu.calls_to("sendMessage")) == sent_before
    [answered] = await stored(ctx)
    assert [item for item in answered if not item.startswith("_")] == ["safe_school"]


async def test_stickers_photos_voice_and_huge_texts_get_a_reprompt(
    chat: Chat, ctx: Context, school: School
) -> None:
    [code] = await school.codes("7A", 1)
    pupil = chat.user(2600)
    await begin(chat, pupil, code)
    await chat.do(pupil.press(last(pupil), last(pupil).button_texts[0]))
    for action in (
        pupil.send_sticker(),
        pupil.send_photo(),
        pupil.send_voice(),
        pupil.send("x" * 500),
    ):
        await chat.do(action)
        assert (last(pupil).text or "").startswith("Dat kan ik niet lezen")
        assert last(pupil).buttons  # the question again, with its buttons
    [answered] = await stored(ctx)
    assert [item for item in answered if not item.startswith("_")] == []


async def test_the_end_offers_to_erase_the_chat(chat: Chat, ctx: Context, school: School) -> None:
    [code] = await school.codes("7A", 1)
    pupil = chat.user(2700)
    await begin(chat, pupil, code)
    await run(chat, pupil, FINE_PO)
    offer = last(pupil)
    await chat.do(pupil.press(offer, "Gesprek wissen"))
    assert pupil.messages(include_own=True) == []
    # The code is spent: using it again is refused kindly.
    await chat.do(pupil.start(code))
    assert "al gebruikt" in (last(pupil).text or "")
    assert texts(pupil)


async def test_back_stop_continue_and_language_at_a_question(
    chat: Chat, ctx: Context, school: School
) -> None:
    [code] = await school.codes("7A", 1)
    pupil = chat.user(2800)
    await begin(chat, pupil, code)
    await chat.do(pupil.press(last(pupil), last(pupil).button_texts[0]))
    await chat.do(pupil.press(last(pupil), last(pupil).button_texts[0]))
    second = last(pupil)
    await chat.do(pupil.press(second, "◀ Terug"))
    assert "Vraag 1 van" in (last(pupil).text or "")  # the first question again, to change
    [answered] = await stored(ctx)
    assert [item for item in answered if not item.startswith("_")] == []
    await chat.do(pupil.press(last(pupil), "⏸ Stoppen"))
    paused = last(pupil)
    assert "Je bent gestopt" in (paused.text or "")
    await chat.do(pupil.press(paused, paused.button_texts[0]))
    assert "Vraag 1 van" in (last(pupil).text or "")
    await chat.do(pupil.press(last(pupil), "🌐 Taal"))
    await chat.do(pupil.press(last(pupil), "English"))
    assert "Question 1 of" in (last(pupil).text or "")


async def test_a_coordinator_starting_the_bot_gets_the_help(chat: Chat, ctx: Context) -> None:
    from tests.bot.telegram.test_staff import coordinator_of

    await make_school(ctx)
    staff = await coordinator_of(chat, LINDE, 2900)
    await chat.do(staff.start())
    assert (last(staff).text or "").startswith("Wat u hier kunt doen:")
