"""Steps as plain data: what a channel that speaks JSON (the web chat) sends a pupil.

:func:`turn_view` turns a :class:`~bot.service.pupils.Turn` into dicts, lists, strings,
numbers and booleans only, with every text already translated. Each screen carries its
``screen_id``, which the channel's buttons send back (:class:`flows.steps.Choose`), and the
questionnaire ``version``, so a stale or doubled tap never answers the next question. The
response's handle is never part of a view.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.service.pupils import Turn
from flows.steps import CodeEntry, Notice, Paused, PupilStep, Screen, screen_id

JsonValue = Any  # dict/list/str/int/float/bool/None, built from frozen dataclasses only


def _plain(value: object) -> JsonValue:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, str | int | float | bool) or value is None:
        return str(value) if isinstance(value, str) else value
    raise TypeError(f"a step holds a {type(value).__name__}, which has no JSON form")


def screen_view(screen: Screen) -> dict[str, JsonValue]:
    """A screen as plain data, with the ``screen_id`` its buttons name."""
    view: dict[str, JsonValue] = _plain(screen)
    view["screen_id"] = screen_id(screen)
    return view


def step_view(step: PupilStep) -> dict[str, JsonValue]:
    """Any step as plain data; a notice or pause holds the screen under it as a view too."""
    if isinstance(step, Notice):
        return {**_plain(step), "then": screen_view(step.then)}
    if isinstance(step, Paused):
        return {**_plain(step), "resume": screen_view(step.resume)}
    if isinstance(step, CodeEntry):
        return _plain(step)  # type: ignore[no-any-return]
    return screen_view(step)


def turn_view(turn: Turn) -> dict[str, JsonValue]:
    """What a pupil sees now, the version buttons carry, and whether the response is done."""
    return {
        "step": step_view(turn.step),
        "version": turn.version,
        "completed": turn.completed,
        "open": turn.pupil is not None,
    }
