"""Inline buttons and their ``callback_data``: what a pressed button means, and nothing else.

Every pupil button names the screen it belongs to (``a:<item_id>:<option_id>``), so a stale or
doubled tap is recognised and changes nothing. Telegram allows 64 bytes of callback data;
:func:`pack` refuses more, and :func:`unpack` returns ``None`` for anything it did not make
(an old keyboard of another version, a forged press).
"""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from flows.steps import Back, ChangeLanguage, Choose, Continue, Input, Stop
from veilig.errors import InvalidInput

MAX_CALLBACK_DATA = 64
SEP = ":"

# Prefixes of the pupil's buttons.
ANSWER = "a"
BACK = "b"
STOP = "s"
CONTINUE = "c"
LANGUAGE = "l"  # "l" alone: show the languages; "l:<code>": switch to one
ERASE = "x"  # after the end: "x:yes" erases the chat, "x:no" keeps it
PUPIL_PREFIXES = (ANSWER, BACK, STOP, CONTINUE, LANGUAGE)

# Prefixes of the coordinator's buttons.
STAFF = "k"  # k:<verb>[:<argument>]


@dataclass(frozen=True, slots=True)
class LanguageMenu:
    """The pupil asked to see the languages (not an engine input: the chat shows a menu)."""


@dataclass(frozen=True, slots=True)
class Erase:
    """The pupil's answer to the offer to erase the chat at the end."""

    erase: bool


Pressed = Input | LanguageMenu | Erase


def pack(*parts: str) -> str:
    """``callback_data`` of ``parts``; refuses data Telegram would refuse."""
    data = SEP.join(parts)
    if len(data.encode()) > MAX_CALLBACK_DATA:
        raise InvalidInput(f"callback data {data!r} is longer than {MAX_CALLBACK_DATA} bytes")
    return data


def data_of(pressed: Pressed) -> str:
    """The ``callback_data`` of a pupil's button."""
    match pressed:
        case Choose(screen, option, _):
            return pack(ANSWER, screen, option)
        case Back(screen):
            return pack(BACK, screen or "")
        case Stop():
            return STOP
        case Continue():
            return CONTINUE
        case ChangeLanguage(code):
            return pack(LANGUAGE, code) if code else LANGUAGE
        case LanguageMenu():
            return LANGUAGE
        case Erase(erase):
            return pack(ERASE, "yes" if erase else "no")
    raise InvalidInput(f"{pressed!r} has no button")


def unpack(data: str | None) -> Pressed | None:
    """What a pressed button means; ``None`` for data this bot never made."""
    if not data:
        return None
    kind, *rest = data.split(SEP)
    if kind == ANSWER and len(rest) == 2 and all(rest):
        return Choose(rest[0], rest[1])
    if kind == BACK and len(rest) == 1 and rest[0]:
        return Back(rest[0])
    if kind == STOP and not rest:
        return Stop()
    if kind == CONTINUE and not rest:
        return Continue()
    if kind == LANGUAGE and not rest:
        return LanguageMenu()
    if kind == LANGUAGE and len(rest) == 1 and rest[0]:
        return ChangeLanguage(rest[0])
    if kind == ERASE and rest in (["yes"], ["no"]):
        return Erase(rest == ["yes"])
    return None


def button(text: str, pressed: Pressed) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data_of(pressed))


def staff_button(text: str, verb: str, argument: str = "") -> InlineKeyboardButton:
    data = pack(STAFF, verb, argument) if argument else pack(STAFF, verb)
    return InlineKeyboardButton(text=text, callback_data=data)


def unpack_staff(data: str | None) -> tuple[str, str] | None:
    """``(verb, argument)`` of a coordinator's button, or None."""
    if not data:
        return None
    kind, _, rest = data.partition(SEP)
    if kind != STAFF or not rest:
        return None
    verb, _, argument = rest.partition(SEP)
    return verb, argument


def markup(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[row for row in rows if row])
