"""What the engine shows (steps), what a pupil can do (inputs) and what follows (transition).

Everything is a frozen dataclass with a ``kind`` tag, so channels can ``match`` on the type or
serialise by ``kind``. Texts in steps are already translated; ``rtl`` tells a channel to lay the
text out right-to-left.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

# Reserved pseudo-items, stored in the same answers mapping as real items (code 1). Analytics
# ignore every id that starts with "_".
INTRO_SEEN = "_intro"
SUPPORT_CARD_SEEN = "_support_card"
PSEUDO_PREFIX = "_"
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
class Intro:
    language: str
    rtl: bool
    title: str
    paragraphs: tuple[str, ...]
    start: Choice
    help: tuple[str, ...]
    kind: Literal["intro"] = "intro"


@dataclass(frozen=True, slots=True)
class Question:
    language: str
    rtl: bool
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
class SupportCard:
    language: str
    rtl: bool
    title: str
    paragraphs: tuple[str, ...]
    contact: str
    heading: str
    helplines: tuple[HelplineView, ...]
    closing: str
    proceed: Choice
    kind: Literal["support_card"] = "support_card"


@dataclass(frozen=True, slots=True)
class Outro:
    language: str
    rtl: bool
    title: str
    paragraphs: tuple[str, ...]
    kind: Literal["outro"] = "outro"


# The screens a pupil's answers lead to; ``current_step`` returns one of these.
Screen = Intro | Question | SupportCard | Outro


@dataclass(frozen=True, slots=True)
class Notice:
    """A short message about the last input, then ``then`` shown again (or anew)."""

    language: str
    rtl: bool
    message: str
    then: Screen
    kind: Literal["notice"] = "notice"


@dataclass(frozen=True, slots=True)
class Paused:
    """The pupil stopped; answers are kept and ``Continue`` (or any input) resumes."""

    language: str
    rtl: bool
    message: str
    resume: Screen
    kind: Literal["paused"] = "paused"


Step = Screen | Notice | Paused


@dataclass(frozen=True, slots=True)
class Choose:
    option_id: str


@dataclass(frozen=True, slots=True)
class PreferNotToSay:
    pass


@dataclass(frozen=True, slots=True)
class Back:
    pass


@dataclass(frozen=True, slots=True)
class Stop:
    pass


@dataclass(frozen=True, slots=True)
class ChangeLanguage:
    """Switch to ``code``; ``None`` asks which languages there are."""

    code: str | None = None


@dataclass(frozen=True, slots=True)
class Text:
    """Anything typed; matched to an option or command where it clearly is one."""

    text: str


@dataclass(frozen=True, slots=True)
class Start:
    pass


@dataclass(frozen=True, slots=True)
class Continue:
    pass


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
