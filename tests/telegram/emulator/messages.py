"""Messages in a private chat: send, edit, delete, answer a button press, show "typing".

Each method takes the :class:`World` and the call's :class:`Params` and returns the
``result`` object of the real API, or raises :class:`ApiError` with the real API's code and
description. Everything is checked before anything changes, so a refused call leaves the
chat as it was.
"""

from __future__ import annotations

import re
from typing import Any

from .files import input_file, media_content
from .formatting import format_text
from .params import ApiError, Params, bad_request
from .state import Chat, StoredFile, StoredMessage, World

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
_TEXT_BUTTON = (
    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
)


# Chats ---------------------------------------------------------------------------------------


def _target_chat(world: World, params: Params) -> Chat:
    """The private chat a call addresses, refused as Telegram refuses it."""
    chat = world.chat(params.chat_id())
    if chat is None:
        raise bad_request("chat not found")
    if chat.blocked:
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    if not chat.started:
        raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
    return chat


def _stored_message(chat: Chat, message_id: int, missing: str) -> StoredMessage:
    message = chat.messages.get(message_id)
    if message is None or message.deleted:
        raise bad_request(missing)
    return message


# Markup and text -----------------------------------------------------------------------------


def _inline_keyboard(markup: dict[str, Any]) -> dict[str, Any]:
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'can\'t parse inline keyboard button: field "inline_keyboard" must be an Array'
        )
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise bad_request(_TEXT_BUTTON)
            actions = [key for key in button if key != "text"]
            if not actions:
                raise bad_request(_TEXT_BUTTON)
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                raise bad_request("BUTTON_DATA_INVALID")
            url = button.get("url")
            if url is not None and not re.match(r"(https?|tg)://", str(url)):
                raise bad_request("BUTTON_URL_INVALID")
    return {"inline_keyboard": rows}


def _reply_markup(params: Params) -> dict[str, Any] | None:
    """The inline keyboard to echo in the Message, after checking any markup as Telegram does.

    Reply keyboards are not part of the Message: :func:`_post` applies them to the chat once
    the message is in, so a refused message leaves the pupil's keyboard as it was.
    """
    markup = params.decoded("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        return _inline_keyboard(markup)
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
            raise bad_request("keyboard must be non-empty")
    return None


def _apply_reply_keyboard(chat: Chat, params: Params) -> None:
    markup = params.decoded("reply_markup")
    if not isinstance(markup, dict):
        return
    if "keyboard" in markup:
        rows = [
            [button if isinstance(button, dict) else {"text": str(button)} for button in row]
            for row in markup["keyboard"]
        ]
        chat.reply_keyboard = {**markup, "keyboard": rows}
    elif markup.get("remove_keyboard"):
        chat.reply_keyboard = None


def _formatted(params: Params, text: str, entities_name: str) -> tuple[str, list[dict[str, Any]]]:
    explicit = params.decoded(entities_name)
    if explicit:
        return text, list(explicit)
    return format_text(text, params.string("parse_mode"))


def _text_content(params: Params) -> dict[str, Any]:
    text, entities = _formatted(params, params.string("text") or "", "entities")
    if not text.strip():
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    content: dict[str, Any] = {"text": text}
    if entities:
        content["entities"] = entities
    return content


def _caption_content(params: Params, caption: str | None, parse_mode: str | None) -> dict[str, Any]:
    if not caption:
        return {}
    text, entities = format_text(caption, parse_mode)
    explicit = params.decoded("caption_entities")
    if explicit:
        entities = list(explicit)
    if len(text) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    content: dict[str, Any] = {"caption": text}
    if entities:
        content["caption_entities"] = entities
    return content


def _reply_to(chat: Chat, params: Params) -> dict[str, Any]:
    reference = params.decoded("reply_parameters") or {}
    message_id = reference.get("message_id") or params.integer("reply_to_message_id")
    if not message_id:
        return {}
    original = chat.messages.get(int(message_id))
    if original is None or original.deleted:
        if reference.get("allow_sending_without_reply") or params.flag(
            "allow_sending_without_reply"
        ):
            return {}
        raise bad_request("message to be replied not found")
    quoted = {key: value for key, value in original.data.items() if key != "reply_to_message"}
    return {"reply_to_message": quoted}


def _post(
    world: World,
    chat: Chat,
    params: Params,
    content: dict[str, Any],
    files: list[StoredFile] | None = None,
    markup: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Add a bot message to the chat and return it as the API's ``Message``."""
    reply_to = _reply_to(chat, params)  # may refuse: before a message id is taken
    data: dict[str, Any] = {
        "message_id": chat.new_message_id(),
        "from": world.bot_user,
        "chat": chat.profile.as_chat(),
        "date": world.now(),
        **reply_to,
        **content,
    }
    if markup is not None:
        data["reply_markup"] = markup
    if params.flag("protect_content"):
        data["has_protected_content"] = True
    chat.messages[data["message_id"]] = StoredMessage(data=data, from_bot=True, files=files or [])
    _apply_reply_keyboard(chat, params)
    world.touch(chat, data["message_id"])
    return data


def _send_media(world: World, params: Params, kind: str) -> dict[str, Any]:
    chat = _target_chat(world, params)
    stored = input_file(world, params, params.raw(kind), kind, kind)
    content = {
        **media_content(stored),
        **_caption_content(params, params.string("caption"), params.string("parse_mode")),
    }
    return _post(world, chat, params, content, [stored], _reply_markup(params))


# Methods -------------------------------------------------------------------------------------


def send_message(world: World, params: Params) -> Any:
    chat = _target_chat(world, params)
    content = _text_content(params)
    return _post(world, chat, params, content, markup=_reply_markup(params))


def send_document(world: World, params: Params) -> Any:
    return _send_media(world, params, "document")


def send_photo(world: World, params: Params) -> Any:
    return _send_media(world, params, "photo")


def send_media_group(world: World, params: Params) -> Any:
    chat = _target_chat(world, params)
    media = params.decoded("media")
    if not isinstance(media, list) or not 2 <= len(media) <= 10:
        raise bad_request("wrong number of messages in the media group: 2 to 10 expected")
    kinds = {item.get("type") for item in media if isinstance(item, dict)}
    if not kinds <= {"photo", "document"} or (len(kinds) != 1 and "document" in kinds):
        raise bad_request("MEDIA_GROUP_INVALID: documents can't be mixed with other media")
    group_id = str(world.next_id())
    sent = []
    for index, item in enumerate(media):
        stored = input_file(world, params, item.get("media"), item["type"], f"media #{index}")
        content = {
            "media_group_id": group_id,
            **media_content(stored),
            **_caption_content(Params(), item.get("caption"), item.get("parse_mode")),
        }
        sent.append(_post(world, chat, params, content, [stored]))
    return sent


def edit_message_text(world: World, params: Params) -> Any:
    if params.has("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = _target_chat(world, params)
    message = _stored_message(
        chat, params.required_integer("message_id"), "message to edit not found"
    )
    if not message.from_bot:
        raise bad_request("message can't be edited")
    if "text" not in message.data:
        raise bad_request("there is no text in the message to edit")
    content = _text_content(params)
    return _edit(world, chat, message, content, _reply_markup(params), ("text", "entities"))


def edit_message_caption(world: World, params: Params) -> Any:
    chat = _target_chat(world, params)
    message = _stored_message(
        chat, params.required_integer("message_id"), "message to edit not found"
    )
    if not message.from_bot:
        raise bad_request("message can't be edited")
    if "text" in message.data:
        raise bad_request("there is no caption in the message to edit")
    content = _caption_content(params, params.string("caption"), params.string("parse_mode"))
    keys = ("caption", "caption_entities")
    return _edit(world, chat, message, content, _reply_markup(params), keys)


def edit_message_reply_markup(world: World, params: Params) -> Any:
    if params.has("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = _target_chat(world, params)
    message = _stored_message(
        chat, params.required_integer("message_id"), "message to edit not found"
    )
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return _edit(world, chat, message, {}, _reply_markup(params), ())


def _edit(
    world: World,
    chat: Chat,
    message: StoredMessage,
    content: dict[str, Any],
    markup: dict[str, Any] | None,
    keys: tuple[str, ...],
) -> dict[str, Any]:
    """Replace ``keys`` and the inline keyboard; refuse an edit that changes nothing."""
    before = {key: message.data.get(key) for key in (*keys, "reply_markup")}
    after = {key: content.get(key) for key in keys} | {"reply_markup": markup}
    if before == after:
        raise bad_request(NOT_MODIFIED)
    message.versions.append(dict(message.data))
    for key, value in after.items():
        if value is None:
            message.data.pop(key, None)
        else:
            message.data[key] = value
    message.data["edit_date"] = world.now()
    world.touch(chat, message.message_id)
    return message.data


def delete_message(world: World, params: Params) -> Any:
    chat = _target_chat(world, params)
    message = _stored_message(
        chat, params.required_integer("message_id"), "message to delete not found"
    )
    message.deleted = True
    world.touch(chat, message.message_id)
    return True


def delete_messages(world: World, params: Params) -> Any:
    chat = _target_chat(world, params)
    ids = params.decoded("message_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad_request("message_ids must contain 1 to 100 identifiers")
    for message_id in ids:
        message = chat.messages.get(int(message_id))
        if message is not None and not message.deleted:
            message.deleted = True
            world.touch(chat, message.message_id)
    return True


def answer_callback_query(world: World, params: Params) -> Any:
    query = world.callback_queries.get(params.required_string("callback_query_id"))
    if query is None or query.answer is not None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.string("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answer = {
        "text": text,
        "show_alert": params.flag("show_alert"),
        "url": params.string("url"),
        "cache_time": params.integer("cache_time", 0),
    }
    chat = world.chat(query.user_id)
    if chat is not None:
        world.touch(chat)
    return True


def send_chat_action(world: World, params: Params) -> Any:
    chat = _target_chat(world, params)
    action = params.required_string("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat.actions.append(action)
    return True
