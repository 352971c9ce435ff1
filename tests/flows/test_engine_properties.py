"""Properties of the engine over random pupils (hypothesis).

Oracles here are written independently of the engine's condition evaluator: they read the
codes directly (PO/VO bullied = Olweus 3+, i.e. 2-3 times a month or more; SO = "een beetje"
or "ja"), so a wrong mark in the data or a wrong evaluator both fail.
"""

from __future__ import annotations

from collections.abc import Mapping

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows import engine
from flows.i18n import enabled_languages, translator
from flows.loader import load_questionnaire
from flows.matching import normalise
from flows.steps import (
    INTRO_SEEN,
    SUPPORT_CARD_SEEN,
    Back,
    ChangeLanguage,
    Choose,
    Continue,
    Input,
    Intro,
    Notice,
    Outro,
    Paused,
    PreferNotToSay,
    Question,
    Start,
    Stop,
    SupportCard,
    Text,
)
from tests.flows.participant import FOLLOW_UPS, Walk

Q = load_questionnaire()
BANDS = sorted(Q.bands)
BULLYING = Q.groups["bullying"]
HARM = Q.groups["harm"]
OPTION_IDS = sorted(
    {o.id for s in Q.answer_scales.values() for v in s.variants.values() for o in v.options}
)

# Inputs name a screen: the current one or, as an old keyboard would, any other.
SCREEN_IDS = sorted({item.id for _, item in Q.items()} | {"_intro", "_support_card", "_outro"})
answer_texts = st.sampled_from(["1", "2", "3", "4", "5", "6", "nee", "ja"]).map(Text)
commands: st.SearchStrategy[Input] = st.one_of(
    st.just(Back()),
    st.just(Stop()),
    st.just(Continue()),
    st.just(Start()),
    st.just(PreferNotToSay()),
    st.sampled_from(["nl", "en", "tr", "ar", "pl", "xx", ""]).map(ChangeLanguage),
    st.builds(
        Choose,
        st.sampled_from(SCREEN_IDS),
        st.sampled_from([*OPTION_IDS, "prefer_not", "start", "continue", "nope"]),
    ),
    st.sampled_from(SCREEN_IDS).map(Back),
    st.text(max_size=12).map(Text),
    st.sampled_from(["terug", "stop", "verder", "taal en", "taal", "back", "🙂", "٣"]).map(Text),
)
# Mostly answers, so walks get deep into the questionnaire; commands mixed in throughout.
one_input = st.integers(0, 99).flatmap(lambda n: answer_texts if n < 85 else commands)
inputs = st.lists(one_input, min_size=20, max_size=120)

PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def bullied(band: str, answers: Mapping[str, int | None]) -> bool:
    cut = 2 if band == "so" else 3
    asked = {item.id for _, item in Q.items_in_band(band)}
    return any((answers.get(i) or 0) >= cut for i in BULLYING if i in asked)


def card_due(band: str, answers: Mapping[str, int | None]) -> bool:
    unsafe = {"po": {1, 2}, "vo": {1, 2}, "so": {1}}[band]
    asked = {item.id for _, item in Q.items_in_band(band)}
    harmed = any((answers.get(i) or 0) >= 2 for i in HARM if i in asked)
    return bullied(band, answers) or harmed or answers.get("safe_school") in unsafe


def told_an_adult(answers: Mapping[str, int | None]) -> bool:
    return answers.get("told_staff") == 2 or answers.get("told_parent") == 2


# What a pupil may type for "back" in any language ("terug", "back", "geri", ...).
BACK_WORDS = {
    normalise(word)
    for lang in enabled_languages()
    for word in translator(lang.code).words("back_words")
}


def position(band: str, answers: Mapping[str, int | None]) -> int:
    return engine.place(Q, band, answers).position


@PROPERTY
@given(band=st.sampled_from(BANDS), script=inputs)
def test_any_inputs_keep_a_valid_step_and_rebuild_from_answers(
    band: str, script: list[Input]
) -> None:
    walk = Walk(Q, band)
    for user_input in script:
        move = walk.do(user_input)  # never raises; checks rebuild == live walk
        assert isinstance(move.step, Intro | Question | SupportCard | Outro | Notice | Paused)
        if isinstance(move.screen, Question):
            screen = move.screen
            assert screen.options, "every question has options"
            assert screen.prefer_not.number == len(screen.options) + 1
            assert 1 <= screen.progress.number <= screen.progress.total
        assert set(move.answers) <= {INTRO_SEEN, SUPPORT_CARD_SEEN} | {
            item.id for _, item in Q.items_in_band(band)
        }


@PROPERTY
@given(band=st.sampled_from(BANDS), script=inputs)
def test_progress_never_goes_back_except_on_back(band: str, script: list[Input]) -> None:
    walk = Walk(Q, band)
    for user_input in script:
        before = position(band, walk.answers)
        move = walk.do(user_input)
        after = position(band, move.answers)
        went_back = isinstance(user_input, Back) or (
            isinstance(user_input, Text) and normalise(user_input.text) in BACK_WORDS
        )
        if not went_back:
            assert after >= before
            assert not move.delete


@PROPERTY
@given(band=st.sampled_from(BANDS), script=inputs)
def test_follow_ups_appear_exactly_when_their_condition_holds(
    band: str, script: list[Input]
) -> None:
    walk = Walk(Q, band)
    asked = {item.id for _, item in Q.items_in_band(band)}
    for user_input in script:
        walk.do(user_input)
        visible = {item.id for _, item in engine.place(Q, band, walk.answers).visible}
        for follow_up in FOLLOW_UPS:
            if follow_up in asked:
                assert (follow_up in visible) == bullied(band, walk.answers)
        expected = bullied(band, walk.answers) and told_an_adult(walk.answers)
        assert ("adult_helped" in visible) == expected
        screen = walk.screen()
        if isinstance(screen, Question) and screen.item_id in (*FOLLOW_UPS, "adult_helped"):
            assert bullied(band, walk.answers)


@PROPERTY
@given(band=st.sampled_from(BANDS), script=inputs)
def test_support_card_at_most_once_and_always_when_due(band: str, script: list[Input]) -> None:
    walk = Walk(Q, band)
    entered = 0
    for user_input in script:
        was_card = isinstance(walk.screen(), SupportCard)
        walk.do(user_input)
        screen = walk.screen()
        if isinstance(screen, SupportCard) and not was_card:
            entered += 1
        due = card_due(band, walk.answers)
        if isinstance(screen, SupportCard):
            assert due and SUPPORT_CARD_SEEN not in walk.answers
        elif due and INTRO_SEEN in walk.answers:
            assert SUPPORT_CARD_SEEN in walk.answers, "due but not shown"
        if isinstance(screen, Outro) and due:
            assert SUPPORT_CARD_SEEN in walk.answers
    assert entered <= 1


stored_answers = st.dictionaries(
    st.sampled_from([*(item.id for _, item in Q.items()), INTRO_SEEN, SUPPORT_CARD_SEEN, "x"]),
    st.one_of(st.none(), st.integers(min_value=-3, max_value=9)),
    max_size=30,
)


@PROPERTY
@given(
    band=st.sampled_from(BANDS),
    lang=st.sampled_from(["nl", "en", "ar", "zz"]),
    answers=stored_answers,
    user_input=st.one_of(answer_texts, commands),
)
def test_any_stored_answers_and_input_never_raise(
    band: str, lang: str, answers: dict[str, int | None], user_input: Input
) -> None:
    screen = engine.current_step(Q, band, lang, answers)
    assert isinstance(screen, Intro | Question | SupportCard | Outro)
    move = engine.apply(Q, band, lang, answers, user_input)
    assert isinstance(move.step, Intro | Question | SupportCard | Outro | Notice | Paused)
