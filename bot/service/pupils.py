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
- :func:`answer`: one input: the response and its stored answers are read, the pure engine
  applies the input, the effects are written and completion is marked, such that two inputs
  of one pupil are applied one after the other, never mixed (how, per backend:
  :mod:`storage.repositories.places`). A round that closed or a questionnaire that changed
  since the round opened refuses input with a kind message.

The :class:`Pupil` handle names a response inside the process; channels keep it in memory at
most and never send it anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.service.context import Context
from bot.service.conversation import Conversation
from flows import check_version, code_entry
from flows.bands import age_band_for
from flows.i18n import translator
from flows.steps import CodeProblem, Input, Notice, PupilStep, SchoolContext
from storage import access_codes
from storage.records import AnswerChanges, RedemptionStatus, RespondentRecord, ResponsePlace
from storage.repositories import answers, places, respondents, throttle
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
            stored = await answers.of(session, found.respondent.id)
            conversation = _conversation(place, stored)
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
    return await answer_as(ctx, channel, user, None)


async def current(ctx: Context, pupil: Pupil) -> Turn:
    """Where the pupil is now (after a reload, say), without changing anything."""
    return await answer(ctx, pupil, None)


async def answer(ctx: Context, pupil: Pupil, user_input: Input | None) -> Turn:
    """Apply one input of the pupil (``None``: none, just look) and store its effects."""
    found = await places.change(
        ctx.database, _decide(ctx, user_input), respondent_id=pupil.respondent_id
    )
    if found is None:
        raise NotFound("this response no longer exists; start again with your code")
    return found[1]


async def answer_as(ctx: Context, channel: str, user: str, user_input: Input | None) -> Turn | None:
    """Apply one input (``None``: none, just look) to the response this chat identity is
    answering; ``None`` when it answers none.

    For channels that keep no handle between requests (the web chat), as :func:`answer`.
    """
    resume_key = ctx.keyring.resume_key(channel, user)
    found = await places.change(ctx.database, _decide(ctx, user_input), resume_key=resume_key)
    return None if found is None else found[1]


def _decide(ctx: Context, user_input: Input | None) -> places.Decide[Turn]:
    """The pupil's turn on a response as stored: refused kindly when it is finished, its
    round closed or its questionnaire changed; else ``user_input`` applied. Pure, so the
    storage layer may decide again when another input of the pupil came first."""
    today = ctx.today()

    def decide(place: ResponsePlace, stored: dict[str, int | None]) -> tuple[Changes, Turn]:
        found, round_ = place.respondent, place.round
        if found.completed_on is not None:
            return None, _refused(found.language, CodeProblem.FINISHED)
        if round_.status is not RoundStatus.OPEN:
            return None, _refused(found.language, CodeProblem.ROUND_CLOSED)
        try:
            conversation = _conversation(place, stored)
        except QuestionnaireError:
            return None, _refused(found.language, CodeProblem.NOT_AVAILABLE)
        if user_input is None:
            return None, _turn(found, conversation)
        move = conversation.apply(user_input)
        version, completed = round_.questionnaire_version, conversation.completed
        return _changes(conversation, today), Turn(move.step, Pupil(found.id), version, completed)

    return decide


Changes = AnswerChanges | None


def _changes(conversation: Conversation, today: date) -> Changes:
    """What the conversation changed since it was read (or last stored); None: nothing."""
    effects = conversation.effects()
    if effects.empty:
        return None
    return AnswerChanges(
        effects.upsert,
        effects.delete,
        effects.language,
        today if effects.completed else None,
    )


async def store(
    session: AsyncSession, ctx: Context, respondent_id: int, conversation: Conversation
) -> None:
    """Write what the conversation changed since it was read (or last stored), in a
    transaction that holds the response (a batch of synthetic pupils)."""
    changes = _changes(conversation, ctx.today())
    if changes is not None:
        await places.write(session, respondent_id, changes)
    conversation.mark_stored()


def _conversation(place: ResponsePlace, stored: dict[str, int | None]) -> Conversation:
    """The response's conversation, rebuilt from its stored answers."""
    found, round_, school = place.respondent, place.round, place.school
    questionnaire = check_version(round_.questionnaire_id, round_.questionnaire_version)
    context = SchoolContext(name=school.name, support_contact=school.support_contact)
    return Conversation(questionnaire, found.age_band, found.language, context, stored)


def _turn(found: RespondentRecord, conversation: Conversation) -> Turn:
    return Turn(
        conversation.screen(),
        Pupil(found.id),
        conversation.questionnaire.version,
        conversation.completed,
    )
