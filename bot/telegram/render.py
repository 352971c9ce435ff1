"""The engine's steps as Telegram messages: text plus an inline keyboard.

One question per message: the question's text, its progress, one button per option (with its
picture, where the band uses pictures), "I'd rather not say", and a row to go back, change
language or stop. Texts are sent as plain text (no parse mode), so nothing a translator
writes can break Telegram's markup. Right-to-left languages get a right-to-left mark at the
start of each line.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.telegram.keyboards import Erase, LanguageMenu, button, markup
from flows.i18n import enabled_languages, translator
from flows.steps import (
    Back,
    ChangeLanguage,
    Choice,
    Choose,
    CodeEntry,
    CodeProblem,
    Continue,
    Intro,
    Notice,
    Outro,
    Paused,
    PupilStep,
    Question,
    Screen,
    Stop,
    SupportCard,
    screen_id,
)

RLM = "\u200f"
#: Telegram's limit for a message's text.
MAX_TEXT = 4096


@dataclass(frozen=True, slots=True)
class Shown:
    """A message to send: its text and its buttons (None: no keyboard)."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


def shown(step: PupilStep) -> Shown:
    """The message for ``step``."""
    if isinstance(step, Notice):
        then = shown(step.then)
        return Shown(_directed(f"{step.message}\n\n{then.text}", step.rtl), then.keyboard)
    if isinstance(step, Paused):
        words = translator(step.language)
        keyboard = markup([[button(words.ui("continue_label"), Continue())]])
        return Shown(_directed(step.message, step.rtl), keyboard)
    if isinstance(step, CodeEntry):
        if step.problem is None or not step.message:
            lines = [step.title, "", step.welcome, "", step.prompt]
        elif step.problem in (CodeProblem.UNKNOWN_CODE, CodeProblem.USED_CODE):
            lines = [step.message, step.prompt]
        else:
            lines = [step.message]
        return Shown(_directed("\n".join(lines), step.rtl))
    return _screen(step)


def _screen(screen: Screen) -> Shown:
    words = translator(screen.language)
    if isinstance(screen, Intro):
        text = "\n".join([screen.title, "", *screen.paragraphs])
        start = Choose(screen_id(screen), screen.start.option_id)
        keyboard = markup(
            [
                [button(_label(screen.start), start)],
                [button("🌐 " + words.ui("language_label"), LanguageMenu())],
            ]
        )
        return Shown(_directed(text, screen.rtl), keyboard)
    if isinstance(screen, Question):
        return Shown(_directed(question_text(screen), screen.rtl), _question_keyboard(screen))
    if isinstance(screen, SupportCard):
        lines = [screen.title, "", *screen.paragraphs, "", screen.heading, f"• {screen.contact}"]
        lines += [f"• {line.name}: {line.number}. {line.text}" for line in screen.helplines]
        lines += ["", screen.closing]
        proceed = Choose(screen_id(screen), screen.proceed.option_id)
        keyboard = markup([[button(_label(screen.proceed), proceed)]])
        return Shown(_directed("\n".join(lines), screen.rtl), keyboard)
    assert isinstance(screen, Outro)
    return Shown(_directed("\n".join([screen.title, "", *screen.paragraphs]), screen.rtl))


def question_text(question: Question) -> str:
    """The question as its message shows it, without the buttons."""
    lines = [f"{question.progress.label} · {question.progress.remaining}"]
    if question.section_intro:
        lines += ["", question.section_intro]
    return "\n".join([*lines, "", question.text])


def answered(question: Question, option_id: str) -> Shown:
    """The question's message after the answer: the chosen answer shown, no keyboard."""
    chosen = next(
        (c for c in (*question.options, question.prefer_not) if c.option_id == option_id), None
    )
    text = question_text(question)
    if chosen is not None:
        your = translator(question.language).ui("your_answer", answer=_label(chosen))
        text = f"{text}\n\n✔ {your}"
    return Shown(_directed(text, question.rtl))


def _question_keyboard(question: Question) -> InlineKeyboardMarkup:
    words = translator(question.language)
    here = question.item_id
    rows: list[list[InlineKeyboardButton]] = [
        [button(_label(choice), Choose(here, choice.option_id))] for choice in question.options
    ]
    rows.append([button(_label(question.prefer_not), Choose(here, question.prefer_not.option_id))])
    navigation = []
    if question.can_go_back:
        navigation.append(button("◀ " + words.ui("back_label"), Back(here)))
    navigation.append(button("🌐 " + words.ui("language_label"), LanguageMenu()))
    navigation.append(button("⏸ " + words.ui("stop_label"), Stop()))
    rows.append(navigation)
    return markup(rows)


def language_menu(current: str) -> Shown:
    """The languages a pupil can choose, the current one marked."""
    words = translator(current)
    rows = [
        [button(("✓ " if lang.code == current else "") + lang.name, ChangeLanguage(lang.code))]
        for lang in enabled_languages()
    ]
    return Shown(words.ui("choose_language"), markup(rows))


def erase_offer(language: str) -> Shown:
    """At the end: erase this chat (a shared phone), or keep it."""
    words = translator(language)
    keyboard = markup(
        [
            [button(words.ui("delete_label"), Erase(True))],
            [button(words.ui("keep_label"), Erase(False))],
        ]
    )
    return Shown(words.ui("delete_offer"), keyboard)


def _label(choice: Choice) -> str:
    return f"{choice.picture} {choice.label}" if choice.picture else choice.label


def _directed(text: str, rtl: bool) -> str:
    text = text[:MAX_TEXT]
    if not rtl:
        return text
    return "\n".join(f"{RLM}{line}" if line else line for line in text.splitlines())
