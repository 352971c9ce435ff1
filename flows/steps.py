"""What the engine shows (steps), what a pupil can do (inputs) and what follows (transition).

Everything is a frozen dataclass with a ``kind`` tag, so channels can ``match`` on the type or
serialise by ``kind``. Texts in steps are already translated; ``rtl`` tells a channel to lay the
text out right-to-left.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

# Reserved pseudo-items, stored in the same answers mapping as real items (code 1). Analytics
# ignore every id that starts with "_".
INTRO_SEEN = "_intro"
SUPPORT_CARD_SEEN = "_support_card"
PSEUDO_PREFIX = "_"
# The name of the outro screen in inputs (never stored: completion is stored on the response).
OUTRO = "_outro"
# Option ids the engine adds itself.
PREFER_NOT = "prefer_not"
START = "start"
CONTINUE = "continue"

Answers = Mapping[str, int | None]


@dataclass(frozen=True, slots=True)
class Choice:
    """A button: ``number`` is what a pupil may type, ``option_id`` what a channel sends back."""

    option_id: str
    number: int
    label: str
    picture: str | None = None


@dataclass(frozen=True, slots=True)
class Progress:
    """``number`` of ``total`` visible questions; ``total`` grows when follow-ups appear."""

    number: int
    total: int
    label: str
    remaining: str


@dataclass(frozen=True, slots=True)
class HelplineView:
    """A place to get help as shown on the support card."""

    id: str
    name: str
    number: str
    text: str


@dataclass(frozen=True, slots=True)
class Shown:
    """What every step has: its language and whether that language reads right-to-left."""

    language: str
    rtl: bool


@dataclass(frozen=True, slots=True)
class Intro(Shown):
    """The first screen: what this is, that it is anonymous, how long it takes; ``start`` begins."""

    title: str
    paragraphs: tuple[str, ...]
    start: Choice
    help: tuple[str, ...]
    kind: Literal["intro"] = "intro"


@dataclass(frozen=True, slots=True)
class Question(Shown):
    """One question: its options with stable ids, "I'd rather not say", progress and section."""

    item_id: str
    section_id: str
    section: str
    section_intro: str | None  # set on the first question of a section only
    text: str
    options: tuple[Choice, ...]
    prefer_not: Choice
    progress: Progress
    hint: str
    can_go_back: bool
    kind: Literal["question"] = "question"


@dataclass(frozen=True, slots=True)
class SupportCard(Shown):
    """Where help is, shown once after a report of bullying, harm or feeling unsafe."""

    title: str
    paragraphs: tuple[str, ...]
    contact: str
    heading: str
    helplines: tuple[HelplineView, ...]
    closing: str
    proceed: Choice
    kind: Literal["support_card"] = "support_card"


@dataclass(frozen=True, slots=True)
class Outro(Shown):
    """The last screen: thanks, and where to talk if something is wrong."""

    title: str
    paragraphs: tuple[str, ...]
    kind: Literal["outro"] = "outro"


# The screens a pupil's answers lead to; ``current_step`` returns one of these.
Screen = Intro | Question | SupportCard | Outro


def screen_id(screen: Screen) -> str:
    """The name inputs use for ``screen``: its item id, or ``_intro``, ``_support_card``,
    ``_outro``."""
    if isinstance(screen, Question):
        return screen.item_id
    if isinstance(screen, Intro):
        return INTRO_SEEN
    if isinstance(screen, SupportCard):
        return SUPPORT_CARD_SEEN
    return OUTRO


@dataclass(frozen=True, slots=True)
class Notice(Shown):
    """A short message about the last input, then ``then`` shown again (or anew)."""

    message: str
    then: Screen
    kind: Literal["notice"] = "notice"


@dataclass(frozen=True, slots=True)
class Paused(Shown):
    """The pupil stopped; answers are kept and ``Continue`` (or any input) resumes."""

    message: str
    resume: Screen
    kind: Literal["paused"] = "paused"


class CodeProblem(StrEnum):
    """Why the code step is shown again; each has its own words in the catalogues."""

    UNKNOWN_CODE = "code_unknown"
    USED_CODE = "code_used"
    ROUND_CLOSED = "round_closed"
    TOO_MANY_TRIES = "too_many_tries"
    NOT_AVAILABLE = "not_available"
    FINISHED = "goodbye"


@dataclass(frozen=True, slots=True)
class CodeEntry(Shown):
    """Before the questionnaire: welcome and "type your code", with what went wrong, if
    anything (``problem``, ``message``), or the goodbye after a finished response."""

    title: str
    welcome: str
    prompt: str
    problem: CodeProblem | None
    message: str | None
    kind: Literal["code_entry"] = "code_entry"


# What the engine shows; a channel also shows the code step before it.
Step = Screen | Notice | Paused
PupilStep = Step | CodeEntry


@dataclass(frozen=True, slots=True)
class Choose:
    """A button pressed: ``option_id`` on the screen ``screen_id`` names.

    ``screen_id`` is the question's item id (``_intro`` with ``start`` on the intro,
    ``_support_card`` with ``continue`` on the card); ``version`` is the questionnaire version
    the button was made from, when the channel knows it. A button of another screen than the
    current one (an old keyboard, a double click, a stale tab) changes nothing: the pupil gets
    a short notice and the current screen again. Items of one scale share option ids, so
    without the name a second tap would answer the next question.
    """

    screen_id: str
    option_id: str
    version: str | None = None


@dataclass(frozen=True, slots=True)
class ChangeLanguage:
    """Switch to ``code``; ``None`` asks which languages there are."""

    code: str | None = None


@dataclass(frozen=True, slots=True)
class Text:
    """Anything typed; matched to an option or command where it clearly is one."""

    text: str


class Signal:
    """An input that carries nothing but what it is, like a button without a value.

    Signals hold no data and cannot be changed; two are equal when they are the same kind,
    as frozen dataclasses without fields would be.
    """

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class PreferNotToSay(Signal):
    """Answer "I'd rather not say" to the current question; stored as ``None``."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Back:
    """Change the previous answer: it is deleted, so that question is asked again.

    ``screen_id`` names the screen the button was on; a "back" from another screen than the
    current one (a double click) changes nothing. ``None`` (typed "terug") means: from here.
    """

    screen_id: str | None = None


class Stop(Signal):
    """Pause: nothing changes, and any later input continues where the pupil was."""

    __slots__ = ()


class Start(Signal):
    """Begin, from the intro."""

    __slots__ = ()


class Continue(Signal):
    """Go on, from the support card or after a pause."""

    __slots__ = ()


Input = Choose | PreferNotToSay | Back | Stop | ChangeLanguage | Text | Start | Continue


@dataclass(frozen=True, slots=True)
class SchoolContext:
    """What comes from the school record: its name, who pupils can talk to, helpline changes.

    ``helpline_numbers`` replaces the number of a helpline by id; ``hidden_helplines`` leaves
    some out; ``extra_helplines`` are the school's own, shown as given (not translated).
    """

    name: str = ""
    support_contact: str | None = None
    helpline_numbers: Mapping[str, str] = field(default_factory=dict)
    hidden_helplines: frozenset[str] = frozenset()
    extra_helplines: tuple[HelplineView, ...] = ()


@dataclass(frozen=True, slots=True)
class Transition:
    """The effects of one input, for the channel to persist, and the step to show next.

    ``upsert`` and ``delete`` turn the old answers into ``answers``; ``language`` is set when
    the pupil switched language; ``completed`` is true when the next screen is the outro.
    """

    step: Step
    answers: Mapping[str, int | None]
    upsert: Mapping[str, int | None] = field(default_factory=dict)
    delete: tuple[str, ...] = ()
    language: str | None = None
    paused: bool = False
    completed: bool = False

    @property
    def screen(self) -> Screen:
        """The screen underneath any notice or pause: where the pupil now is."""
        step = self.step
        if isinstance(step, Notice):
            return step.then
        if isinstance(step, Paused):
            return step.resume
        return step
