"""The emulated Telegram world: the bot, the private chats, their messages and the update queue.

Kept free of HTTP so that the Bot API methods (``methods.py``), the simulated users
(``user.py``) and the control API (``control.py``) all change one model, and every change
wakes whoever waits for it (a long poll, ``wait_for_reply``).
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .params import Params, Upload

DEFAULT_TOKEN = "123456789:AAEmulatorTokenForTestsOnly-0123456789"
UPDATE_TYPES = (
    "message",
    "edited_message",
    "callback_query",
    "my_chat_member",
    "chat_member",
    "inline_query",
    "chosen_inline_result",
    "pre_checkout_query",
    "shipping_query",
    "poll",
    "poll_answer",
    "chat_join_request",
    "message_reaction",
    "message_reaction_count",
    "chat_boost",
    "removed_chat_boost",
    "channel_post",
    "edited_channel_post",
)
# Telegram leaves these out unless a bot asks for them by name in allowed_updates.
_OPT_IN_UPDATES = {"chat_member", "message_reaction", "message_reaction_count"}


class Signal:
    """Wakes every waiter on each change; waiters re-check their own condition."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(
        self,
        condition: Callable[[], bool],
        timeout: float,  # noqa: ASYNC109
    ) -> bool:
        """True once ``condition()`` holds, False when ``timeout`` seconds passed first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            event = self._event
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return condition()
        return True


@dataclass
class StoredFile:
    """A file in a chat, sent by the bot (uploaded bytes) or by a simulated user."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes | None
    file_name: str | None = None
    mime_type: str | None = None
    url: str | None = None

    @property
    def file_path(self) -> str:
        return f"{self.kind}s/{self.file_unique_id}"


@dataclass
class StoredMessage:
    """One message as the chat shows it now; ``data`` is the Bot API ``Message`` object."""

    data: dict[str, Any]
    from_bot: bool
    files: list[StoredFile] = field(default_factory=list)
    deleted: bool = False
    versions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def message_id(self) -> int:
        return int(self.data["message_id"])


@dataclass
class Profile:
    """A simulated Telegram user."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None

    def as_user(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if (value := getattr(self, key)) is not None:
                user[key] = value
        return user

    def as_chat(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        for key in ("last_name", "username"):
            if (value := getattr(self, key)) is not None:
                chat[key] = value
        return chat


@dataclass
class Chat:
    """A private chat between the bot and one user."""

    profile: Profile
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1
    reply_keyboard: dict[str, Any] | None = None
    started: bool = False
    blocked: bool = False
    actions: list[str] = field(default_factory=list)
    # Every message the bot sent, edited or deleted here, in order, so a waiter can tell
    # "something new since I last looked" by its position in this list.
    changed_message_ids: list[int] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.profile.id

    def new_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def visible(self, *, from_bot: bool | None = True) -> list[StoredMessage]:
        return [
            message
            for message in self.messages.values()
            if not message.deleted and (from_bot is None or message.from_bot == from_bot)
        ]


@dataclass(frozen=True)
class Call:
    """One request the bot made, with what the emulator answered."""

    method: str
    params: dict[str, Any]
    files: dict[str, Upload]
    status: int
    response: dict[str, Any]
    at: float

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        return self.response.get("result")

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None


@dataclass
class CallbackQuery:
    """A button press, and the bot's answer once it came."""

    id: str
    user_id: int
    message_id: int
    data: str
    answer: dict[str, Any] | None = None


@dataclass
class QueuedUpdate:
    update: dict[str, Any]
    redelivery: bool = False
    returned: bool = False

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])


@dataclass
class Webhook:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


class World:
    """Everything the emulated Bot API server knows, shared by the API and the test users."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "veilig_test_bot",
        bot_first_name: str = "Veilig",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.token = token
        self.clock = clock
        self.bot_user: dict[str, Any] = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.chats: dict[int, Chat] = {}
        self.files: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, CallbackQuery] = {}
        self.calls: list[Call] = []
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}
        self.webhook: Webhook | None = None
        self.webhook_history: list[dict[str, Any]] = []
        self.allowed_updates: list[str] | None = None
        self.queue: list[QueuedUpdate] = []
        self.delivered: list[dict[str, Any]] = []
        self.made: dict[int, dict[str, Any]] = {}
        self._update_ids = itertools.count(1)
        self._ids = itertools.count(1)
        self.updates_changed = Signal()
        self.chats_changed = Signal()

    def now(self) -> int:
        return int(self.clock())

    def next_id(self) -> int:
        """A counter for file and callback ids, unique within this emulator."""
        return next(self._ids)

    # Updates -----------------------------------------------------------------------------

    def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update_id = next(self._update_ids)
        update: dict[str, Any] = {"update_id": update_id, kind: payload}
        self.made[update_id] = update
        self.queue.append(QueuedUpdate(update))
        self.updates_changed.fire()
        return update

    def redeliver(self, update: dict[str, Any]) -> None:
        """Queue an update again with its old update_id, as after a lost confirmation."""
        self.queue.append(QueuedUpdate(update, redelivery=True))
        self.updates_changed.fire()

    def wanted(self, update: dict[str, Any], allowed: list[str] | None) -> bool:
        kind = next(key for key in update if key != "update_id")
        if not allowed:
            return kind not in _OPT_IN_UPDATES
        return kind in allowed

    def confirm(self, offset: int) -> None:
        """Forget updates below ``offset``; a redelivery only once it has been handed out."""
        if offset < 0:
            self.queue = self.queue[offset:]
            return
        self.queue = [
            entry
            for entry in self.queue
            if entry.update_id >= offset or (entry.redelivery and not entry.returned)
        ]

    def pending(self, allowed: list[str] | None) -> list[QueuedUpdate]:
        return [entry for entry in self.queue if self.wanted(entry.update, allowed)]

    def take(self, limit: int, allowed: list[str] | None) -> list[dict[str, Any]]:
        """The next updates to hand out; unwanted kinds are dropped as Telegram drops them."""
        self.queue = [entry for entry in self.queue if self.wanted(entry.update, allowed)]
        chosen = self.queue[:limit]
        for entry in chosen:
            entry.returned = True
        return [entry.update for entry in chosen]

    # Chats and files ---------------------------------------------------------------------

    def chat(self, chat_id: int) -> Chat | None:
        return self.chats.get(chat_id)

    def touch(self, chat: Chat, message_id: int | None = None) -> None:
        if message_id is not None:
            chat.changed_message_ids.append(message_id)
        self.chats_changed.fire()

    def store_file(
        self,
        kind: str,
        data: bytes | None,
        file_name: str | None = None,
        mime_type: str | None = None,
        url: str | None = None,
    ) -> StoredFile:
        number = self.next_id()
        digest = hashlib.sha256(data or (url or "").encode()).hexdigest()[:12]
        stored = StoredFile(
            file_id=f"{kind.upper()}-{number}-{digest}",
            file_unique_id=f"U{number}{digest[:6]}",
            kind=kind,
            data=data,
            file_name=file_name,
            mime_type=mime_type,
            url=url,
        )
        self.files[stored.file_id] = stored
        return stored


# A Bot API method over the world: its params in, the API's ``result`` out (or ApiError).
Method = Callable[[World, Params], Any]
