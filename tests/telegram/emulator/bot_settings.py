"""What the bot says about itself: getMe, command menus per scope and language, descriptions.

Commands are kept per (scope, language) exactly as set, because that is how Telegram keeps
them; :meth:`Emulator.visible_commands` then resolves which list a user's menu shows.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .params import Params, bad_request
from .state import Method, World

COMMAND_SCOPES = {
    "default",
    "all_private_chats",
    "all_group_chats",
    "all_chat_administrators",
    "chat",
    "chat_administrators",
    "chat_member",
}
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")


def get_me(world: World, params: Params) -> Any:
    return world.bot_user


def scope_key(scope: Any) -> str:
    """Commands are kept per scope and language, as the real server keeps them."""
    scope = scope or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in COMMAND_SCOPES:
        raise bad_request("BOT_COMMAND_SCOPE_INVALID")
    if scope["type"].startswith("chat") and "chat_id" not in scope:
        raise bad_request("chat_id is empty")
    normalised = {
        key: int(value) if key in ("chat_id", "user_id") else value for key, value in scope.items()
    }
    return json.dumps(normalised, sort_keys=True)


def set_my_commands(world: World, params: Params) -> Any:
    commands = params.decoded("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    for command in commands:
        name = str(command.get("command", "")).removeprefix("/")
        description = str(command.get("description", ""))
        if not _COMMAND.fullmatch(name) or not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_INVALID")
    key = (scope_key(params.decoded("scope")), params.string("language_code") or "")
    world.commands[key] = [
        {"command": str(c["command"]).removeprefix("/"), "description": str(c["description"])}
        for c in commands
    ]
    return True


def get_my_commands(world: World, params: Params) -> Any:
    key = (scope_key(params.decoded("scope")), params.string("language_code") or "")
    return world.commands.get(key, [])


def delete_my_commands(world: World, params: Params) -> Any:
    key = (scope_key(params.decoded("scope")), params.string("language_code") or "")
    world.commands.pop(key, None)
    return True


def _describe(field: str, limit: int) -> tuple[Method, Method]:
    def setter(world: World, params: Params) -> Any:
        value = params.string(field) or ""
        if len(value) > limit:
            raise bad_request(f"{field.upper()}_INVALID")
        key = (field, params.string("language_code") or "")
        if value:
            world.descriptions[key] = value
        else:
            world.descriptions.pop(key, None)
        return True

    def getter(world: World, params: Params) -> Any:
        language = params.string("language_code") or ""
        value = world.descriptions.get((field, language), world.descriptions.get((field, "")))
        if field == "name" and value is None:
            value = world.bot_user["first_name"]
        return {field: value or ""}

    return setter, getter


set_my_description, get_my_description = _describe("description", 512)
set_my_short_description, get_my_short_description = _describe("short_description", 120)
set_my_name, get_my_name = _describe("name", 64)
