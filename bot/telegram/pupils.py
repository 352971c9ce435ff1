"""The pupil's side of the bot: a code, one question per message, buttons that name the item.

Each handler reads the pupil's place from the service (:func:`bot.service.pupils.resume`, by
the keyed pseudonym of this chat), applies one input (:func:`bot.service.pupils.answer`, which
stores it) and only then sends what follows. No state is kept here: after a restart, on a
second worker or the next day the pupil continues at the right question.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, Message, User

from bot.service import pupils
from bot.service.context import Context
from bot.telegram import CHANNEL, staff
from bot.telegram.keyboards import ERASE, PUPIL_PREFIXES, Erase, LanguageMenu, unpack
from bot.telegram.render import Shown, answered, erase_offer, language_menu, shown
from flows.i18n import language, source_language, translator
from flows.steps import (
    Back,
    Choose,
    CodeEntry,
    Input,
    Notice,
    Paused,
    PupilStep,
    Question,
    Screen,
    Stop,
    Text,
    screen_id,
)

#: Typed text longer than this is no answer and no code: it is not passed on.
MAX_TYPED = 200
#: How far back the erase at the end reaches (message ids; Telegram skips ids it cannot erase).
ERASE_REACH = 300
ERASE_BATCH = 100  # deleteMessages takes at most 100 ids
#: Invites are 32 characters, codes 9 (11 with dashes): a longer payload is an invite.
INVITE_MIN_LENGTH = 20


def router() -> Router:
    """The pupil's handlers; a new router per dispatcher (aiogram attaches a router once)."""
    made = Router(name="pupils")
    made.message.register(on_start, CommandStart())
    made.message.register(on_stop, Command("stop", "stoppen"))
    made.message.register(on_language, Command("taal", "language"))
    made.message.register(on_text, F.text)
    made.message.register(on_other)
    made.callback_query.register(on_erase, F.data.startswith(ERASE))
    made.callback_query.register(on_press, F.data.startswith(PUPIL_PREFIXES))
    made.callback_query.register(on_unknown_press)
    return made


def client_language(user: User | None) -> str:
    """The Telegram client's language where the questionnaire has it, else Dutch."""
    code = ((user.language_code if user else None) or "")[:2]
    found = language(code) if code else None
    return found.code if found else source_language()


def _user(message: Message | CallbackQuery) -> str:
    assert message.from_user is not None  # private chats: every update has a sender
    return str(message.from_user.id)


async def send(bot: Bot, chat_id: int, message: Shown) -> None:
    await bot.send_message(chat_id, message.text, reply_markup=message.keyboard)


async def show(bot: Bot, chat_id: int, turn: pupils.Turn) -> None:
    """Send the turn's step; a new response chooses its language first; the end offers to
    erase the chat."""
    await send(bot, chat_id, shown(turn.step))
    if turn.completed:
        await send(bot, chat_id, erase_offer(turn.step.language))


def _screen(step: PupilStep) -> Screen | None:
    if isinstance(step, Notice):
        return step.then
    if isinstance(step, Paused):
        return step.resume
    return None if isinstance(step, CodeEntry) else step


async def on_start(message: Message, command: CommandObject, ctx: Context, bot: Bot) -> None:
    """``/start``, ``/start <code>`` (a deep link) or ``/start <invite>`` (staff)."""
    payload = (command.args or "").strip()
    if len(payload) >= INVITE_MIN_LENGTH:
        await staff.join(message, ctx, bot, payload)
        return
    if payload:
        await _redeem(message, ctx, bot, payload)
        return
    turn = await pupils.resume(ctx, CHANNEL, _user(message))
    if turn is not None and turn.pupil is not None:
        await show(bot, message.chat.id, turn)
        return
    if not await staff.greet(message, ctx):
        await _welcome(message, bot)


async def _welcome(message: Message, bot: Bot) -> None:
    """The code step: welcome, and "type your code"."""
    step = pupils.welcome(client_language(message.from_user)).step
    await send(bot, message.chat.id, shown(step))


async def _redeem(message: Message, ctx: Context, bot: Bot, code: str) -> None:
    lang = client_language(message.from_user)
    turn = await pupils.redeem(ctx, code, CHANNEL, _user(message), lang)
    if turn.pupil is not None and _screen(turn.step) is not None and turn.step.kind == "intro":
        await send(bot, message.chat.id, language_menu(turn.step.language))
        return
    await show(bot, message.chat.id, turn)


async def _apply(message: Message, ctx: Context, bot: Bot, user_input: Input) -> None:
    turn = await pupils.resume(ctx, CHANNEL, _user(message))
    if turn is None or turn.pupil is None:
        await send(
            bot, message.chat.id, shown(pupils.welcome(client_language(message.from_user)).step)
        )
        return
    await show(bot, message.chat.id, await pupils.answer(ctx, turn.pupil, user_input))


async def on_stop(message: Message, ctx: Context, bot: Bot) -> None:
    await _apply(message, ctx, bot, Stop())


async def on_language(message: Message, ctx: Context, bot: Bot) -> None:
    turn = await pupils.resume(ctx, CHANNEL, _user(message))
    current = turn.step.language if turn else client_language(message.from_user)
    await send(bot, message.chat.id, language_menu(current))


async def on_text(message: Message, ctx: Context, bot: Bot) -> None:
    """Typed text: an answer or command word while answering, else a code."""
    text = (message.text or "").strip()
    if len(text) > MAX_TYPED:
        await on_other(message, ctx, bot)
        return
    turn = await pupils.resume(ctx, CHANNEL, _user(message))
    if turn is None or turn.pupil is None:
        await _redeem(message, ctx, bot, text)
        return
    await show(bot, message.chat.id, await pupils.answer(ctx, turn.pupil, Text(text)))


async def on_other(message: Message, ctx: Context, bot: Bot) -> None:
    """Stickers, photos, voice, huge texts: a friendly re-prompt, nothing stored."""
    turn = await pupils.resume(ctx, CHANNEL, _user(message))
    screen = None if turn is None else _screen(turn.step)
    if screen is None:
        lang = client_language(message.from_user)
        words = translator(lang)
        await bot.send_message(
            message.chat.id, f"{words.ui('only_text')}\n\n{words.ui('code_prompt')}"
        )
        return
    note = Notice(screen.language, screen.rtl, translator(screen.language).ui("only_text"), screen)
    await send(bot, message.chat.id, shown(note))


async def on_press(query: CallbackQuery, ctx: Context, bot: Bot) -> None:
    """A pupil's button: applied when it belongs to the current screen, else a short answer."""
    pressed = unpack(query.data)
    turn = await pupils.resume(ctx, CHANNEL, _user(query))
    lang = turn.step.language if turn else client_language(query.from_user)
    words = translator(lang)
    if pressed is None or isinstance(pressed, Erase) or turn is None or turn.pupil is None:
        await query.answer(words.ui("stale_button"))
        return
    chat_id = query.from_user.id
    if isinstance(pressed, LanguageMenu):
        await query.answer()
        await send(bot, chat_id, language_menu(lang))
        return
    current = _screen(turn.step)
    if isinstance(pressed, Choose | Back) and (
        current is None or screen_id(current) != pressed.screen_id
    ):
        await query.answer(words.ui("stale_button"))
        return
    after = await pupils.answer(ctx, turn.pupil, pressed)  # stored before anything is sent
    await query.answer()
    await _settle(query, bot, current, pressed)
    await show(bot, chat_id, after)


async def _settle(query: CallbackQuery, bot: Bot, current: Screen | None, pressed: Input) -> None:
    """The pressed message after its input: the chosen answer shown, its keyboard gone."""
    message = query.message
    if not isinstance(message, Message):
        return  # too old to edit
    if isinstance(pressed, Choose) and isinstance(current, Question):
        done = answered(current, pressed.option_id)
        await bot.edit_message_text(
            text=done.text, chat_id=message.chat.id, message_id=message.message_id
        )
    elif message.reply_markup is not None:
        await bot.edit_message_reply_markup(
            chat_id=message.chat.id, message_id=message.message_id, reply_markup=None
        )


async def on_erase(query: CallbackQuery, bot: Bot) -> None:
    """At the end: erase this chat's messages (a shared phone), or keep them."""
    pressed = unpack(query.data)
    words = translator(client_language(query.from_user))
    message = query.message
    if not isinstance(pressed, Erase) or not isinstance(message, Message):
        await query.answer(words.ui("stale_button"))
        return
    if not pressed.erase:
        await query.answer(words.ui("kept"))
        await bot.edit_message_reply_markup(
            chat_id=message.chat.id, message_id=message.message_id, reply_markup=None
        )
        return
    last = message.message_id
    ids = list(range(max(1, last - ERASE_REACH), last + 1))
    for start in range(0, len(ids), ERASE_BATCH):
        await bot.delete_messages(message.chat.id, ids[start : start + ERASE_BATCH])
    await query.answer(words.ui("deleted"))


async def on_unknown_press(query: CallbackQuery) -> None:
    """A button this bot never made (a forged press): nothing changes."""
    await query.answer(translator(client_language(query.from_user)).ui("stale_button"))
