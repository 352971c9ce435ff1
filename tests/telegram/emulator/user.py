"""A simulated Telegram user: what a pupil or coordinator does in the chat, and what they see.

Tests are written as the person's script: ``await user.send_command("/start KLAS-7")``,
``reply = await user.wait_for_reply()``, ``await user.press(reply, "Ja")``. Each action puts the
update Telegram would make into the queue (for polling or webhook delivery) and returns it, so
the same update can also be fed to ``Dispatcher.feed_raw_update`` or delivered twice.

The waits take a ``timeout`` argument with a default (against ruff's ASYNC109 advice to use
``asyncio.timeout``): a forgotten wrapper must not hang the suite, and the timeout is part of
the error message that says what the chat showed instead.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .state import CallbackQuery, Chat, Profile, StoredMessage, World

# The smallest valid PNG (1x1), so that a sent photo passes the bot's own checks.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360f8cfc0f01f0005000201e2a8bd450000000049454e44ae426082"
)
_DEEP_LINK_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?")


@dataclass(frozen=True)
class Button:
    """One inline keyboard button as the user sees it."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class ReceivedFile:
    """A document or photo the bot sent, with the bytes it uploaded."""

    kind: str
    message_id: int
    file_id: str
    data: bytes | None
    file_name: str | None
    mime_type: str | None
    caption: str | None


@dataclass(frozen=True)
class ShownMessage:
    """A message as the chat shows it now (after edits); ``raw`` is the Bot API object."""

    message_id: int
    text: str | None
    buttons: tuple[tuple[Button, ...], ...]
    from_bot: bool
    edited: bool
    raw: dict[str, Any]

    @classmethod
    def of(cls, stored: StoredMessage) -> ShownMessage:
        data = stored.data
        rows = (data.get("reply_markup") or {}).get("inline_keyboard", [])
        buttons = tuple(
            tuple(Button(b["text"], b.get("callback_data"), b.get("url")) for b in row)
            for row in rows
        )
        return cls(
            message_id=stored.message_id,
            text=data.get("text", data.get("caption")),
            buttons=buttons,
            from_bot=stored.from_bot,
            edited="edit_date" in data,
            raw=data,
        )

    @property
    def button_texts(self) -> list[str]:
        return [button.text for row in self.buttons for button in row]

    def button(self, text_or_data: str) -> Button:
        """The button with this text or callback_data; a test error if there is none or two."""
        found = [
            button
            for row in self.buttons
            for button in row
            if text_or_data in (button.text, button.callback_data)
        ]
        if len(found) != 1:
            raise LookupError(
                f"{len(found)} buttons match {text_or_data!r} on message {self.message_id}; "
                f"it shows {self.button_texts}"
            )
        return found[0]


class SimulatedUser:
    """One person in a private chat with the bot."""

    def __init__(self, world: World, profile: Profile) -> None:
        self.world = world
        self.profile = profile
        world.chats[profile.id] = Chat(profile)
        self._seen = 0  # index into the chat's changed_message_ids

    @property
    def id(self) -> int:
        return self.profile.id

    @property
    def chat(self) -> Chat:
        return self.world.chats[self.profile.id]

    # Actions -----------------------------------------------------------------------------

    def _message(self, content: dict[str, Any]) -> dict[str, Any]:
        chat = self.chat
        chat.started = True
        data = {
            "message_id": chat.new_message_id(),
            "from": self.profile.as_user(),
            "chat": self.profile.as_chat(),
            "date": self.world.now(),
            **content,
        }
        chat.messages[data["message_id"]] = StoredMessage(data=data, from_bot=False)
        self._seen = len(chat.changed_message_ids)
        return self.world.push_update("message", copy.deepcopy(data))

    async def send(self, text: str) -> dict[str, Any]:
        """A text message; a leading ``/command`` gets its bot_command entity as Telegram adds."""
        content: dict[str, Any] = {"text": text}
        if match := _COMMAND.match(text):
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(match.group(0))}
            ]
        return self._message(content)

    async def send_command(self, command: str) -> dict[str, Any]:
        """``/start CODE`` and the like, as typed or as sent by a deep link."""
        if not _COMMAND.match(command):
            raise ValueError(f"{command!r} does not start with a /command")
        return await self.send(command)

    async def start(self, payload: str | None = None) -> dict[str, Any]:
        """Open the bot through ``https://t.me/<bot>?start=<payload>``."""
        if payload is None:
            return await self.send("/start")
        if not _DEEP_LINK_PAYLOAD.fullmatch(payload):
            raise ValueError("a deep-link payload is 1-64 characters of A-Z a-z 0-9 _ -")
        return await self.send(f"/start {payload}")

    async def edit(self, sent: dict[str, Any] | int, text: str) -> dict[str, Any]:
        """Edit one of the user's own text messages (an ``edited_message`` update).

        ``sent`` is the update that :meth:`send` returned, or the message id.
        """
        message_id = sent if isinstance(sent, int) else int(sent["message"]["message_id"])
        stored = self.chat.messages.get(message_id)
        if stored is None or stored.deleted or stored.from_bot or "text" not in stored.data:
            raise LookupError(f"message {message_id} is not a text message of this user's")
        stored.versions.append(copy.deepcopy(stored.data))
        stored.data.update(text=text, edit_date=self.world.now())
        stored.data.pop("entities", None)
        return self.world.push_update("edited_message", copy.deepcopy(stored.data))

    async def choose(self, text: str) -> dict[str, Any]:
        """Tap a button of the reply keyboard the bot has shown: sends its text."""
        if text not in (self.keyboard() or []):
            raise LookupError(
                f"no reply keyboard button {text!r}; the keyboard is {self.keyboard()}"
            )
        return await self.send(text)

    async def press(self, message: ShownMessage | int, button: str) -> dict[str, Any]:
        """Press an inline button (by text or callback_data) on a message the user can see."""
        message_id = message if isinstance(message, int) else message.message_id
        stored = self.chat.messages.get(message_id)
        if stored is None or stored.deleted:
            raise LookupError(f"message {message_id} is not in the chat (deleted or never sent)")
        target = ShownMessage.of(stored).button(button)
        if target.callback_data is None:
            raise LookupError(f"button {target.text!r} is not a callback button")
        query_id = str(self.world.next_id() * 1_000_003 + self.id)
        self.world.callback_queries[query_id] = CallbackQuery(
            query_id, self.id, message_id, target.callback_data
        )
        self._seen = len(self.chat.changed_message_ids)
        return self.world.push_update(
            "callback_query",
            {
                "id": query_id,
                "from": self.profile.as_user(),
                # A copy: the update shows the message as it was when pressed, edits or not.
                "message": copy.deepcopy(stored.data),
                "chat_instance": str(-(self.id * 7919 + self.world.bot_user["id"])),
                "data": target.callback_data,
            },
        )

    async def send_photo(
        self, data: bytes = TINY_PNG, caption: str | None = None
    ) -> dict[str, Any]:
        stored = self.world.store_file("photo", data, mime_type="image/png")
        content: dict[str, Any] = {
            "photo": [
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": 1,
                    "height": 1,
                    "file_size": len(data),
                }
            ]
        }
        if caption:
            content["caption"] = caption
        return self._message(content)

    async def send_sticker(self, emoji: str = "\N{THUMBS UP SIGN}") -> dict[str, Any]:
        stored = self.world.store_file(
            "sticker", b"RIFF\x00\x00\x00\x00WEBP", mime_type="image/webp"
        )
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._message({"sticker": sticker})

    async def send_voice(self, data: bytes = b"OggS\x00voice", duration: int = 2) -> dict[str, Any]:
        stored = self.world.store_file("voice", data, mime_type="audio/ogg")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(data),
        }
        return self._message({"voice": voice})

    async def send_document(self, data: bytes, file_name: str) -> dict[str, Any]:
        stored = self.world.store_file("document", data, file_name, "application/octet-stream")
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "file_size": len(data),
        }
        return self._message({"document": document})

    async def block_bot(self) -> dict[str, Any]:
        """Block the bot: sends then answer 403, and the bot gets a my_chat_member update."""
        self.chat.blocked = True
        return self._member_update("member", "kicked")

    async def unblock_bot(self) -> dict[str, Any]:
        self.chat.blocked = False
        return self._member_update("kicked", "member")

    def _member_update(self, old: str, new: str) -> dict[str, Any]:
        def member(status: str) -> dict[str, Any]:
            extra = {"until_date": 0} if status == "kicked" else {}
            return {"status": status, "user": self.world.bot_user, **extra}

        return self.world.push_update(
            "my_chat_member",
            {
                "chat": self.profile.as_chat(),
                "from": self.profile.as_user(),
                "date": self.world.now(),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )

    def redeliver(self, update: dict[str, Any]) -> None:
        """Deliver ``update`` again with the same update_id."""
        self.world.redeliver(update)

    # What the user sees ------------------------------------------------------------------

    def messages(self, *, include_own: bool = False) -> list[ShownMessage]:
        """The chat as it looks now: the bot's messages (and the user's own, if asked)."""
        return [
            ShownMessage.of(stored)
            for stored in self.chat.visible(from_bot=None if include_own else True)
        ]

    def last(self) -> ShownMessage | None:
        """The bot's newest message still in the chat."""
        shown = self.messages()
        return shown[-1] if shown else None

    def keyboard(self) -> list[str] | None:
        """The texts on the reply keyboard shown under the input field, if any."""
        markup = self.chat.reply_keyboard
        if markup is None:
            return None
        return [button["text"] for row in markup["keyboard"] for button in row]

    @property
    def callback_answers(self) -> list[dict[str, Any]]:
        """The bot's answers to this user's button presses (toasts and alerts), in order."""
        return [
            {"callback_query_id": query.id, **query.answer}
            for query in self.world.callback_queries.values()
            if query.user_id == self.id and query.answer is not None
        ]

    @property
    def actions(self) -> list[str]:
        """Chat actions ("typing", ...) the bot showed here."""
        return list(self.chat.actions)

    def files(self, kind: str | None = None) -> list[ReceivedFile]:
        """Documents and photos the bot sent that are still in the chat."""
        received = []
        for stored in self.chat.visible():
            for file in stored.files:
                if kind is None or file.kind == kind:
                    received.append(
                        ReceivedFile(
                            kind=file.kind,
                            message_id=stored.message_id,
                            file_id=file.file_id,
                            data=file.data,
                            file_name=file.file_name,
                            mime_type=file.mime_type,
                            caption=stored.data.get("caption"),
                        )
                    )
        return received

    def documents(self) -> list[ReceivedFile]:
        return self.files("document")

    def photos(self) -> list[ReceivedFile]:
        return self.files("photo")

    # Waiting -----------------------------------------------------------------------------

    def _new_bot_messages(self) -> list[StoredMessage]:
        """Bot messages changed since the cursor, the most recently changed first."""
        chat = self.chat
        ids = dict.fromkeys(reversed(chat.changed_message_ids[self._seen :]))
        return [
            chat.messages[message_id]
            for message_id in ids
            if not chat.messages[message_id].deleted and chat.messages[message_id].from_bot
        ]

    async def wait_for_reply(self, timeout: float = 5.0) -> ShownMessage:  # noqa: ASYNC109
        """The newest message the bot sent or edited here since the user's last action or wait.

        Returns at once when that already happened; raises ``TimeoutError`` (showing the chat)
        when nothing new came within ``timeout`` seconds.
        """
        if not await self.world.chats_changed.wait_until(
            lambda: bool(self._new_bot_messages()), timeout
        ):
            raise TimeoutError(
                f"the bot showed nothing new to user {self.id} within {timeout} s; "
                f"the chat shows {[m.text for m in self.messages()]}"
            )
        newest = self._new_bot_messages()[0]
        self._seen = len(self.chat.changed_message_ids)
        return ShownMessage.of(newest)

    async def wait_for(
        self,
        condition: Callable[[SimulatedUser], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> None:
        """Wait until ``condition(user)`` holds, for what ``wait_for_reply`` cannot express."""
        if not await self.world.chats_changed.wait_until(lambda: condition(self), timeout):
            raise TimeoutError(
                f"condition not met for user {self.id} within {timeout} s; "
                f"the chat shows {[m.text for m in self.messages()]}"
            )

    async def wait_for_callback_answer(
        self,
        update: dict[str, Any],
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        """The bot's answer to the button press that made ``update``."""
        query = self.world.callback_queries[update["callback_query"]["id"]]
        if not await self.world.chats_changed.wait_until(lambda: query.answer is not None, timeout):
            raise TimeoutError(f"callback query {query.id} was not answered within {timeout} s")
        assert query.answer is not None
        return {"callback_query_id": query.id, **query.answer}
