"""Failures on demand, and a check that the bot keeps to Telegram's sending limits.

A bot that only ever met a healthy server has never run its retry path. A :class:`Fault`
makes matching calls answer 429 with ``retry_after``, a 5xx, or drop the connection; the
:class:`RateMonitor` counts messages per chat and per bot in a sliding window and records each
call over the limit, so a test can assert there were none (or, with ``enforce``, get 429s the
way the real server answers a flood).
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from .params import ApiError

FaultKind = Literal["error", "drop"]


@dataclass
class Fault:
    """Answer the next ``times`` matching calls (every call if ``None``) with a failure.

    ``method`` and ``chat_id`` narrow what matches; ``None`` matches any.
    """

    method: str | None = None
    chat_id: int | None = None
    times: int | None = 1
    status: int = 429
    description: str | None = None
    retry_after: int | None = None
    kind: FaultKind = "error"
    hits: int = 0

    def matches(self, method: str, chat_id: int | None) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id

    def error(self) -> ApiError:
        if self.status == 429:
            retry_after = self.retry_after if self.retry_after is not None else 1
            description = self.description or f"Too Many Requests: retry after {retry_after}"
            return ApiError(429, description, retry_after)
        defaults = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
        return ApiError(self.status, self.description or defaults.get(self.status, "Error"))


class Faults:
    """The active faults, tried in the order they were added."""

    def __init__(self) -> None:
        self.rules: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        self.rules.append(fault)
        return fault

    def fail_next(
        self,
        method: str,
        times: int = 1,
        *,
        status: int = 429,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> Fault:
        """The next ``times`` calls of ``method`` fail with ``status``."""
        return self.add(Fault(method, None, times, status, description, retry_after))

    def fail_chat(
        self, chat_id: int, *, status: int = 429, retry_after: int | None = None
    ) -> Fault:
        """Every call addressed to ``chat_id`` fails until :meth:`clear`."""
        return self.add(Fault(None, chat_id, None, status, None, retry_after))

    def drop_next(self, method: str, times: int = 1) -> Fault:
        """The next ``times`` calls of ``method`` lose their connection without an answer."""
        return self.add(Fault(method, None, times, kind="drop"))

    def clear(self) -> None:
        self.rules.clear()

    def take(self, method: str, chat_id: int | None) -> Fault | None:
        for fault in self.rules:
            if fault.matches(method, chat_id):
                fault.hits += 1
                return fault
        return None


@dataclass(frozen=True)
class Violation:
    """A message sent while its chat or the whole bot was already at the limit."""

    scope: Literal["chat", "bot"]
    chat_id: int
    method: str
    at: float
    count: int
    limit: int


@dataclass
class RateMonitor:
    """Sliding-window counts of sent messages, per chat and for the bot as a whole.

    Telegram documents "about 1 message per second" per chat (short bursts pass in private
    chats) and about 30 per second overall; both numbers and the window are settings.
    """

    clock: Callable[[], float]
    per_chat: int = 1
    per_bot: int = 30
    window: float = 1.0
    enforce: bool = False
    violations: list[Violation] = field(default_factory=list)
    _chat_times: dict[int, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _bot_times: deque[float] = field(default_factory=deque)

    def record(self, method: str, chat_id: int) -> None:
        """Count one message; raise 429 instead when over the limit and ``enforce`` is on."""
        now = self.clock()
        chat_times = self._chat_times[chat_id]
        for times in (chat_times, self._bot_times):
            while times and times[0] <= now - self.window:
                times.popleft()
        found = []
        if len(chat_times) >= self.per_chat:
            found.append(
                Violation("chat", chat_id, method, now, len(chat_times) + 1, self.per_chat)
            )
        if len(self._bot_times) >= self.per_bot:
            found.append(
                Violation("bot", chat_id, method, now, len(self._bot_times) + 1, self.per_bot)
            )
        self.violations.extend(found)
        if found and self.enforce:
            raise ApiError(429, "Too Many Requests: retry after 1", 1)
        chat_times.append(now)
        self._bot_times.append(now)

    def reset(self) -> None:
        self.violations.clear()
        self._chat_times.clear()
        self._bot_times.clear()
