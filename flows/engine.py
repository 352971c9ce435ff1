"""The conversation engine: pure functions from (questionnaire, band, language, answers).

There is no conversation state besides the answers, so a channel can rebuild a pupil's place
after any restart by loading the stored answers and calling :func:`current_step`:

- ``_intro`` (code 1) is stored when the pupil starts; without it the intro is shown;
- the next question is the first visible item without an answer (visible: asked in the band
  and its condition holds);
- the support card is shown when its condition holds and ``_support_card`` is not stored yet;
  continuing (or going back from it) stores ``_support_card`` so it is shown at most once;
- "back" deletes the answer to the last answered visible item before the current one, which
  makes that item the next question again;
- when every visible item is answered (and the card seen if due), the outro is shown.

:func:`apply` never raises for any input or any stored answers: input it cannot use gets a
:class:`~flows.steps.Notice` that says what to do, with the current screen again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flows.conditions import holds
from flows.i18n import (
    Language,
    Translator,
    enabled_languages,
    language,
    languages,
    source_language,
    translator,
    ui_messages,
)
from flows.matching import interpret
from flows.model import Condition, Item, Questionnaire, Section
from flows.steps import (
    CONTINUE,
    INTRO_SEEN,
    PREFER_NOT,
    PSEUDO_PREFIX,
    START,
    SUPPORT_CARD_SEEN,
    Answers,
    Back,
    ChangeLanguage,
    Choice,
    Choose,
    Continue,
    HelplineView,
    Input,
    Intro,
    Notice,
    Outro,
    Paused,
    PreferNotToSay,
    Progress,
    Question,
    SchoolContext,
    Screen,
    Start,
    Stop,
    SupportCard,
    Text,
    Transition,
    screen_id,
)
from flows.texts import Texts
from veilig.errors import InvalidInput

NO_SCHOOL = SchoolContext()
_Stay = Callable[..., Transition]


@dataclass(frozen=True, slots=True)
class Place:
    """Where a pupil is, derived from the answers alone."""

    visible: tuple[tuple[Section, Item], ...]
    position: int  # index into ``visible`` of the first unanswered item (len = all answered)
    intro_seen: bool
    card_due: bool

    @property
    def finished(self) -> bool:
        return self.position >= len(self.visible)


def place(q: Questionnaire, band: str, answers: Answers) -> Place:
    """The visible items for ``answers`` and the pupil's position among them."""
    visible: list[tuple[Section, Item]] = []
    visible_ids: set[str] = set()
    for section, item in q.items_in_band(band):
        if item.condition is None or holds(q, band, item.condition, answers, visible_ids):
            visible.append((section, item))
            visible_ids.add(item.id)
    position = next(
        (index for index, (_, item) in enumerate(visible) if item.id not in answers),
        len(visible),
    )
    real_answers = any(not key.startswith(PSEUDO_PREFIX) for key in answers)
    card_due = SUPPORT_CARD_SEEN not in answers and holds(
        q, band, q.support_card.condition, answers, visible_ids
    )
    return Place(
        visible=tuple(visible),
        position=position,
        intro_seen=INTRO_SEEN in answers or real_answers,
        card_due=card_due,
    )


def current_step(
    q: Questionnaire,
    band: str,
    lang: str,
    answers: Answers,
    school: SchoolContext = NO_SCHOOL,
) -> Screen:
    """The screen a pupil with ``answers`` sees next, in ``lang`` (unknown: the source)."""
    _check_band(q, band)
    return _screen(q, band, _language(lang), answers, school)


def apply(
    q: Questionnaire,
    band: str,
    lang: str,
    answers: Answers,
    user_input: Input,
    school: SchoolContext = NO_SCHOOL,
) -> Transition:
    """What ``user_input`` does to a pupil with ``answers``: effects and the next step."""
    _check_band(q, band)
    chosen = _language(lang)
    here = _screen(q, band, chosen, answers, school)
    return _apply(q, band, chosen, dict(answers), here, user_input, school)


def _check_band(q: Questionnaire, band: str) -> None:
    # The band comes from the school record, never from a pupil: a wrong one is a bug.
    if band not in q.bands:
        raise InvalidInput(
            f"age band {band!r} is not in questionnaire {q.id!r}; use one of {', '.join(q.bands)}"
        )


def _language(code: str) -> Language:
    # A language that was switched off after a pupil chose it continues in the source.
    return language(code) or language(source_language()) or enabled_languages()[0]


def _apply(
    q: Questionnaire,
    band: str,
    lang: Language,
    answers: dict[str, int | None],
    here: Screen,
    user_input: Input,
    school: SchoolContext,
) -> Transition:
    t = translator(lang.code)

    def stay(message_key: str, **fields: object) -> Transition:
        note = Notice(lang.code, lang.rtl, t.ui(message_key, **fields), here)
        return Transition(step=note, answers=answers, completed=isinstance(here, Outro))

    if isinstance(user_input, Text):
        meant = interpret(user_input.text, here, t)
        if meant is None:
            return stay("reprompt" if isinstance(here, Question) else _not_here(here))
        return _apply(q, band, lang, answers, here, meant, school)

    if isinstance(user_input, Stop):
        paused = Paused(lang.code, lang.rtl, t.ui("paused"), here)
        return Transition(step=paused, answers=answers, paused=True)

    if isinstance(user_input, ChangeLanguage):
        return _change_language(q, band, lang, answers, here, user_input, school)

    if isinstance(user_input, Start | Continue):
        if isinstance(here, Intro):
            return _effects(q, band, lang, answers, school, upsert={INTRO_SEEN: 1})
        if isinstance(here, SupportCard):
            return _effects(q, band, lang, answers, school, upsert={SUPPORT_CARD_SEEN: 1})
        return Transition(step=here, answers=answers, completed=isinstance(here, Outro))

    if isinstance(user_input, Back | Choose) and _stale(q, here, user_input):
        return stay("stale_answer")

    if isinstance(user_input, Back):
        return _back(q, band, lang, answers, here, school, stay)

    if isinstance(user_input, Choose) and not isinstance(here, Question):
        if isinstance(here, Intro) and user_input.option_id == START:
            return _apply(q, band, lang, answers, here, Start(), school)
        if isinstance(here, SupportCard) and user_input.option_id == CONTINUE:
            return _apply(q, band, lang, answers, here, Continue(), school)
        return stay(_not_here(here))

    if not isinstance(here, Question):
        return stay(_not_here(here))

    if isinstance(user_input, PreferNotToSay) or (
        isinstance(user_input, Choose) and user_input.option_id == PREFER_NOT
    ):
        return _effects(q, band, lang, answers, school, upsert={here.item_id: None})
    if isinstance(user_input, Choose):
        item = q.item(here.item_id)
        options = q.options(item, band) if item is not None else None
        option = options.by_id(user_input.option_id) if options is not None else None
        if option is None:
            return stay("reprompt")
        return _effects(q, band, lang, answers, school, upsert={here.item_id: option.code})
    return stay("reprompt")  # pragma: no cover - every input type is handled above


def _stale(q: Questionnaire, here: Screen, user_input: Back | Choose) -> bool:
    """True when the input was made on another screen (or questionnaire) than ``here``."""
    if isinstance(user_input, Choose) and user_input.version not in (None, q.version):
        return True
    return user_input.screen_id is not None and user_input.screen_id != screen_id(here)


def _not_here(here: Screen) -> str:
    if isinstance(here, Intro):
        return "how_to_start"
    if isinstance(here, SupportCard):
        return "how_to_continue"
    if isinstance(here, Outro):
        return "done_already"
    return "reprompt_not_here"


def _back(
    q: Questionnaire,
    band: str,
    lang: Language,
    answers: dict[str, int | None],
    here: Screen,
    school: SchoolContext,
    stay: _Stay,
) -> Transition:
    where = place(q, band, answers)
    previous = next(
        (item.id for _, item in reversed(where.visible[: where.position]) if item.id in answers),
        None,
    )
    if previous is None:
        return stay("nothing_to_undo" if isinstance(here, Intro) else "first_question")
    # Going back from the support card counts as having seen it: it is shown at most once.
    upsert = {SUPPORT_CARD_SEEN: 1} if isinstance(here, SupportCard) else {}
    return _effects(q, band, lang, answers, school, upsert=upsert, delete=(previous,))


def _change_language(
    q: Questionnaire,
    band: str,
    lang: Language,
    answers: dict[str, int | None],
    here: Screen,
    user_input: ChangeLanguage,
    school: SchoolContext,
) -> Transition:
    t = translator(lang.code)
    offered = ", ".join(f"{choice.code} ({choice.name})" for choice in enabled_languages())
    if user_input.code is None:
        example = next((x.code for x in enabled_languages() if x.code != lang.code), lang.code)
        message = t.ui("language_list", example=example, languages=offered)
        return Transition(step=Notice(lang.code, lang.rtl, message, here), answers=answers)
    new = language(user_input.code)
    if new is None:
        message = t.ui("language_unknown", languages=offered)
        return Transition(step=Notice(lang.code, lang.rtl, message, here), answers=answers)
    screen = _screen(q, band, new, answers, school)
    # The intro carries the draft note itself; elsewhere the switch says it once.
    note = () if isinstance(screen, Intro) else _draft_note(new)
    message = " ".join((translator(new.code).ui("language_changed"), *note))
    return Transition(
        step=Notice(new.code, new.rtl, message, screen),
        answers=answers,
        language=new.code,
        completed=isinstance(screen, Outro),
    )


def _draft_note(lang: Language) -> tuple[str, ...]:
    """For a draft translation: that it is new, and how to go on in the source language."""
    if not lang.draft:
        return ()
    source = languages()[0]
    return (translator(lang.code).ui("draft_language", code=source.code, name=source.name),)


def _effects(
    q: Questionnaire,
    band: str,
    lang: Language,
    answers: dict[str, int | None],
    school: SchoolContext,
    upsert: Mapping[str, int | None],
    delete: tuple[str, ...] = (),
) -> Transition:
    after = {key: value for key, value in answers.items() if key not in delete}
    after.update(upsert)
    # Answers to items that a changed answer has hidden are removed, so the stored answers
    # are always exactly what the pupil's current path asked.
    shown = {item.id for _, item in place(q, band, after).visible}
    stale = tuple(
        key
        for key in after
        if not key.startswith(PSEUDO_PREFIX) and key not in shown and q.item(key) is not None
    )
    for key in stale:
        del after[key]
    deleted = tuple(dict.fromkeys((*delete, *stale)))
    screen = _screen(q, band, lang, after, school)
    return Transition(
        step=screen,
        answers=after,
        upsert=dict(upsert),
        delete=tuple(key for key in deleted if key in answers),
        completed=isinstance(screen, Outro),
    )


def _screen(
    q: Questionnaire, band: str, lang: Language, answers: Answers, school: SchoolContext
) -> Screen:
    t = translator(lang.code)
    texts = Texts(q, band, t)
    where = place(q, band, answers)
    if not where.intro_seen:
        return Intro(
            language=lang.code,
            rtl=lang.rtl,
            title=texts.title("intro"),
            paragraphs=texts.paragraphs("intro", minutes=q.bands[band].minutes),
            start=Choice(START, 1, t.ui("start_label")),
            help=(t.ui("how_to_navigate"), t.ui("how_to_start"), *_draft_note(lang)),
        )
    if where.card_due:
        return _support_card(q, band, lang, texts, t, school)
    if where.finished:
        return Outro(
            language=lang.code,
            rtl=lang.rtl,
            title=texts.title("outro"),
            paragraphs=texts.paragraphs("outro"),
        )
    return _question(q, band, lang, texts, where.visible, where.position)


def _question(
    q: Questionnaire,
    band: str,
    lang: Language,
    texts: Texts,
    visible: tuple[tuple[Section, Item], ...],
    position: int,
) -> Question:
    t = texts.t
    pictures = q.bands[band].pictures
    section, item = visible[position]
    options = q.options(item, band)
    choices = tuple(
        Choice(
            option.id,
            number,
            texts.option(item.scale, option),
            option.picture if pictures else None,
        )
        for number, option in enumerate(options.options if options is not None else (), 1)
    )
    first_of_section = position == 0 or visible[position - 1][0] is not section
    number, total = position + 1, len(visible)
    prefer_picture = ui_messages().pictures.get(PREFER_NOT) if pictures else None
    return Question(
        language=lang.code,
        rtl=lang.rtl,
        item_id=item.id,
        section_id=section.id,
        section=texts.section_name(section),
        section_intro=texts.section_intro(section) if first_of_section else None,
        text=texts.item(item),
        options=choices,
        prefer_not=Choice(PREFER_NOT, len(choices) + 1, t.ui("prefer_not"), prefer_picture),
        progress=Progress(
            number=number,
            total=total,
            label=t.ui("progress", number=number, total=total),
            remaining=t.ui_plural("remaining", total - position),
        ),
        hint=t.ui("how_to_answer"),
        can_go_back=position > 0,
    )


def preview(
    q: Questionnaire, band: str, lang: str, school: SchoolContext = NO_SCHOOL
) -> list[tuple[Screen, Condition | None]]:
    """Every screen of a band in order, each with the condition that shows it (for staff).

    Questions are numbered as if every conditional item were shown; the support card comes
    last, with its condition, though pupils see it right after the answer that triggers it.
    """
    _check_band(q, band)
    chosen = _language(lang)
    t = translator(chosen.code)
    texts = Texts(q, band, t)
    visible = q.items_in_band(band)
    screens: list[tuple[Screen, Condition | None]] = [(_screen(q, band, chosen, {}, school), None)]
    for position, (_, item) in enumerate(visible):
        screens.append((_question(q, band, chosen, texts, visible, position), item.condition))
    card = _support_card(q, band, chosen, texts, t, school)
    screens.append((card, q.support_card.condition))
    outro = Outro(chosen.code, chosen.rtl, texts.title("outro"), texts.paragraphs("outro"))
    screens.append((outro, None))
    return screens


def _support_card(
    q: Questionnaire,
    band: str,
    lang: Language,
    texts: Texts,
    t: Translator,
    school: SchoolContext,
) -> SupportCard:
    contact = school.support_contact or texts.card("default_contact")
    helplines: list[HelplineView] = []
    for line in q.helplines:
        if line.id in school.hidden_helplines:
            continue
        name, text = texts.helpline(line)
        number = school.helpline_numbers.get(line.id, line.number)
        helplines.append(HelplineView(line.id, name, number, text))
    helplines.extend(school.extra_helplines)
    return SupportCard(
        language=lang.code,
        rtl=lang.rtl,
        title=texts.title("support_card"),
        paragraphs=texts.paragraphs("support_card"),
        contact=texts.card("contact_line", contact=contact),
        heading=t.ui("helplines_heading"),
        helplines=tuple(helplines),
        closing=texts.card("closing"),
        proceed=Choice(CONTINUE, 1, t.ui("continue_label")),
    )
