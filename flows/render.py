"""Steps as plain text, for text channels and the command line.

Chat channels with buttons render steps themselves; this is the fallback every channel can
use. Right-to-left steps get a right-to-left mark at the start of each line so terminals and
plain-text clients that honour it lay the line out correctly.
"""

from __future__ import annotations

from flows.conditions import describe
from flows.model import Condition, Questionnaire
from flows.steps import (
    Choice,
    CodeEntry,
    Intro,
    Notice,
    Paused,
    PupilStep,
    Question,
    Screen,
    SupportCard,
)

RLM = "\u200f"


def render(step: PupilStep) -> str:
    """The step as the text a pupil reads."""
    if isinstance(step, Notice):
        return "\n".join([_directed(step.message, step.rtl), "", render(step.then)])
    if isinstance(step, Paused):
        return _directed(step.message, step.rtl)
    if isinstance(step, CodeEntry):
        lines = [f"== {step.title} ==", "", step.welcome, "", *filter(None, [step.message])]
        return _directed("\n".join([*lines, step.prompt]), step.rtl)
    return _directed(_screen(step), step.rtl)


def _screen(screen: Screen) -> str:
    if isinstance(screen, Intro):
        lines = [f"== {screen.title} ==", "", *screen.paragraphs, "", *screen.help]
        return "\n".join([*lines, _choice(screen.start)])
    if isinstance(screen, Question):
        head = f"[{screen.section} · {screen.progress.label} · {screen.progress.remaining}]"
        lines = [head]
        if screen.section_intro:
            lines += [screen.section_intro]
        lines += ["", screen.text]
        lines += [_choice(choice) for choice in (*screen.options, screen.prefer_not)]
        lines += [screen.hint]
        return "\n".join(lines)
    if isinstance(screen, SupportCard):
        lines = [f"== {screen.title} ==", "", *screen.paragraphs, "", screen.heading]
        lines += [f"  • {screen.contact}"]
        lines += [f"  • {line.name}: {line.number}. {line.text}" for line in screen.helplines]
        lines += ["", screen.closing, _choice(screen.proceed)]
        return "\n".join(lines)
    return "\n".join([f"== {screen.title} ==", "", *screen.paragraphs])


def _choice(choice: Choice) -> str:
    picture = f"{choice.picture} " if choice.picture else ""
    return f"  {choice.number}. {picture}{choice.label}"


def _directed(text: str, rtl: bool) -> str:
    if not rtl:
        return text
    return "\n".join(f"{RLM}{line}" if line else line for line in text.splitlines())


def render_preview(q: Questionnaire, screens: list[tuple[Screen, Condition | None]]) -> str:
    """A whole band as pupils see it; conditional screens are marked with their condition."""
    parts: list[str] = []
    for screen, condition in screens:
        if condition is not None:
            parts.append(f"(shown only if {describe(q, condition)})")
        if isinstance(screen, Question):
            parts.append(f"<{screen.item_id}>")
        parts.append(render(screen))
        parts.append("")
    return "\n".join(parts)
