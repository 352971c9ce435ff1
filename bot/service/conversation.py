"""One pupil's conversation in memory: the engine applied to the stored answers.

The one conversation driver of veilig: a chat message, a web request, a synthetic pupil of
``veilig simulate`` and ``veilig questionnaire try`` all move a pupil on by
:meth:`Conversation.apply`. What the conversation changed is :meth:`Conversation.effects`:
the answers to write and to delete, the language and completion, which
:mod:`bot.service.pupils` stores (once per input for a chat, once per pupil for a batch; the
stored result is the same).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flows import engine
from flows.model import Questionnaire
from flows.steps import Input, SchoolContext, Screen, Transition


@dataclass(frozen=True, slots=True)
class Effects:
    """What to store: ``upsert`` and ``delete`` turn the stored answers into the current ones."""

    upsert: dict[str, int | None]
    delete: tuple[str, ...]
    language: str | None
    completed: bool

    @property
    def empty(self) -> bool:
        return not (self.upsert or self.delete or self.language or self.completed)


@dataclass
class Conversation:
    """A pupil's place: questionnaire, band, language, school and the answers so far."""

    questionnaire: Questionnaire
    band: str
    language: str
    school: SchoolContext
    answers: dict[str, int | None] = field(default_factory=dict)
    completed: bool = False
    _stored: dict[str, int | None] = field(default_factory=dict, repr=False)
    _stored_language: str = field(default="", repr=False)
    _stored_completed: bool = field(default=False, repr=False)

    def __post_init__(self) -> None:
        self.mark_stored()

    def screen(self) -> Screen:
        """Where the pupil is: rebuilt from the answers alone."""
        return engine.current_step(
            self.questionnaire, self.band, self.language, self.answers, self.school
        )

    def apply(self, user_input: Input) -> Transition:
        """Apply one input; the answers, language and completion follow the transition."""
        move = engine.apply(
            self.questionnaire, self.band, self.language, self.answers, user_input, self.school
        )
        self.answers = dict(move.answers)
        self.language = move.language or self.language
        self.completed = self.completed or move.completed
        return move

    def effects(self) -> Effects:
        """The difference between what is stored and what the conversation holds now."""
        upsert = {
            key: value
            for key, value in self.answers.items()
            if key not in self._stored or self._stored[key] != value
        }
        delete = tuple(key for key in self._stored if key not in self.answers)
        language = self.language if self.language != self._stored_language else None
        completed = self.completed and not self._stored_completed
        return Effects(upsert, delete, language, completed)

    def mark_stored(self) -> None:
        """The current state has been written (or was read from storage)."""
        self._stored = dict(self.answers)
        self._stored_language = self.language
        self._stored_completed = self.completed
