"""Failures on demand, and a check that the bot keeps to Telegram's sending limits.

A bot that only ever met a healthy server has never run its retry path. A :class:`Fault`
makes matching calls answer 429 with ``retry_after``, a 5xx, or drop the connection; the
:class:`RateMonitor` counts messages per chat and per bot in a sliding window and records each
call over the limit, so a test can assert there were none (or, with ``enforce``, get 429s the
way the real server answers a flood).
"""

from __future__ import annotations

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
    """A message sent while its chat's or the whole bot's allowance was used up."""

    scope: Literal["chat", "bot"]
    chat_id: int
    method: str
    at: float


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass
class RateMonitor:
    """Token buckets of sent messages, one per chat and one for the bot as a whole.

    Telegram asks for about 1 message per second per chat but "may allow short bursts",
    and about 30 per second overall. A bucket holds ``burst`` messages and refills at
    ``rate`` per second, so a reply of two or three messages passes while a steady stream
    faster than the rate does not. Set ``chat_burst=1`` for the strict one-per-second reading.
    """

    clock: Callable[[], float]
    per_chat: float = 1.0
    chat_burst: int = 3
    per_bot: float = 30.0
    bot_burst: int = 30
    enforce: bool = False
    violations: list[Violation] = field(default_factory=list)
    _chats: dict[int, _Bucket] = field(default_factory=dict)
    _bot: _Bucket | None = None

    def _take(self, bucket: _Bucket, rate: float, burst: int, now: float) -> bool:
        bucket.tokens = min(float(burst), bucket.tokens + (now - bucket.at) * rate)
        bucket.at = now
        if bucket.tokens < 1:
            return False
        bucket.tokens -= 1
        return True

    def record(self, method: str, chat_id: int) -> None:
        """Count one message; raise 429 instead when over the limit and ``enforce`` is on."""
        now = self.clock()
        chat = self._chats.setdefault(chat_id, _Bucket(float(self.chat_burst), now))
        if self._bot is None:
            self._bot = _Bucket(float(self.bot_burst), now)
        found: list[Violation] = []
        if not self._take(chat, self.per_chat, self.chat_burst, now):
            found.append(Violation("chat", chat_id, method, now))
        if not self._take(self._bot, self.per_bot, self.bot_burst, now):
            found.append(Violation("bot", chat_id, method, now))
        self.violations.extend(found)
        if found and self.enforce:
            raise ApiError(429, "Too Many Requests: retry after 1", 1)

    def reset(self) -> None:
        self.violations.clear()
        self._chats.clear()
        self._bot = None
