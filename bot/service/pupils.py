"""The pupil's side: enter a code, answer one step at a time, come back later.

Every function here is what a channel calls for a pupil; it returns a :class:`Turn` whose
``step`` the channel shows (a :mod:`flows.steps` type: the code step, a screen, a notice).

- :func:`redeem`: a typed code starts a response, or continues the one it started (on any
  device); wrong, used and closed-round codes get the code step again with a kind message;
  too many wrong codes from one chat identity (or, on the web, one client address) pause code
  entry (:data:`CODE_TRIES` per :data:`TRY_WINDOW`), and one code typed again and again
  (:data:`CODE_REDEEMS` per window: a shared or stolen slip) pauses that code; both counts
  live in the database, so the limits hold across restarts and workers.
- :func:`resume`: the chat identity's open response, found by its keyed pseudonym alone.
- :func:`answer`: one input, in one transaction: the response is locked (a row lock on
  PostgreSQL; SQLite has one writer at a time), its stored answers are read, the pure engine
  applies the input, the effects are written and completion is marked. Two inputs of one pupil
  are applied one after the other, never mixed. A round that closed or a questionnaire that
  changed since the round opened refuses input with a kind message.

The :class:`Pupil` handle names a response inside the process; channels keep it in memory at
most and never send it anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.service.context import Context
from bot.service.conversation import Conversation
from flows import check_version, code_entry
from flows.bands import age_band_for
from flows.i18n import translator
from flows.steps import CodeProblem, Input, Notice, PupilStep, SchoolContext
from storage import access_codes
from storage.records import RedemptionStatus, RespondentRecord, ResponsePlace
from storage.repositories import answers, respondents, throttle
from storage.values import RoundStatus, Sector
from veilig.errors import NotFound, QuestionnaireError

#: Wrong codes one chat identity may type per window before code entry pauses.
CODE_TRIES = 5
TRY_WINDOW = timedelta(minutes=10)
#: Times one valid code may start or continue its response per window (any device).
CODE_REDEEMS = 20


@dataclass(frozen=True, slots=True)
class Pupil:
    """An open response, as a channel holds it during a conversation."""

    respondent_id: int = field(repr=False)


@dataclass(frozen=True, slots=True)
class Turn:
    """What a pupil sees now, and whose response it is (``None`` at the code step)."""

    step: PupilStep
    pupil: Pupil | None = None
    version: str | None = None  # the questionnaire version buttons should carry
    completed: bool = False


def band_of(sector: Sector, grade: int) -> str:
    return age_band_for(sector.value, grade).value


def welcome(language: str) -> Turn:
    """The code step: welcome, and "type your code"."""
    return Turn(code_entry(language))


def _refused(language: str, problem: CodeProblem) -> Turn:
    return Turn(code_entry(language, problem))


async def redeem(
    ctx: Context,
    code: str,
    channel: str,
    user: str,
    language: str,
    client: str | None = None,
) -> Turn:
    """Start or continue a response with a typed code (see the module docstring).

    ``client`` names who wrong codes are counted against when the chat identity is cheap to
    replace (the web chat's session token is new on every visit): the client's address.
    """
    key = ctx.keyring.throttle_key(
        channel if client is None else f"{channel}-client", client or user
    )
    normalized = access_codes.normalize(code)
    code_key = None if normalized is None else ctx.keyring.throttle_key("code", normalized)
    try:
        async with ctx.database.transaction() as session:
            failed = await throttle.failures(session, key, ctx.now(), TRY_WINDOW)
            if failed >= CODE_TRIES:
                return _refused(language, CodeProblem.TOO_MANY_TRIES)
            if code_key is not None and (
                await throttle.fail(session, code_key, ctx.now(), TRY_WINDOW) > CODE_REDEEMS
            ):
                return _refused(language, CodeProblem.TOO_MANY_TRIES)
            found = await respondents.redeem(
                session,
                ctx.keyring,
                code,
                channel=channel,
                user_id=user,
                language=language,
                today=ctx.today(),
                band_of=band_of,
            )
            if found.respondent is None:
                problem = {
                    RedemptionStatus.UNKNOWN_CODE: CodeProblem.UNKNOWN_CODE,
                    RedemptionStatus.USED_CODE: CodeProblem.USED_CODE,
                }.get(found.status, CodeProblem.ROUND_CLOSED)
                if problem is not CodeProblem.ROUND_CLOSED:
                    await throttle.fail(session, key, ctx.now(), TRY_WINDOW)
                return _refused(language, problem)
            if failed:
                await throttle.forget(session, key)
            # The response is this transaction's: new, or locked when it was found by its code.
            assert found.round is not None and found.school is not None
            place = ResponsePlace(found.respondent, found.round, found.school)
            conversation = await _conversation(session, place)
            turn = _turn(found.respondent, conversation)
            if found.status is RedemptionStatus.RESUMED:
                message = translator(conversation.language).ui("welcome_back")
                screen = conversation.screen()
                step = Notice(screen.language, screen.rtl, message, screen)
                return Turn(step, turn.pupil, turn.version)
            return turn
    except QuestionnaireError:
        # The round's questionnaire changed since it opened: nothing was claimed or stored.
        return _refused(language, CodeProblem.NOT_AVAILABLE)


async def resume(ctx: Context, channel: str, user: str) -> Turn | None:
    """The open response this chat identity is answering, where the pupil is; or None."""
    async with ctx.database.transaction() as session:
        place = await respondents.locked_place(
            session, keyring=ctx.keyring, channel=channel, user_id=user
        )
        return None if place is None else await _open_turn(session, ctx, place, None)


async def current(ctx: Context, pupil: Pupil) -> Turn:
    """Where the pupil is now (after a reload, say), without changing anything."""
    async with ctx.database.transaction() as session:
        place = await respondents.locked_place(session, respondent_id=pupil.respondent_id)
        return await _open_turn(session, ctx, _gone(place), None)


async def answer(ctx: Context, pupil: Pupil, user_input: Input) -> Turn:
    """Apply one input of the pupil and store its effects, in one transaction."""
    async with ctx.database.transaction() as session:
        place = await respondents.locked_place(session, respondent_id=pupil.respondent_id)
        return await _open_turn(session, ctx, _gone(place), user_input)


async def answer_as(ctx: Context, channel: str, user: str, user_input: Input | None) -> Turn | None:
    """Apply one input (``None``: none, just look) to the response this chat identity is
    answering, found and locked in the same transaction; ``None`` when it answers none.

    For channels that keep no handle between requests (the web chat): one transaction per
    input, as with :func:`answer`.
    """
    async with ctx.database.transaction() as session:
        place = await respondents.locked_place(
            session, keyring=ctx.keyring, channel=channel, user_id=user
        )
        if place is None:
            return None
        return await _open_turn(session, ctx, place, user_input)


def _gone(place: ResponsePlace | None) -> ResponsePlace:
    if place is None:
        raise NotFound("this response no longer exists; start again with your code")
    return place


async def _open_turn(
    session: AsyncSession, ctx: Context, place: ResponsePlace, user_input: Input | None
) -> Turn:
    """The pupil's turn on a response locked in this transaction: refused kindly when it is
    finished, its round closed or its questionnaire changed; else ``user_input`` applied."""
    found, round_ = place.respondent, place.round
    if found.completed_on is not None:
        return _refused(found.language, CodeProblem.FINISHED)
    if round_.status is not RoundStatus.OPEN:
        return _refused(found.language, CodeProblem.ROUND_CLOSED)
    try:
        conversation = await _conversation(session, place)
    except QuestionnaireError:
        return _refused(found.language, CodeProblem.NOT_AVAILABLE)
    if user_input is None:
        return _turn(found, conversation)
    move = conversation.apply(user_input)
    await store(session, ctx, found.id, conversation)
    pupil = Pupil(found.id)
    return Turn(move.step, pupil, round_.questionnaire_version, conversation.completed)


async def store(
    session: AsyncSession, ctx: Context, respondent_id: int, conversation: Conversation
) -> None:
    """Write what the conversation changed since it was read (or last stored)."""
    effects = conversation.effects()
    if effects.delete:
        await answers.remove(session, respondent_id, effects.delete)
    await answers.upsert(session, respondent_id, effects.upsert)
    if effects.language:
        await respondents.set_language(session, respondent_id, effects.language)
    if effects.completed:
        await respondents.complete(session, respondent_id, ctx.today())
    conversation.mark_stored()


async def _conversation(session: AsyncSession, place: ResponsePlace) -> Conversation:
    """The response's conversation, rebuilt from its stored answers."""
    found, round_, school = place.respondent, place.round, place.school
    questionnaire = check_version(round_.questionnaire_id, round_.questionnaire_version)
    context = SchoolContext(name=school.name, support_contact=school.support_contact)
    stored = await answers.of(session, found.id)
    return Conversation(questionnaire, found.age_band, found.language, context, stored)


def _turn(found: RespondentRecord, conversation: Conversation) -> Turn:
    return Turn(
        conversation.screen(),
        Pupil(found.id),
        conversation.questionnaire.version,
        conversation.completed,
    )
