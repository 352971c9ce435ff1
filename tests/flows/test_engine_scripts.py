"""The engine walked as participant scripts: (screen the pupil sees, what they do)."""

from __future__ import annotations

import pytest

from flows import engine
from flows.model import Questionnaire
from flows.steps import (
    INTRO_SEEN,
    SUPPORT_CARD_SEEN,
    Back,
    ChangeLanguage,
    Choose,
    Continue,
    Intro,
    Notice,
    Outro,
    Paused,
    PreferNotToSay,
    Question,
    SchoolContext,
    Start,
    SupportCard,
)
from tests.flows.participant import (
    BULLIED_PO,
    FINE_PO,
    FINE_PO_ANSWERS,
    Script,
    Walk,
    expect_answers,
)


def test_po_pupil_who_is_fine_gets_no_follow_ups_and_no_card(q: Questionnaire) -> None:
    walk = Walk(q, "po").run(FINE_PO)
    assert isinstance(walk.screen(), Outro)
    assert walk.transitions[-1].completed
    expect_answers(walk, FINE_PO_ANSWERS)


def test_po_pupil_bullied_monthly_sees_the_card_once_and_the_follow_ups(q: Questionnaire) -> None:
    script = BULLIED_PO
    walk = Walk(q, "po").run(script[:-1])
    assert walk.seen.count("support_card") == 1
    move = walk.do("5")
    assert isinstance(move.step, Notice)  # not an option: re-prompt, nothing stored
    move = walk.do("4")
    assert isinstance(move.step, Outro)
    assert walk.answers["gender"] is None  # 4 = "Dat zeg ik liever niet"
    assert walk.answers["told_friend"] is None
    assert "told_friend" in walk.answers  # stored distinctly from unanswered
    assert walk.answers[SUPPORT_CARD_SEEN] == 1
    assert walk.answers["bullied_where"] == 2
    assert walk.answers["adult_helped"] == 3


@pytest.mark.parametrize(
    ("trigger", "answer"),
    [
        ("safe_school", "4"),  # "Nee": not feeling safe
        ("bullied_physical", "1 of 2 keer"),  # hurt, even once
        ("bullied_threat", "2"),  # threatened, even once
        ("bullied_online", "3"),  # at the bullying cut-off
    ],
)
def test_card_appears_right_after_the_answer_that_triggers_it(
    q: Questionnaire, trigger: str, answer: str
) -> None:
    walk = Walk(q, "po")
    walk.do(Start())
    while True:
        screen = walk.screen()
        assert isinstance(screen, Question)
        if screen.item_id == trigger:
            break
        walk.do("niet" if screen.item_id.startswith("bullied") else "1")
    walk.do(answer)
    assert isinstance(walk.screen(), SupportCard)


def test_back_changes_the_previous_answer(q: Questionnaire) -> None:
    walk = Walk(q, "po")
    walk.run(
        [
            ("intro", Start()),
            ("safe_school", "1"),
            ("safe_class", "2"),
            ("safe_schoolyard", Back()),
            ("safe_class", "terug"),
            ("safe_school", "2"),
            ("safe_class", "1"),
        ]
    )
    expect_answers(walk, {INTRO_SEEN: 1, "safe_school": 3, "safe_class": 4})
    assert walk.transitions[3].delete == ("safe_class",)


def test_back_on_the_first_question_and_the_intro_says_so(q: Questionnaire) -> None:
    walk = Walk(q, "vo")
    move = walk.do(Back())
    assert isinstance(move.step, Notice) and isinstance(move.step.then, Intro)
    walk.do(Start())
    move = walk.do(Back())
    assert isinstance(move.step, Notice)
    assert move.step.message == "Dit is de eerste vraag. Verder terug kan niet."
    assert walk.answers == {INTRO_SEEN: 1}


def test_back_from_the_card_counts_as_seen(q: Questionnaire) -> None:
    walk = Walk(q, "so")
    walk.run([("intro", Start()), ("safe_school", "3")])  # SO 3 = "Nee"
    assert isinstance(walk.screen(), SupportCard)
    move = walk.do(Back())
    assert move.upsert == {SUPPORT_CARD_SEEN: 1}
    assert move.delete == ("safe_school",)
    walk.run([("safe_school", "nee")])
    assert label_of(walk) == "safe_class"  # not shown a second time


def label_of(walk: Walk) -> str:
    screen = walk.screen()
    return screen.item_id if isinstance(screen, Question) else screen.kind


def test_switching_language_keeps_the_place(q: Questionnaire) -> None:
    walk = Walk(q, "po")
    walk.run([("intro", Start()), ("safe_school", "1")])
    move = walk.do("taal en")
    assert move.language == "en"
    assert isinstance(move.step, Notice)
    assert move.step.message == "We'll carry on in English."
    screen = walk.screen()
    assert isinstance(screen, Question)
    assert screen.item_id == "safe_class"
    assert screen.text == "Do you feel safe in class?"
    assert screen.prefer_not.label == "I'd rather not say"
    walk.run([("safe_class", "yes"), ("safe_schoolyard", "taal Nederlands")])
    assert walk.lang == "nl"


def test_a_draft_language_tells_the_pupil_it_is_new(q: Questionnaire) -> None:
    intro = engine.current_step(q, "po", "tr", {})
    assert isinstance(intro, Intro)
    assert intro.help[-1].startswith("Bu çeviri yeni.")
    assert intro.help[-1].endswith("'dil nl' yaz (Nederlands).")
    english = engine.current_step(q, "po", "en", {})
    assert isinstance(english, Intro) and len(english.help) == len(intro.help) - 1
    walk = Walk(q, "po")
    move = walk.do(ChangeLanguage("tr"))  # on the intro: the intro itself has the note
    assert isinstance(move.step, Notice)
    assert move.step.message == "Türkçe devam ediyoruz."
    walk.run([("intro", "başla"), ("safe_school", "evet")])
    move = walk.do("dil ar")
    assert isinstance(move.step, Notice) and move.step.rtl
    assert move.step.message.startswith("سنكمل باللغة العربية. هذه الترجمة جديدة.")
    assert "'لغة nl' (Nederlands)" in move.step.message
    move = walk.do("لغة nl")
    assert isinstance(move.step, Notice)
    assert move.step.message == "We gaan verder in het Nederlands."  # Dutch is no draft
    assert walk.answers == {INTRO_SEEN: 1, "safe_school": 4}


def test_unknown_language_lists_the_choices(q: Questionnaire) -> None:
    walk = Walk(q, "vo")
    move = walk.do(ChangeLanguage("xx"))
    assert isinstance(move.step, Notice)
    assert "en (English)" in move.step.message
    assert move.language is None
    move = walk.do("taal")
    assert isinstance(move.step, Notice) and "taal" in move.step.message


def test_arabic_is_right_to_left(q: Questionnaire) -> None:
    walk = Walk(q, "vo", lang="ar")
    walk.do(Start())
    screen = walk.screen()
    assert screen.rtl and screen.language == "ar"
    walk.do("\u0661")  # Arabic-Indic digit one
    assert walk.answers["safe_school"] == 5


def test_stop_pauses_and_continue_resumes(q: Questionnaire) -> None:
    walk = Walk(q, "po")
    walk.run([("intro", Start()), ("safe_school", "1")])
    move = walk.do("stop")
    assert move.paused and isinstance(move.step, Paused)
    assert move.upsert == {} and move.delete == ()
    move = walk.do("verder")
    assert move.step == walk.screen()
    assert label_of(walk) == "safe_class"


def test_unclear_text_gets_a_friendly_reprompt(q: Questionnaire) -> None:
    walk = Walk(q, "vo")
    walk.do(Start())
    for text in ["misschien", "", "   ", "mee", "99", "🙂"]:
        move = walk.do(text)
        assert isinstance(move.step, Notice), text
        assert move.upsert == {}
    assert walk.answers == {INTRO_SEEN: 1}
    walk.do("helemaal mee eens")
    assert walk.answers["safe_school"] == 5


def test_pictures_and_option_ids_are_understood(q: Questionnaire) -> None:
    walk = Walk(q, "po")
    walk.do(Start())
    walk.do("😀")
    walk.do(Choose("safe_class", "mostly_yes"))
    walk.do(Choose("safe_schoolyard", "prefer_not"))
    move = walk.do(Choose("safe_corridors", "maybe"))
    assert isinstance(move.step, Notice)
    assert walk.answers == {
        INTRO_SEEN: 1,
        "safe_school": 4,
        "safe_class": 3,
        "safe_schoolyard": None,
    }


def test_choosing_where_nothing_is_asked_says_what_to_do(q: Questionnaire) -> None:
    walk = Walk(q, "po")
    move = walk.do(PreferNotToSay())
    assert isinstance(move.step, Notice) and isinstance(move.step.then, Intro)
    move = walk.do(Choose("_intro", "yes"))
    assert isinstance(move.step, Notice)
    move = walk.do(Choose("_intro", "start"))
    assert isinstance(walk.screen(), Question)
    assert move.upsert == {INTRO_SEEN: 1}


def test_so_short_version_with_follow_ups(q: Questionnaire) -> None:
    so_items = [item.id for _, item in q.items_in_band("so")]
    assert len(so_items) < len(q.items_in_band("po"))
    script: Script = [
        ("intro", Start()),
        ("safe_school", "ja"),
        ("safe_class", "ja"),
        ("safe_schoolyard", "een beetje"),
        ("safe_way", "1"),
        ("likes_school", "1"),
        ("at_ease_class", "1"),
        ("has_friends", "1"),
        ("teacher_fair", "1"),
        ("bullied", "een beetje"),
        ("support_card", "verder"),
        ("bullied_verbal", "nee"),
        ("bullied_relational", "nee"),
        ("bullied_physical", "nee"),
        ("bullied_threat", "nee"),
        ("told_staff", "ja"),
        ("adult_helped", "een beetje"),
        ("bullying_others", "nee"),
        ("adults_act", "ja"),
        ("gender", "jongen"),
    ]
    walk = Walk(q, "so").run(script)
    assert isinstance(walk.screen(), Outro)
    assert walk.answers["bullied"] == 2
    assert walk.answers["adult_helped"] == 2


def test_vo_pupil_who_told_nobody_is_not_asked_whether_an_adult_helped(q: Questionnaire) -> None:
    walk = Walk(q, "vo")
    walk.do(Start())
    while isinstance(screen := walk.screen(), Question | SupportCard):
        if isinstance(screen, SupportCard):
            walk.do(Continue())
        elif screen.item_id == "bullied":
            walk.do("meerdere keren per week")
        elif screen.item_id.startswith("told_"):
            walk.do("nee")
        else:
            walk.do("1")
    assert "adult_helped" not in walk.answers
    assert walk.answers["told_staff"] == 1
    assert {"bullied_where", "bullied_by", "told_friend"} <= set(walk.answers)


def test_school_contact_and_helpline_overrides_reach_the_card(q: Questionnaire) -> None:
    school = SchoolContext(
        name="De Regenboog",
        support_contact="meester Ahmed (vertrouwenspersoon)",
        helpline_numbers={"kindertelefoon": "0800-1111"},
        hidden_helplines=frozenset({"veilig_thuis"}),
    )
    walk = Walk(q, "po", school=school)
    walk.run([("intro", Start()), ("safe_school", "nee")])
    card = walk.screen()
    assert isinstance(card, SupportCard)
    assert card.contact == "Op school kun je praten met meester Ahmed (vertrouwenspersoon)."
    numbers = {line.id: line.number for line in card.helplines}
    assert numbers == {"kindertelefoon": "0800-1111", "emergency": "112"}
    assert any("anoniem" in paragraph for paragraph in card.paragraphs)


def test_the_card_says_plainly_that_nobody_will_contact_them(q: Questionnaire) -> None:
    for band in q.bands:
        card = engine.preview(q, band, "nl")[-2][0]
        assert isinstance(card, SupportCard)
        text = " ".join(card.paragraphs)
        assert "niemand weet wat jij hebt ingevuld" in text.casefold()
        assert {"kindertelefoon", "veilig_thuis", "emergency"} <= {h.id for h in card.helplines}
        assert "0800-0432" in {h.number for h in card.helplines}


def test_stale_answers_to_hidden_follow_ups_are_deleted(q: Questionnaire) -> None:
    # Answers stored by an older path: a follow-up answered, but no bullying any more.
    answers = {INTRO_SEEN: 1, "safe_school": 4, "bullied_where": 2}
    move = engine.apply(q, "po", "nl", answers, Choose("safe_class", "yes"))
    assert "bullied_where" in move.delete
    assert "bullied_where" not in move.answers


def test_an_unknown_band_is_a_programming_error(q: Questionnaire) -> None:
    from veilig.errors import InvalidInput

    with pytest.raises(InvalidInput, match="po, vo, so"):
        engine.current_step(q, "mbo", "nl", {})


def test_a_disabled_or_unknown_language_falls_back_to_dutch(q: Questionnaire) -> None:
    screen = engine.current_step(q, "po", "xx", {})
    assert screen.language == "nl"
