"""A local emulator of the Telegram Bot API HTTP server, for tests of the bot.

Telegram cannot be reached from tests, and mocking aiogram's session would skip the very layer
that breaks in production (encoding, error codes, retries). So the real aiogram ``Bot`` talks
HTTP to this server on 127.0.0.1, and tests play the person on the other side::

    async with Emulator() as emu:
        bot = emulator_bot(emu)  # from .aiogram_bot: Bot(emu.token, session=...base_url...)
        pupil = emu.user(id=1001, first_name="Sam", language_code="nl")
        await pupil.send_command("/start KLAS7")
        reply = await pupil.wait_for_reply()
        await pupil.press(reply, "Ja")

Or as a process for an end-to-end test: ``python -m tests.telegram.emulator --port 0
--token T`` prints ``listening on http://127.0.0.1:PORT``; ``EmulatorProcess`` (process.py)
starts it, and ``ControlClient`` (client.py) plays the users over the HTTP control API under
``/_emulator/`` (control.py lists the routes).

Supported methods (``/bot<token>/<method>``, names case-insensitive; query string, urlencoded,
multipart or JSON bodies): getMe, getUpdates (long polling with offset, limit, timeout,
allowed_updates), setWebhook, deleteWebhook, getWebhookInfo, sendMessage, editMessageText,
editMessageCaption, editMessageReplyMarkup, deleteMessage, deleteMessages,
answerCallbackQuery, sendDocument, sendPhoto, sendMediaGroup, sendChatAction, setMyCommands,
getMyCommands, deleteMyCommands, setMyDescription, getMyDescription, setMyShortDescription,
getMyShortDescription, setMyName, getMyName, getFile, logOut, close; file downloads at
``/file/bot<token>/<file_path>``. Any other method answers 404 and is listed in
``Emulator.unknown_methods``.

Known differences from the real Bot API:
- Private chats only: no groups, channels, forum topics, inline mode, payments or business
  connections; ``chat_id`` as ``@username`` is "chat not found".
- Parse modes HTML and MarkdownV2 are parsed into text and entities, and refused where
  Telegram refuses them, but error texts only approximate Telegram's; the legacy Markdown
  mode is kept as sent, unparsed and unchecked. Expandable blockquotes in MarkdownV2 and
  custom emoji links are not recognised.
- Text and caption limits count Python characters, not UTF-16 units; entity offsets do use
  UTF-16 units.
- Webhook URLs may be plain ``http://`` (loopback); no certificate checks, one delivery at a
  time whatever ``max_connections`` says, retried every ``webhook_retry_delay`` seconds.
- Photos must be PNG or JPEG to pass ("IMAGE_PROCESS_FAILED" otherwise); one PhotoSize is
  returned, not a set of thumbnails. File URLs given to sendDocument/sendPhoto are not fetched.
- No 48-hour limit on deleting messages; sending to a user who never wrote to the bot is 403
  ("bot can't initiate conversation with a user"), as on Telegram.
- Rate limits are measured (``Emulator.rates``, token buckets: 1/s per chat with bursts of 3,
  30/s per bot) and only enforced with ``enforce=True``; only send* methods count, edits and
  other calls do not. Telegram's real thresholds are undocumented beyond "about".
- ``getUpdates`` 409s an older pending long poll when a newer one arrives, as Telegram does.
"""

from .faults import Fault, Faults, RateMonitor, Violation
from .params import ApiError, Upload
from .server import Emulator
from .state import DEFAULT_TOKEN, Call
from .user import TINY_PNG, Button, ReceivedFile, ShownMessage, SimulatedUser

__all__ = [
    "DEFAULT_TOKEN",
    "TINY_PNG",
    "ApiError",
    "Button",
    "Call",
    "Emulator",
    "Fault",
    "Faults",
    "RateMonitor",
    "ReceivedFile",
    "ShownMessage",
    "SimulatedUser",
    "Upload",
    "Violation",
]
