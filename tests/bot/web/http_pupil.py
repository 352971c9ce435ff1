"""A pupil driven through the web chat's JSON API, as the page drives one.

:meth:`HttpPupil.run` follows the application layer's participant scripts: each scripted
input is first read the way the layer reads typed text (:func:`flows.matching.interpret` on
the screen the pupil sees), then sent as the button the page would send for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp.test_utils import TestClient

from flows import engine, load_questionnaire
from flows.i18n import translator
from flows.matching import interpret
from flows.steps import (
    Back,
    Choose,
    Continue,
    Input,
    PreferNotToSay,
    Start,
    Stop,
    Text,
)

Q = load_questionnaire()


def screen_of(view: dict[str, Any]) -> dict[str, Any]:
    step = view["step"]
    return step.get("then") or step.get("resume") or step


def label(view: dict[str, Any]) -> str:
    screen = screen_of(view)
    return screen["item_id"] if screen["kind"] == "question" else screen["kind"]


@dataclass
class HttpPupil:
    client: TestClient[object, object]
    language: str = "nl"
    view: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, int | None] = field(default_factory=dict)

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(path, json=body)
        assert response.status == 200, await response.text()
        self.view = await response.json()
        return self.view

    async def enter(self, code: str) -> dict[str, Any]:
        return await self.post("/api/code", {"code": code, "language": self.language})

    async def press(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self.post("/api/input", body)

    def action(self, user_input: Input | str) -> dict[str, Any] | None:
        """The button the page sends for a scripted input (None: there is no such button)."""
        screen = screen_of(self.view)
        here = screen["screen_id"]
        if isinstance(user_input, str):
            shown = engine.current_step(Q, "po", self.language, self.answers)
            meant = interpret(user_input, shown, translator(self.language))
            if meant is None or isinstance(meant, Text):
                return None
            user_input = meant
        version = self.view["version"]
        if isinstance(user_input, Choose):
            return {"action": "choose", "screen": here, "option": user_input.option_id,
                    "version": version}  # fmt: skip
        if isinstance(user_input, Start | Continue) and screen["kind"] == "intro":
            return {"action": "choose", "screen": here, "option": "start", "version": version}
        if isinstance(user_input, Continue) and screen["kind"] == "support_card":
            return {"action": "choose", "screen": here, "option": "continue", "version": version}
        if isinstance(user_input, PreferNotToSay):
            return {"action": "choose", "screen": here, "option": "prefer_not", "version": version}
        if isinstance(user_input, Back):
            return {"action": "back", "screen": here}
        if isinstance(user_input, Stop):
            return {"action": "stop"}
        return {"action": "continue"}

    async def run(self, script: Any) -> None:
        for expected, user_input in script:
            assert label(self.view) == expected, f"expected {expected}, sees {label(self.view)}"
            body = self.action(user_input)
            assert body is not None, f"no button for {user_input!r} on {expected}"
            before = screen_of(self.view)
            await self.press(body)
            self._follow(before, body)

    def _follow(self, before: dict[str, Any], body: dict[str, Any]) -> None:
        """Keep the answers so far (for reading typed text as the layer would)."""
        if body["action"] != "choose":
            return
        screen = before
        if screen["kind"] == "intro":
            self.answers["_intro"] = 1
        elif screen["kind"] == "support_card":
            self.answers["_support_card"] = 1
        elif screen["kind"] == "question":
            if body["option"] == "prefer_not":
                self.answers[screen["item_id"]] = None
            else:
                item = Q.item(screen["item_id"])
                assert item is not None
                options = Q.options(item, "po")
                assert options is not None
                option = options.by_id(body["option"])
                assert option is not None
                self.answers[screen["item_id"]] = option.code
