"""Reading a Bot API request body into typed parameters, and the Bot API's error shape.

The Bot API accepts the same parameters as a query string, an urlencoded form, a multipart
form (the only way to upload files) or a JSON body. aiogram always sends a form in which every
non-string value is JSON-encoded (``chat_id=42``, ``reply_markup={...}``, ``show_alert=true``)
while strings go as they are, so a value's type is known only from the parameter's name: the
accessors on :class:`Params` decode by the type the caller asks for, as the real server does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, ClientResponse, MultipartReader, web

_JSON_PARAMETERS = {
    "allowed_updates",
    "caption_entities",
    "commands",
    "entities",
    "link_preview_options",
    "media",
    "message_ids",
    "reply_markup",
    "reply_parameters",
    "scope",
}
_INTEGER_PARAMETERS = {"chat_id", "message_id", "offset", "limit", "timeout", "cache_time"}


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart body: what the bot uploaded, kept byte for byte."""

    filename: str
    data: bytes
    content_type: str


class ApiError(Exception):
    """A Bot API failure, answered as ``{"ok": false, "error_code": ..., "description": ...}``.

    ``retry_after`` becomes ``parameters.retry_after``, which aiogram turns into
    ``TelegramRetryAfter``.
    """

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


@dataclass
class Params:
    """The parameters of one call; each accessor decodes a form string or takes a JSON value."""

    values: dict[str, Any] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def string(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            return value
        return json.dumps(value)

    def required_string(self, name: str) -> str:
        value = self.string(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise bad_request(f"invalid {name} specified")
        if isinstance(value, int):
            return value
        try:
            return int(str(value))
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def required_integer(self, name: str) -> int:
        value = self.integer(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def chat_id(self) -> int:
        """``chat_id`` may be ``@username`` for channels, which the emulator does not have."""
        value = self.values.get("chat_id")
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).lower() in ("true", "1")

    def decoded(self, name: str) -> Any:
        """A JSON-typed parameter (``reply_markup``, ``commands``, ``scope``...), or ``None``."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None

    def public(self) -> dict[str, Any]:
        """The parameters as a test wants to read them, whichever encoding the client used.

        JSON-typed and integer parameters are decoded by name, never by look: a ``text`` of
        ``"[1]"`` or ``"42"`` stays the string the pupil would read.
        """
        decoded: dict[str, Any] = {}
        for name, value in self.values.items():
            try:
                if name in _JSON_PARAMETERS and isinstance(value, str):
                    value = json.loads(value)
                elif name in _INTEGER_PARAMETERS and isinstance(value, str):
                    value = int(value)
            except ValueError:
                pass  # kept as sent; the method itself answers 400
            decoded[name] = value
        return decoded


async def read_multipart(reader: MultipartReader) -> Params:
    """Split a multipart body into plain fields and file parts (those with a file name)."""
    params = Params()
    while True:
        part = await reader.next()
        if part is None:
            return params
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        data = await part.read()
        if part.filename is not None:
            content_type = part.headers.get("Content-Type", "application/octet-stream")
            params.files[part.name] = Upload(part.filename, bytes(data), content_type)
        else:
            params.values[part.name] = data.decode(part.get_charset(default="utf-8"))


async def read_request(request: web.Request) -> Params:
    """Parameters from the query string and whichever body encoding the client chose."""
    params = Params(values=dict(request.query))
    if not request.can_read_body:
        return params
    content_type = request.content_type
    if content_type == "application/json":
        body = await request.json()
        if not isinstance(body, dict):
            raise bad_request("JSON object expected")
        params.values.update(body)
    elif content_type == "multipart/form-data":
        body_params = await read_multipart(await request.multipart())
        params.values.update(body_params.values)
        params.files.update(body_params.files)
    else:
        form = await request.post()
        params.values.update({key: value for key, value in form.items() if isinstance(value, str)})
    return params


async def read_response_method(response: ClientResponse) -> Params | None:
    """A webhook answer may carry a method call (aiogram answers so when not in background)."""
    if response.content_type == "multipart/form-data":
        params = await read_multipart(MultipartReader(response.headers, response.content))
        return params if params.has("method") else None
    body = await response.read()
    if response.content_type == "application/json" and body:
        decoded = json.loads(body)
        if isinstance(decoded, Mapping) and "method" in decoded:
            return Params(values=dict(decoded))
    return None
