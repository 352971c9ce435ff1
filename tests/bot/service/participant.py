"""A pupil driven through the application layer, the way a channel drives one.

:class:`Pupil` types a code with :func:`bot.service.pupils.redeem` and then gives each input
with :func:`bot.service.pupils.answer`; :meth:`Pupil.run` follows a participant script of
(expected screen, input) pairs, and :meth:`Pupil.stored` reads back what the database holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.service import pupils
from bot.service.context import Context
from flows.steps import (
    CodeEntry,
    Input,
    Notice,
    Paused,
    PupilStep,
    Question,
    Screen,
    Text,
    screen_id,
)
from storage.repositories import answers

Script = Sequence[tuple[str, Input | str]]


def label(step: PupilStep) -> str:
    """What a script calls the screen the pupil sees: an item id, or the screen's kind."""
    if isinstance(step, Notice):
        step = step.then
    if isinstance(step, Paused):
        step = step.resume
    if isinstance(step, Question):
        return step.item_id
    return step.kind


def screen_of(step: PupilStep) -> Screen | None:
    if isinstance(step, Notice):
        return step.then
    if isinstance(step, Paused):
        return step.resume
    return None if isinstance(step, CodeEntry) else step


@dataclass
class Pupil:
    ctx: Context
    channel: str = "web"
    user: str = "device-1"
    language: str = "nl"
    turn: pupils.Turn | None = None
    seen: list[str] = field(default_factory=list)

    async def enter(self, code: str) -> pupils.Turn:
        self.turn = await pupils.redeem(self.ctx, code, self.channel, self.user, self.language)
        return self.turn

    @property
    def handle(self) -> pupils.Pupil:
        assert self.turn is not None and self.turn.pupil is not None, "no open response"
        return self.turn.pupil

    def here(self) -> str:
        assert self.turn is not None
        screen = screen_of(self.turn.step)
        assert screen is not None
        return screen_id(screen)

    async def do(self, user_input: Input | str) -> pupils.Turn:
        if isinstance(user_input, str):
            user_input = Text(user_input)
        handle = self.handle
        self.turn = await pupils.answer(self.ctx, handle, user_input)
        if self.turn.pupil is None:  # finished or refused: keep the handle for stored()
            self.turn = pupils.Turn(self.turn.step, handle, self.turn.version, True)
        return self.turn

    async def run(self, script: Script) -> Pupil:
        for expected, user_input in script:
            assert self.turn is not None
            here = label(self.turn.step)
            assert here == expected, f"expected {expected!r}, the pupil sees {here!r}"
            self.seen.append(here)
            await self.do(user_input)
        return self

    async def stored(self) -> dict[str, int | None]:
        async with self.ctx.database.transaction() as session:
            return await answers.of(session, self.handle.respondent_id)
