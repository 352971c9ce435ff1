"""Files: what the bot uploads (kept byte for byte), reuses by file_id, and downloads.

The real server re-encodes photos into several sizes; here a photo is one ``PhotoSize`` with
the width and height read from the PNG or JPEG header, and anything else is refused.
"""

from __future__ import annotations

import re
import struct
from typing import Any

from .params import ApiError, Params, Upload, bad_request
from .state import StoredFile, World

MAX_UPLOAD = 50 * 1024 * 1024


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG or JPEG, the formats a survey bot sends; None otherwise."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        index = 2
        while index + 9 < len(data):
            if data[index] != 0xFF:
                return None
            marker = data[index + 1]
            (length,) = struct.unpack(">H", data[index + 2 : index + 4])
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[index + 5 : index + 9])
                return int(width), int(height)
            index += 2 + length
    return None


def input_file(world: World, params: Params, value: Any, kind: str, field: str) -> StoredFile:
    """A file given by upload (``attach://name``), by an earlier file_id or by URL."""
    upload: Upload | None = None
    if value is None and field in params.files:
        upload = params.files[field]
    elif isinstance(value, str) and value.startswith("attach://"):
        upload = params.files.get(value.removeprefix("attach://"))
        if upload is None:
            raise bad_request(f"{field} attachment not found: {value}")
    elif isinstance(value, str) and value in world.files:
        return world.files[value]
    elif isinstance(value, str) and re.match(r"https?://", value):
        return world.store_file(kind, None, url=value)
    else:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if len(upload.data) > MAX_UPLOAD:
        raise ApiError(413, "Request Entity Too Large")
    if kind == "photo" and image_size(upload.data) is None:
        raise bad_request("IMAGE_PROCESS_FAILED")
    return world.store_file(kind, upload.data, upload.filename, upload.content_type)


def file_object(stored: StoredFile) -> dict[str, Any]:
    """The API object describing a file (Document, PhotoSize list, Sticker, Voice)."""
    base: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
    if stored.data is not None:
        base["file_size"] = len(stored.data)
    if stored.kind == "photo":
        width, height = image_size(stored.data or b"") or (0, 0)
        return {**base, "width": width, "height": height}
    if stored.file_name is not None:
        base["file_name"] = stored.file_name
    if stored.mime_type is not None and stored.kind != "sticker":
        base["mime_type"] = stored.mime_type
    return base


def media_content(stored: StoredFile) -> dict[str, Any]:
    if stored.kind == "photo":
        return {"photo": [file_object(stored)]}
    return {stored.kind: file_object(stored)}


def get_file(world: World, params: Params) -> Any:
    stored = world.files.get(params.required_string("file_id"))
    if stored is None:
        raise bad_request("invalid file_id")
    result: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
    if stored.data is not None:
        result |= {"file_size": len(stored.data), "file_path": stored.file_path}
    return result
