"""The Bot API methods the emulator knows, by their canonical names.

The methods that wait or talk to the network (``getUpdates`` and the webhook ones) live in
``server.py``; the rest are plain functions over the :class:`World`, in ``messages.py``,
``files.py`` and ``bot_settings.py``.
"""

from __future__ import annotations

from .bot_settings import (
    delete_my_commands,
    get_me,
    get_my_commands,
    get_my_description,
    get_my_name,
    get_my_short_description,
    set_my_commands,
    set_my_description,
    set_my_name,
    set_my_short_description,
)
from .files import get_file
from .messages import (
    answer_callback_query,
    delete_message,
    delete_messages,
    edit_message_caption,
    edit_message_reply_markup,
    edit_message_text,
    send_chat_action,
    send_document,
    send_media_group,
    send_message,
    send_photo,
)
from .state import Method

METHODS: dict[str, Method] = {
    "getMe": get_me,
    "sendMessage": send_message,
    "sendDocument": send_document,
    "sendPhoto": send_photo,
    "sendMediaGroup": send_media_group,
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "deleteMessages": delete_messages,
    "answerCallbackQuery": answer_callback_query,
    "sendChatAction": send_chat_action,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setMyDescription": set_my_description,
    "getMyDescription": get_my_description,
    "setMyShortDescription": set_my_short_description,
    "getMyShortDescription": get_my_short_description,
    "setMyName": set_my_name,
    "getMyName": get_my_name,
    "getFile": get_file,
}
# Sending these counts against Telegram's per-chat and per-bot message limits.
SENDING = {"sendMessage", "sendDocument", "sendPhoto", "sendMediaGroup"}
