"""A client of the control API, for a test that runs the emulator as a separate process.

It mirrors the in-process :class:`SimulatedUser` where it can; messages come back as the
JSON the control API sends (``{"message_id", "text", "buttons", "edited", "raw"}``).
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from aiohttp import ClientSession, ClientTimeout


class ControlError(Exception):
    """The control API refused a request (no such user, no such button, a timeout...)."""


class ControlClient:
    """``async with ControlClient(base_url) as control: pupil = await control.user(1)``."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._session: ClientSession | None = None

    async def __aenter__(self) -> ControlClient:
        self._session = ClientSession(timeout=ClientTimeout(total=60))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()

    async def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        if self._session is None:
            raise RuntimeError("use ControlClient as an async context manager")
        url = f"{self.base_url}/_emulator/{path}"
        async with self._session.request(method, url, json=body) as response:
            if response.status != 200:
                raise ControlError(f"{method} {path}: {response.status} {await response.text()}")
            return await response.json()

    async def user(self, id: int, **profile: Any) -> RemoteUser:
        await self.request("POST", "users", {"id": id, **profile})
        return RemoteUser(self, id)

    async def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        path = f"calls?method={method}" if method else "calls"
        result: list[dict[str, Any]] = await self.request("GET", path)
        return result

    async def wait_for_call(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        """The ``count``-th call of ``method``, once the bot has made it."""
        body = {"method": method, "count": count, "timeout": timeout}
        result: dict[str, Any] = await self.request("POST", "wait_for_call", body)
        return result

    async def add_fault(self, **fault: Any) -> dict[str, Any]:
        """Fields of :class:`Fault`: method, chat_id, times, status, retry_after, kind."""
        result: dict[str, Any] = await self.request("POST", "faults", fault)
        return result

    async def clear_faults(self) -> None:
        await self.request("DELETE", "faults")

    async def set_rates(self, **limits: Any) -> None:
        await self.request("POST", "rates", limits)

    async def redeliver(self, update_id: int) -> None:
        await self.request("POST", "redeliver", {"update_id": update_id})

    async def state(self) -> dict[str, Any]:
        result: dict[str, Any] = await self.request("GET", "state")
        return result


class RemoteUser:
    """A simulated user living in the emulator process."""

    def __init__(self, control: ControlClient, id: int) -> None:
        self.control = control
        self.id = id

    async def _post(self, action: str, body: dict[str, Any] | None = None) -> Any:
        return await self.control.request("POST", f"users/{self.id}/{action}", body or {})

    async def send(self, text: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._post("send", {"text": text})
        return result

    async def press(self, message_id: int, button: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._post(
            "press", {"message_id": message_id, "button": button}
        )
        return result

    async def choose(self, text: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._post("choose", {"text": text})
        return result

    async def block_bot(self) -> None:
        await self._post("block")

    async def unblock_bot(self) -> None:
        await self._post("unblock")

    async def wait_for_reply(self, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
        result: dict[str, Any] = await self._post("wait_for_reply", {"timeout": timeout})
        return result

    async def wait_for_callback_answer(
        self,
        update: dict[str, Any],
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        """The bot's answer to the press that made ``update`` (what ``press`` returned)."""
        body = {"callback_query_id": update["callback_query"]["id"], "timeout": timeout}
        result: dict[str, Any] = await self._post("wait_for_callback_answer", body)
        return result

    async def messages(self, include_own: bool = False) -> list[dict[str, Any]]:
        query = "?include_own=true" if include_own else ""
        result: list[dict[str, Any]] = await self.control.request(
            "GET", f"users/{self.id}/messages{query}"
        )
        return result

    async def files(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self.control.request("GET", f"users/{self.id}/files")
        return result

    async def callback_answers(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self.control.request(
            "GET", f"users/{self.id}/callback_answers"
        )
        return result
