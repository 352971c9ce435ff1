"""The coordinator's side of the bot: Dutch commands (English aliases), one use case each.

Every command finds the coordinator behind the chat (:func:`bot.service.coordinators.membership`)
and calls one use case with that actor; the use case checks the permission and records the
audit event. Someone who is no coordinator acts as a pupil actor, so a school named in the
command is refused by the same check. Errors are worded once, in ``app.py``'s error handler.
A coordinator of several schools names the school after the command (``/status 12AB00``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot.service import access, codes, consent, coordinators, groups, results, rounds
from bot.service.access import Action
from bot.service.actors import Actor
from bot.service.context import Context
from bot.service.records import IssuedCodes, SchoolCode
from bot.telegram import CHANNEL
from bot.telegram.keyboards import STAFF, markup, pack
from bot.telegram.texts import staff_text
from flows import DEFAULT_QUESTIONNAIRE_ID
from veilig.errors import AlreadyExists, InvalidInput, VeiligError

#: The coordinator's commands, Dutch first, with English aliases; shown in their chat only.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("klassen", "groups", "Groepen bekijken, toevoegen of wijzigen"),
    ("ronde_start", "round_open", "De ronde van dit schooljaar openen"),
    ("codes", "codes", "Codes voor een groep"),
    ("status", "status", "Respons per groep"),
    ("ronde_sluiten", "round_close", "De ronde sluiten"),
    ("rapport", "report", "Het schoolrapport"),
    ("toestemming", "consent", "Toestemming voor aanlevering aan de Inspectie"),
    ("aanlevering", "delivery", "Staat de school in de aanlevering?"),
    ("help", "help", "Wat kan ik hier doen?"),
)
MAX_TEXT = 4096


class Reply(VeiligError):
    """Stop handling and tell the person this (the error handler sends it)."""


@dataclass(frozen=True, slots=True)
class Staff:
    """Who sent the update: a coordinator with their schools, or anyone else (no schools)."""

    actor: Actor
    name: str
    schools: tuple[SchoolCode, ...]


async def staff_of(ctx: Context, user: int) -> Staff:
    found = await coordinators.membership(ctx, CHANNEL, str(user))
    if found is None:
        return Staff(Actor.pupil(), "", ())
    return Staff(
        Actor.coordinator(found.id, CHANNEL),
        found.display_name,
        tuple(school for school, _ in found.schools),
    )


def school_of(staff: Staff, words: Sequence[str], command: str) -> tuple[SchoolCode, list[str]]:
    """The school the command is about, and the remaining words.

    A school code as the first word is taken as given (the use case checks the permission);
    otherwise the coordinator's one school.
    """
    if words:
        try:
            return SchoolCode.parse(words[0]), list(words[1:])
        except InvalidInput:
            pass
    if not staff.schools:
        raise Reply(staff_text("not_staff"))
    if len(staff.schools) > 1:
        listed = ", ".join(str(school) for school in staff.schools)
        raise Reply(
            staff_text("which_school", schools=listed, command=command, example=staff.schools[0])
        )
    return staff.schools[0], list(words)


def router() -> Router:
    made = Router(name="staff")
    for dutch, english, _ in COMMANDS:
        made.message.register(HANDLERS[dutch], Command(dutch, english))
    made.callback_query.register(on_press, F.data.startswith(STAFF + ":"))
    return made


def command_list() -> list[BotCommand]:
    return [BotCommand(command=dutch, description=text) for dutch, _, text in COMMANDS]


# Joining and strangers ------------------------------------------------------------------


async def join(message: Message, ctx: Context, bot: Bot, token: str) -> None:
    """The staff member opened an invite: they become coordinator; their chat gets the menu."""
    assert message.from_user is not None
    try:
        joined = await coordinators.accept(
            ctx,
            token,
            CHANNEL,
            str(message.from_user.id),
            str(message.chat.id),
            message.from_user.full_name,
        )
    except VeiligError as error:
        raise Reply(staff_text("invite_invalid", detail=str(error))) from error
    await bot.set_my_commands(command_list(), scope=BotCommandScopeChat(chat_id=message.chat.id))
    schools = ", ".join(str(school) for school, _ in joined.schools)
    await message.answer(staff_text("joined", name=joined.display_name, schools=schools))


async def greet(message: Message, ctx: Context) -> bool:
    """``/start`` without a code or invite: a coordinator gets the help (True); anyone else
    is told what this bot is for (False), and the pupil's code step follows."""
    staff = await _staff(message, ctx)
    await message.answer(staff_text("help" if staff.schools else "stranger"))
    return bool(staff.schools)


# Commands -------------------------------------------------------------------------------


def _words(command: CommandObject | None) -> list[str]:
    return (command.args or "").split() if command else []


async def _staff(message: Message, ctx: Context) -> Staff:
    assert message.from_user is not None
    return await staff_of(ctx, message.from_user.id)


async def on_help(message: Message, ctx: Context) -> None:
    staff = await _staff(message, ctx)
    await message.answer(staff_text("help" if staff.schools else "not_staff"))


async def on_groups(message: Message, command: CommandObject, ctx: Context) -> None:
    """``/klassen``: the list with buttons; ``/klassen <name> <grade> <enrolled>`` adds or
    changes a group."""
    staff = await _staff(message, ctx)
    school, rest = school_of(staff, _words(command), "klassen")
    year = ctx.school_year()
    if rest:
        try:
            name, grade, enrolled = rest[0], int(rest[1]), int(rest[2])
        except (IndexError, ValueError):
            raise Reply(staff_text("group_bad")) from None
        if len(rest) > 3:
            raise Reply(staff_text("group_bad"))
        try:
            added = await groups.add_group(ctx, staff.actor, school, year, name, grade, enrolled)
            key = "group_added"
        except AlreadyExists:
            added = await groups.change_group(ctx, staff.actor, school, year, name, grade, enrolled)
            key = "group_changed"
        await message.answer(
            staff_text(key, name=added.name, grade=added.grade, enrolled=added.enrolled)
        )
        return
    listed = await groups.list_groups(ctx, staff.actor, school, year)
    lines = [staff_text("groups_title", school=school, year=year)]
    if not listed:
        lines = [staff_text("groups_none", year=year)]
    for group, count in listed:
        fields = {"name": group.name, "grade": group.grade, "enrolled": group.enrolled}
        if count is None:
            lines.append(staff_text("group_line_no_round", **fields))
        else:
            lines.append(staff_text("group_line", codes=count.issued, **fields))
    lines += ["", staff_text("groups_how")]
    rows = [[_button(staff_text("group_add_button"), "gadd", school)]]
    rows += [
        [_button(staff_text("group_change_button", name=group.name), "gchg", school, group.name)]
        for group, _ in listed
    ]
    await message.answer("\n".join(lines), reply_markup=markup(rows))


async def on_round_open(message: Message, command: CommandObject, ctx: Context) -> None:
    staff = await _staff(message, ctx)
    school, _ = school_of(staff, _words(command), "ronde_start")
    await access.check(ctx, staff.actor, school, Action.ROUND_OPEN)  # before asking to confirm
    await message.answer(
        staff_text("open_confirm", year=ctx.school_year(), school=school),
        reply_markup=_confirm("open", staff_text("yes_open"), school),
    )


async def on_round_close(message: Message, command: CommandObject, ctx: Context) -> None:
    staff = await _staff(message, ctx)
    school, _ = school_of(staff, _words(command), "ronde_sluiten")
    await access.check(ctx, staff.actor, school, Action.ROUND_CLOSE)
    await message.answer(
        staff_text("close_confirm", year=ctx.school_year(), school=school),
        reply_markup=_confirm("close", staff_text("yes_close"), school),
    )


async def on_codes(message: Message, command: CommandObject, ctx: Context) -> None:
    staff = await _staff(message, ctx)
    school, _ = school_of(staff, _words(command), "codes")
    await access.check(ctx, staff.actor, school, Action.CODES_ISSUE)
    listed = await groups.list_groups(ctx, staff.actor, school, ctx.school_year())
    if not listed:
        raise Reply(staff_text("codes_no_groups"))
    rows = [[_button(group.name, "codes", school, group.name)] for group, _ in listed]
    await message.answer(staff_text("codes_choose"), reply_markup=markup(rows))


async def on_status(message: Message, command: CommandObject, ctx: Context) -> None:
    staff = await _staff(message, ctx)
    school, _ = school_of(staff, _words(command), "status")
    year = ctx.school_year()
    report = await rounds.round_status(ctx, staff.actor, school, year)
    lines = [
        staff_text(
            "status_title",
            year=year,
            school=school,
            status=staff_text(f"round_{report.round.status.value}"),
            days=report.days_open,
        )
    ]
    for line in report.groups:
        if not line.answers:
            lines.append(staff_text("status_line_young", name=line.group.name))
            continue
        lines.append(
            staff_text(
                "status_line",
                name=line.group.name,
                completed=line.completed,
                enrolled=line.group.enrolled,
                started=line.started,
            )
        )
    lines.append(
        staff_text(
            "status_total",
            completed=report.completed,
            enrolled=report.enrolled,
            required=report.required,
            verdict=staff_text(f"verdict_{report.verdict}"),
        )
    )
    await message.answer("\n".join(lines))


async def on_report(message: Message, command: CommandObject, ctx: Context, bot: Bot) -> None:
    """The chat summary, the charts as photos and the PDF as a document."""
    staff = await _staff(message, ctx)
    school, _ = school_of(staff, _words(command), "rapport")
    year = ctx.school_year()
    await message.answer(staff_text("report_wait"))
    made = await results.school_report(ctx, staff.actor, school, year)  # off the event loop
    report = made.report
    for start in range(0, len(report.text), MAX_TEXT):
        await message.answer(report.text[start : start + MAX_TEXT])
    for name, png in report.charts.items():
        await bot.send_photo(message.chat.id, BufferedInputFile(png, f"{name}.png"))
    await bot.send_document(
        message.chat.id,
        BufferedInputFile(report.pdf, f"rapport-{school}-{year}.pdf"),
        caption=staff_text("report_caption", school=school, year=year),
    )


async def on_consent(message: Message, command: CommandObject, ctx: Context) -> None:
    staff = await _staff(message, ctx)
    school, _ = school_of(staff, _words(command), "toestemming")
    year = ctx.school_year()
    found = await consent.consent_of(ctx, staff.actor, school, year)
    if found is None:
        state = staff_text("consent_none", year=year)
    elif found.in_force:
        state = staff_text(
            "consent_given", year=year, by=found.given_by, at=f"{found.given_at:%d-%m-%Y}"
        )
    else:
        at = f"{found.withdrawn_at:%d-%m-%Y}" if found.withdrawn_at else ""
        state = staff_text("consent_withdrawn", year=year, by=found.withdrawn_by or "", at=at)
    in_force = found is not None and found.in_force
    verb, label = ("cwdr", "consent_withdraw") if in_force else ("cgive", "consent_give")
    await message.answer(
        f"{state}\n\n{staff_text('consent_explain')}",
        reply_markup=markup([[_button(staff_text(label), verb, school)]]),
    )


async def on_delivery(message: Message, command: CommandObject, ctx: Context) -> None:
    staff = await _staff(message, ctx)
    school, _ = school_of(staff, _words(command), "aanlevering")
    found = await consent.delivery_readiness(ctx, staff.actor, school, ctx.school_year())
    fields = {"school": school, "year": found.school_year, "deadline": f"{found.deadline:%d-%m-%Y}"}
    if found.ready:
        lines = [staff_text("delivery_ready", **fields)]
    else:
        lines = [staff_text("delivery_missing", **fields)]
        lines += [staff_text(f"missing_{missing}") for missing in found.missing]
    lines.append(staff_text("delivery_by_operator"))
    await message.answer("\n".join(lines))


HANDLERS: dict[str, Callable[..., Awaitable[None]]] = {
    "klassen": on_groups,
    "ronde_start": on_round_open,
    "codes": on_codes,
    "status": on_status,
    "ronde_sluiten": on_round_close,
    "rapport": on_report,
    "toestemming": on_consent,
    "aanlevering": on_delivery,
    "help": on_help,
}


# Buttons --------------------------------------------------------------------------------


def _button(text: str, verb: str, school: SchoolCode, argument: str = "") -> InlineKeyboardButton:
    parts = (STAFF, verb, str(school), argument) if argument else (STAFF, verb, str(school))
    return InlineKeyboardButton(text=text, callback_data=pack(*parts))


def _confirm(verb: str, yes: str, school: SchoolCode) -> InlineKeyboardMarkup:
    return markup([[_button(yes, verb, school)], [_button(staff_text("cancel"), "cancel", school)]])


async def on_press(query: CallbackQuery, ctx: Context, bot: Bot) -> None:
    """A coordinator's button: ``k:<verb>:<school>[:<argument>]``."""
    parts = (query.data or "").split(":", 3)
    if len(parts) < 3:
        raise Reply(staff_text("cancelled"))
    _, verb, code, *rest = parts
    argument = rest[0] if rest else ""
    school = SchoolCode.parse(code)
    staff = await staff_of(ctx, query.from_user.id)
    year = ctx.school_year()
    chat_id = query.from_user.id
    message = query.message if isinstance(query.message, Message) else None
    await query.answer()
    if message is not None:  # a button works once: its keyboard goes
        await bot.edit_message_reply_markup(
            chat_id=chat_id, message_id=message.message_id, reply_markup=None
        )
    if verb == "open":
        await rounds.open_round(ctx, staff.actor, school, year, DEFAULT_QUESTIONNAIRE_ID)
        await bot.send_message(chat_id, staff_text("opened", year=year))
    elif verb == "close":
        await rounds.close_round(ctx, staff.actor, school, year)
        await bot.send_message(chat_id, staff_text("closed", year=year))
    elif verb == "codes":
        await _issue(ctx, bot, staff, chat_id, school, year, argument)
    elif verb in ("cgive", "cwdr"):
        by = f"{query.from_user.full_name} (coördinator, Telegram)"
        change = consent.give_consent if verb == "cgive" else consent.withdraw_consent
        await change(ctx, staff.actor, school, year, by)
        key = "consent_done_give" if verb == "cgive" else "consent_done_withdraw"
        await bot.send_message(chat_id, staff_text(key, by=by))
    elif verb == "gadd":
        await bot.send_message(chat_id, staff_text("group_add_how"))
    elif verb == "gchg":
        await bot.send_message(chat_id, staff_text("group_change_how", name=argument))
    else:
        await bot.send_message(chat_id, staff_text("cancelled"))


async def _issue(
    ctx: Context, bot: Bot, staff: Staff, chat_id: int, school: SchoolCode, year: str, group: str
) -> None:
    """New codes for ``group``, sent as a CSV document inside the use case's transaction: if
    the send fails, no code is stored."""
    me = await bot.me()
    username = ctx.settings.telegram_bot_username or me.username or ""

    async def keep(issued: IssuedCodes) -> None:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["groep", "code", "telegram"])
        for code in issued.codes:
            link = f"https://t.me/{username}?start={code}" if username else ""
            writer.writerow([issued.group.name, code, link])
        caption = staff_text(
            "codes_caption",
            count=len(issued.codes),
            group=issued.group.name,
            total=issued.total.issued,
        )
        await bot.send_document(
            chat_id,
            BufferedInputFile(out.getvalue().encode(), f"codes-{school}-{issued.group.name}.csv"),
            caption=caption,
        )

    await codes.issue_codes(ctx, staff.actor, school, year, group, keep)
