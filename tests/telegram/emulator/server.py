"""The HTTP face of the emulator: Bot API routes, long polling, webhook delivery, lifecycle.

One :class:`Emulator` is one Telegram as seen by one bot token, served by aiohttp on
127.0.0.1 with an ephemeral port. Faults are applied here, before a method runs, so every
method can fail the same ways; every request is recorded in :attr:`Emulator.calls`.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from .bot_settings import scope_key
from .faults import Fault, Faults, RateMonitor
from .methods import METHODS, SENDING
from .params import ApiError, Params, bad_request, read_request, read_response_method
from .state import DEFAULT_TOKEN, Call, Profile, QueuedUpdate, Webhook, World
from .user import SimulatedUser

_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
NOT_FOUND = {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
UNAUTHORIZED = {"ok": False, "error_code": 401, "description": "Unauthorized"}


class DroppedConnection(Exception):
    """Raised inside a handler to close the client's connection without an answer."""


class Emulator:
    """A local Telegram Bot API server with simulated users, for tests.

    Use as ``async with Emulator() as emu:`` and point aiogram at ``emu.base_url``.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "veilig_test_bot",
        bot_first_name: str = "Veilig",
        clock: Callable[[], float] = time.time,
        rate_clock: Callable[[], float] = time.monotonic,
        webhook_retry_delay: float = 0.05,
    ) -> None:
        self.world = World(token, bot_username, bot_first_name, clock)
        self.faults = Faults()
        self.rates = RateMonitor(clock=rate_clock)
        self.host = host
        self.port = port
        self.webhook_retry_delay = webhook_retry_delay
        self.users: dict[int, SimulatedUser] = {}
        self._runner: web.AppRunner | None = None
        self._client: ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._poll_generation = 0
        self.long_polls_waiting = 0
        self._closing = False
        self._extra_methods: dict[str, Callable[[Params], Awaitable[Any]]] = {
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "logOut": self._log_out,
            "close": self._log_out,
        }
        self._canonical = {name.lower(): name for name in (*METHODS, *self._extra_methods)}

    # Lifecycle ---------------------------------------------------------------------------

    def app(self) -> web.Application:
        from .control import add_control_routes

        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        add_control_routes(app, self)
        return app

    async def start(self) -> None:
        self._closing = False
        self._client = ClientSession(timeout=ClientTimeout(total=10))
        self._runner = web.AppRunner(
            self.app(), handle_signals=False, access_log=None, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Release long polls first, so the server can close without waiting for them."""
        self._closing = True
        self.world.updates_changed.fire()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """For ``TelegramAPIServer.from_base(emu.base_url)``."""
        return f"http://{self.host}:{self.port}"

    @property
    def token(self) -> str:
        return self.world.token

    # What tests read and do ----------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every request, in the order the answers went out (a long poll when it returned).

        A dropped connection is recorded with status 0 and an empty response.
        """
        return self.world.calls

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.world.calls if call.method.lower() == method.lower()]

    @property
    def unknown_methods(self) -> list[str]:
        """Methods the bot called that the emulator does not know: assert this stays empty."""
        return [call.method for call in self.world.calls if call.response == NOT_FOUND]

    async def wait_for_call(
        self,
        method: str,
        timeout: float = 5.0,  # noqa: ASYNC109
        count: int = 1,
    ) -> Call:
        """The ``count``-th call of ``method``, waiting for it to arrive."""
        found = await self.world.chats_changed.wait_until(
            lambda: len(self.calls_to(method)) >= count, timeout
        )
        if not found:
            raise TimeoutError(f"no {method} call #{count} within {timeout} s")
        return self.calls_to(method)[count - 1]

    async def wait_for_long_poll(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Until a getUpdates call is waiting, so a test can check that it returns at once."""
        if not await self.world.chats_changed.wait_until(
            lambda: self.long_polls_waiting > 0, timeout
        ):
            raise TimeoutError(f"no getUpdates long poll within {timeout} s")

    def user(
        self,
        id: int = 1001,
        first_name: str = "Sam",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "nl",
    ) -> SimulatedUser:
        """A Telegram user who can talk to the bot in a private chat."""
        if id in self.users:
            return self.users[id]
        profile = Profile(id, first_name, last_name, username, language_code)
        user = SimulatedUser(self.world, profile)
        self.users[id] = user
        return user

    def redeliver(self, update: dict[str, Any]) -> None:
        """Deliver ``update`` once more with the same update_id (duplicate delivery)."""
        self.world.redeliver(update)

    @property
    def webhook(self) -> Webhook | None:
        return self.world.webhook

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        """The command list set for exactly this scope and language."""
        return self.world.commands.get((scope_key(scope), language_code), [])

    def visible_commands(self, user_id: int, language_code: str = "") -> list[dict[str, str]]:
        """The menu a user sees in the private chat: the narrowest scope with commands wins."""
        for scope in ({"type": "chat", "chat_id": user_id}, {"type": "all_private_chats"}, None):
            for language in dict.fromkeys((language_code, "")):
                commands = self.world.commands.get((scope_key(scope), language))
                if commands:
                    return commands
        return []

    def add_fault(self, fault: Fault) -> Fault:
        return self.faults.add(fault)

    # Dispatch ----------------------------------------------------------------------------

    async def execute(self, method: str, params: Params) -> dict[str, Any]:
        """Run one Bot API call through faults, rate checks and the method; record it."""
        name = self._canonical.get(method.lower(), method)
        chat_id = _chat_id(params)
        fault = self.faults.take(name, chat_id)
        try:
            if fault is not None:
                if fault.kind == "drop":
                    self._record(name, params, 0, {})
                    raise DroppedConnection
                raise fault.error()
            if name in SENDING and chat_id is not None and chat_id in self.world.chats:
                self.rates.record(name, chat_id)
            if name in METHODS:
                result = METHODS[name](self.world, params)
            elif name in self._extra_methods:
                result = await self._extra_methods[name](params)
            else:
                return self._record(name, params, 404, NOT_FOUND)
        except ApiError as error:
            return self._record(name, params, error.status, error.payload())
        return self._record(name, params, 200, {"ok": True, "result": result})

    def _record(
        self, method: str, params: Params, status: int, response: dict[str, Any]
    ) -> dict[str, Any]:
        call = Call(method, params.public(), dict(params.files), status, response, time.time())
        self.world.calls.append(call)
        self.world.chats_changed.fire()
        return response

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        if request.match_info["token"] != self.world.token:
            # Recorded too: a bot configured with the wrong token should be easy to spot.
            self._record(method, Params(), 401, UNAUTHORIZED)
            return web.json_response(UNAUTHORIZED, status=401)
        try:
            params = await read_request(request)
        except ApiError as error:
            self._record(method, Params(), error.status, error.payload())
            return web.json_response(error.payload(), status=error.status)
        try:
            response = await self.execute(method, params)
        except DroppedConnection:
            if request.transport is not None:
                request.transport.abort()
            raise web.HTTPServiceUnavailable from None
        status = 200 if response.get("ok") else int(response["error_code"])
        return web.json_response(response, status=status)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.world.token:
            return web.json_response(UNAUTHORIZED, status=401)
        path = request.match_info["path"]
        for stored in self.world.files.values():
            if stored.file_path == path and stored.data is not None:
                return web.Response(body=stored.data, content_type="application/octet-stream")
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )

    # Updates -----------------------------------------------------------------------------

    async def _get_updates(self, params: Params) -> Any:
        if self.world.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.integer("offset")
        limit = min(max(params.integer("limit", 100) or 100, 1), 100)
        timeout = max(params.integer("timeout", 0) or 0, 0)
        allowed = params.decoded("allowed_updates")
        if allowed is not None:
            self.world.allowed_updates = list(allowed) or None
        if offset is not None:
            self.world.confirm(offset)
        # A newer getUpdates ends an older one, as on the real server.
        self._poll_generation += 1
        generation = self._poll_generation
        self.world.updates_changed.fire()

        def ready() -> bool:
            return (
                self._closing
                or generation != self._poll_generation
                or bool(self.world.pending(self.world.allowed_updates))
            )

        self.long_polls_waiting += 1
        self.world.chats_changed.fire()
        try:
            await self.world.updates_changed.wait_until(ready, timeout)
        finally:
            self.long_polls_waiting -= 1
        if generation != self._poll_generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        return self.world.take(limit, self.world.allowed_updates)

    async def _set_webhook(self, params: Params) -> Any:
        url = params.string("url") or ""
        if not url:
            return await self._delete_webhook(params)
        if not re.match(r"https?://", url):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.string("secret_token")
        if secret is not None and not _SECRET.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
        allowed = params.decoded("allowed_updates")
        self.world.webhook = Webhook(
            url=url,
            secret_token=secret,
            max_connections=params.integer("max_connections", 40) or 40,
            allowed_updates=list(allowed) if allowed else None,
            ip_address=params.string("ip_address"),
        )
        self.world.webhook_history.append(params.public())
        if params.flag("drop_pending_updates"):
            self.world.queue.clear()
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.create_task(self._deliver_webhooks())
        self.world.updates_changed.fire()
        return True

    async def _delete_webhook(self, params: Params) -> Any:
        self.world.webhook = None
        if params.flag("drop_pending_updates"):
            self.world.queue.clear()
        self.world.updates_changed.fire()
        return True

    async def _get_webhook_info(self, params: Params) -> Any:
        hook = self.world.webhook
        info: dict[str, Any] = {
            "url": hook.url if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.world.queue),
        }
        if hook is not None:
            info["max_connections"] = hook.max_connections
            if hook.ip_address:
                info["ip_address"] = hook.ip_address
            if hook.allowed_updates:
                info["allowed_updates"] = hook.allowed_updates
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        return info

    async def _log_out(self, params: Params) -> Any:
        return True

    async def _deliver_webhooks(self) -> None:
        """POST queued updates one at a time, in order, retrying until the bot says 2xx."""

        def ready() -> bool:
            current = self.world.webhook
            return current is None or bool(self.world.pending(current.allowed_updates))

        while True:
            await self.world.updates_changed.wait_until(ready, 3600)
            hook = self.world.webhook
            if hook is None or self._closing:
                return
            entries = self.world.pending(hook.allowed_updates)
            if not entries:
                continue
            delivered, answer = await self._post_update(hook, entries[0])
            if not delivered:
                await asyncio.sleep(self.webhook_retry_delay)
                continue
            with contextlib.suppress(ValueError):
                self.world.queue.remove(entries[0])
            if answer is not None:
                # Telegram runs a method the bot put in its webhook answer, result unseen.
                with contextlib.suppress(DroppedConnection):
                    await self.execute(answer.string("method") or "", answer)
            self.world.delivered.append(entries[0].update)
            self.world.updates_changed.fire()
            self.world.chats_changed.fire()

    async def _post_update(self, hook: Webhook, entry: QueuedUpdate) -> tuple[bool, Params | None]:
        """Whether the bot took the update (2xx), and the method its answer carried, if any."""
        assert self._client is not None
        headers = (
            {"X-Telegram-Bot-Api-Secret-Token": hook.secret_token} if hook.secret_token else {}
        )
        try:
            async with self._client.post(hook.url, json=entry.update, headers=headers) as response:
                if not 200 <= response.status < 300:
                    self._webhook_error(
                        hook,
                        f"Wrong response from the webhook: {response.status} {response.reason}",
                    )
                    return False, None
                try:
                    return True, await read_response_method(response)
                except ValueError:
                    return True, None  # an answer that is no method call is ignored
        except (ClientError, TimeoutError) as error:
            self._webhook_error(hook, f"Connection failed: {type(error).__name__}")
            return False, None

    async def wait_for_webhook_delivery(
        self,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> None:
        """Until ``count`` updates were taken by the webhook (answered 2xx and dequeued)."""
        if not await self.world.chats_changed.wait_until(
            lambda: len(self.world.delivered) >= count, timeout
        ):
            raise TimeoutError(f"{len(self.world.delivered)} of {count} webhook deliveries")

    def _webhook_error(self, hook: Webhook, message: str) -> None:
        hook.last_error_date = self.world.now()
        hook.last_error_message = message


def _chat_id(params: Params) -> int | None:
    try:
        return params.chat_id() if params.has("chat_id") else None
    except ApiError:
        return None
