"""Turning typed text into an input: an option number, an option's words, or a command.

Only clear matches count: the number shown beside an option, the option's whole label (case,
accents, punctuation and pictures aside), its picture, or the start of exactly one label.
Anything else is not guessed at; the engine answers it with a friendly re-prompt.
"""

from __future__ import annotations

import unicodedata

from flows.i18n import Translator, enabled_languages
from flows.steps import (
    Back,
    ChangeLanguage,
    Choice,
    Choose,
    Continue,
    Input,
    Intro,
    Outro,
    PreferNotToSay,
    Question,
    Screen,
    Start,
    Stop,
    SupportCard,
    screen_id,
)

MIN_PREFIX = 3


def normalise(text: str) -> str:
    """Lower case, no accents, no pictures or punctuation, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = []
    for char in decomposed:
        category = unicodedata.category(char)
        if category.startswith("M"):
            continue  # accents (combining marks)
        kept.append(char if category[0] in "LN" else " ")
    return " ".join("".join(kept).split())


def interpret(text: str, screen: Screen, t: Translator) -> Input | None:
    """The input ``text`` clearly means on ``screen``, or None when it is not clear."""
    words = normalise(text)
    if not words and not text.strip():
        return None
    command = _command(words, t)
    if command is not None:
        return command
    choices = _choices(screen)
    if not choices:
        return None
    picked = _pick(text, words, choices)
    if picked is None:
        return None
    if isinstance(screen, Intro):
        return Start()
    if isinstance(screen, SupportCard):
        return Continue()
    if isinstance(screen, Question) and picked.option_id == screen.prefer_not.option_id:
        return PreferNotToSay()
    return Choose(screen_id(screen), picked.option_id)


def _command(words: str, t: Translator) -> Input | None:
    if words in {normalise(word) for word in t.words("back_words")}:
        return Back()
    if words in {normalise(word) for word in t.words("stop_words")}:
        return Stop()
    if words in {normalise(word) for word in t.words("continue_words")}:
        return Continue()
    first, _, rest = words.partition(" ")
    if first in {normalise(word) for word in t.words("language_words")} | {"language"}:
        return ChangeLanguage(_language_code(rest) if rest else None)
    return None


def _language_code(text: str) -> str:
    """A code from what was typed: the code itself or the language's own name."""
    for lang in enabled_languages():
        if text in (lang.code, normalise(lang.name)):
            return lang.code
    return text


def _choices(screen: Screen) -> tuple[Choice, ...]:
    if isinstance(screen, Question):
        return (*screen.options, screen.prefer_not)
    if isinstance(screen, Intro):
        return (screen.start,)
    if isinstance(screen, SupportCard):
        return (screen.proceed,)
    if isinstance(screen, Outro):
        return ()
    return ()


def _pick(raw: str, words: str, choices: tuple[Choice, ...]) -> Choice | None:
    if words.isdecimal():
        number = int(words)  # int() reads any script's digits, e.g. Arabic-Indic
        return next((choice for choice in choices if choice.number == number), None)
    stripped = raw.strip()
    for choice in choices:
        if normalise(choice.label) == words or (choice.picture and choice.picture == stripped):
            return choice
    if len(words) >= MIN_PREFIX:
        starting = [choice for choice in choices if normalise(choice.label).startswith(words)]
        if len(starting) == 1:
            return starting[0]
    return None
