"""JSON in and out: every field of a request checked strictly, steps sent as service views.

A request body is one JSON object with exactly the fields its route takes; anything else (an
unknown field, a wrong type, an overlong string, a language nobody offers) is a
:class:`BadRequest` before the service layer is called, so nothing is stored from it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from flows.i18n import language
from flows.steps import Back, ChangeLanguage, Choose, Continue, Input, Stop

MAX_BODY = 2048  # bytes; the largest honest request is well under 200
_NAME = re.compile(r"[a-z0-9_]{1,64}")
_VERSION = re.compile(r"[0-9a-f]{1,64}")
_CODE = re.compile(r"[A-Za-z0-9 -]{1,32}")


@dataclass(frozen=True, slots=True)
class BadRequest(Exception):
    """A request the API refuses: ``code`` for programs, ``message`` for people."""

    status: int
    code: str
    message: str

    def body(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "message": self.message}}


@dataclass(frozen=True, slots=True)
class CodeRequest:
    code: str
    language: str


def _object(raw: bytes, allowed: dict[str, set[str]]) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadRequest(400, "malformed_json", f"the body is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise BadRequest(400, "not_an_object", "the body must be one JSON object")
    unknown = sorted(set(data) - set().union(*allowed.values()))
    if unknown:
        raise BadRequest(400, "unknown_field", f"unknown field(s): {', '.join(unknown)}")
    return data


def _text(data: dict[str, Any], key: str, pattern: re.Pattern[str]) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise BadRequest(400, "invalid_field", f"field {key!r} must be a string")
    if not pattern.fullmatch(value):
        raise BadRequest(400, "invalid_field", f"field {key!r} has an invalid value")
    return value


def _language(data: dict[str, Any], key: str = "language") -> str:
    value = data.get(key)
    if not isinstance(value, str) or len(value) > 8 or language(value) is None:
        raise BadRequest(400, "invalid_field", f"field {key!r} must be an offered language code")
    return value.strip().casefold()


def _exactly(data: dict[str, Any], action: str, fields: set[str]) -> None:
    extra = sorted(set(data) - fields - {"action"})
    missing = sorted(fields - set(data) - {"version"})
    if extra or missing:
        wrong = ", ".join(
            [
                *(f"unexpected {name!r}" for name in extra),
                *(f"missing {name!r}" for name in missing),
            ]
        )
        raise BadRequest(400, "invalid_field", f"action {action!r}: {wrong}")


def parse_code(raw: bytes) -> CodeRequest:
    """``{"code": "K7Q-FM3-XAP", "language": "nl"}``."""
    data = _object(raw, {"code": {"code", "language"}})
    _exactly(data, "code", {"code", "language"})
    return CodeRequest(_text(data, "code", _CODE), _language(data))


ACTIONS: dict[str, set[str]] = {
    "choose": {"screen", "option", "version"},
    "back": {"screen"},
    "stop": set(),
    "continue": set(),
    "language": {"language"},
}


def parse_input(raw: bytes) -> Input:
    """``{"action": "choose", "screen": "safe_school", "option": "yes", "version": "…"}``,
    ``{"action": "back", "screen": …}``, ``{"action": "stop"}``, ``{"action": "continue"}``
    or ``{"action": "language", "language": "ar"}``."""
    data = _object(raw, {"action": {"action"}, **ACTIONS})
    action = data.get("action")
    if not isinstance(action, str) or action not in ACTIONS:
        raise BadRequest(
            400, "invalid_field", f"field 'action' must be one of {', '.join(sorted(ACTIONS))}"
        )
    _exactly(data, action, ACTIONS[action])
    if action == "choose":
        version = _text(data, "version", _VERSION) if "version" in data else None
        return Choose(_text(data, "screen", _NAME), _text(data, "option", _NAME), version)
    if action == "back":
        return Back(_text(data, "screen", _NAME))
    if action == "stop":
        return Stop()
    if action == "continue":
        return Continue()
    return ChangeLanguage(_language(data))


def parse_empty(raw: bytes) -> None:
    """A route that takes no fields: ``{}``."""
    _exactly(_object(raw, {"": set()}), "end", set())
