"""Participant scripts: a pupil's walk as (expected screen, input) pairs, run on the engine.

The expected screen is ``"intro"``, ``"support_card"``, ``"outro"`` or an item id; an input
given as a plain string is typed text. After each input the engine's next step must equal
what :func:`flows.engine.current_step` rebuilds from the stored answers alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from flows import engine
from flows.model import Questionnaire
from flows.steps import (
    INTRO_SEEN,
    Continue,
    Input,
    PreferNotToSay,
    Question,
    SchoolContext,
    Screen,
    Start,
    Text,
    Transition,
)

Script = Sequence[tuple[str, Input | str]]

# Written out by hand rather than read from the data, so a test notices when the data changes.
SAFETY_PO = (
    "safe_school",
    "safe_class",
    "safe_schoolyard",
    "safe_corridors",
    "safe_way",
    "safe_online",
)
WELLBEING_PO = ("likes_school", "at_ease_class", "has_friends", "belongs", "teacher_fair")
BULLYING_FORMS = (
    "bullied_verbal",
    "bullied_relational",
    "bullied_physical",
    "bullied_belongings",
    "bullied_threat",
    "bullied_online",
    "bullied_origin",
    "bullied_religion",
    "bullied_gender",
    "bullied_orientation",
    "bullied_disability",
    "bullied_sexual",
)
# Asked only of pupils at or above the bullied cut-off (``adult_helped`` needs more).
FOLLOW_UPS = ("bullied_where", "bullied_by", "told_staff", "told_parent", "told_friend")


# A PO pupil who is fine: no follow-ups, no support card.
FINE_PO: Script = [
    ("intro", Start()),
    *[(item, "1") for item in SAFETY_PO + WELLBEING_PO],  # 1 = "Ja" 😀
    ("bullied", "niet"),
    *[(item, "Niet") for item in BULLYING_FORMS],
    ("bullying_others", "1"),
    ("adults_act", "meestal wel"),
    ("gender", "meisje"),
]
FINE_PO_ANSWERS: Mapping[str, int | None] = {
    INTRO_SEEN: 1,
    **{item: 4 for item in SAFETY_PO + WELLBEING_PO},
    "bullied": 1,
    **{item: 1 for item in BULLYING_FORMS},
    "bullying_others": 1,
    "adults_act": 3,
    "gender": 2,
}
# A PO pupil bullied monthly: the support card once, the follow-ups; the last input ("5")
# is not an option number, which the pupil then corrects to "4" (rather not say).
BULLIED_PO: Script = [
    ("intro", "start"),
    *[(item, "2") for item in SAFETY_PO + WELLBEING_PO],
    ("bullied", "2 of 3 keer per maand"),
    ("support_card", Continue()),
    ("bullied_verbal", "5"),  # several times a week: the card is not shown again
    *[(item, "1") for item in BULLYING_FORMS[1:]],
    ("bullied_where", "op het schoolplein"),
    ("bullied_by", "1"),
    ("told_staff", "ja"),
    ("told_parent", "nee"),
    ("told_friend", PreferNotToSay()),
    ("adult_helped", "Ja, dat hielp"),
    ("bullying_others", "1"),
    ("adults_act", "3"),
    ("gender", "5"),  # 5 of 3 options + "rather not say" is not an option number
]


def label(screen: Screen) -> str:
    """The name a script uses for a screen."""
    return screen.item_id if isinstance(screen, Question) else screen.kind


@dataclass
class Walk:
    """The state of a scripted walk: answers as stored, language, what happened."""

    q: Questionnaire
    band: str
    lang: str = "nl"
    answers: dict[str, int | None] = field(default_factory=dict)
    school: SchoolContext = field(default_factory=SchoolContext)
    transitions: list[Transition] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)

    def screen(self) -> Screen:
        return engine.current_step(self.q, self.band, self.lang, self.answers, self.school)

    def do(self, user_input: Input | str) -> Transition:
        if isinstance(user_input, str):
            user_input = Text(user_input)
        move = engine.apply(self.q, self.band, self.lang, self.answers, user_input, self.school)
        # The effects turn the old answers into the new ones, and nothing else.
        rebuilt = {k: v for k, v in self.answers.items() if k not in move.delete}
        rebuilt.update(move.upsert)
        assert rebuilt == dict(move.answers)
        self.answers = dict(move.answers)
        self.lang = move.language or self.lang
        # State is the answers only: a restart rebuilds exactly the same screen.
        assert move.screen == self.screen()
        self.transitions.append(move)
        return move

    def run(self, script: Script) -> Walk:
        for expected, user_input in script:
            here = label(self.screen())
            assert here == expected, f"expected {expected!r}, the pupil sees {here!r}"
            self.seen.append(here)
            self.do(user_input)
        return self


def expect_answers(walk: Walk, expected: Mapping[str, int | None]) -> None:
    assert walk.answers == dict(expected)
