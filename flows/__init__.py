"""The questionnaire as data and the pure conversation engine; no I/O but its own data files.

Public entry points::

    from flows import load_questionnaire, age_band_for, current_step, apply
    q = load_questionnaire()                       # the pupil questionnaire, validated
    band = age_band_for("po", 6)                   # AgeBand.PO
    step = current_step(q, band, "nl", answers)    # answers: item id -> code | None
    move = apply(q, band, "nl", answers, Text("2"))  # effects to store + next step

See docs/questionnaire.md for the item table, coding and the state-from-answers scheme.
"""

from flows.bands import AgeBand, age_band_for, parse_band
from flows.engine import apply, current_step, preview
from flows.entry import code_entry
from flows.loader import (
    DEFAULT_QUESTIONNAIRE_ID,
    available_questionnaires,
    check_version,
    load_questionnaire,
    load_questionnaire_file,
)
from flows.model import Questionnaire
from flows.steps import (
    INTRO_SEEN,
    OUTRO,
    SUPPORT_CARD_SEEN,
    Back,
    ChangeLanguage,
    Choose,
    CodeEntry,
    CodeProblem,
    Continue,
    Input,
    Intro,
    Notice,
    Outro,
    Paused,
    PreferNotToSay,
    PupilStep,
    Question,
    SchoolContext,
    Screen,
    Start,
    Step,
    Stop,
    SupportCard,
    Text,
    Transition,
    screen_id,
)

__all__ = [
    "DEFAULT_QUESTIONNAIRE_ID",
    "INTRO_SEEN",
    "OUTRO",
    "SUPPORT_CARD_SEEN",
    "AgeBand",
    "Back",
    "ChangeLanguage",
    "Choose",
    "CodeEntry",
    "CodeProblem",
    "Continue",
    "Input",
    "Intro",
    "Notice",
    "Outro",
    "Paused",
    "PreferNotToSay",
    "PupilStep",
    "Question",
    "Questionnaire",
    "SchoolContext",
    "Screen",
    "Start",
    "Step",
    "Stop",
    "SupportCard",
    "Text",
    "Transition",
    "age_band_for",
    "apply",
    "available_questionnaires",
    "check_version",
    "code_entry",
    "current_step",
    "load_questionnaire",
    "load_questionnaire_file",
    "parse_band",
    "preview",
    "screen_id",
]
