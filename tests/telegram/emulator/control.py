"""The HTTP control API under ``/_emulator/``: the simulated users for a test in another process.

A process-level test starts ``python -m tests.telegram.emulator`` and ``veilig serve``, then
plays the user over this API (``client.py`` wraps it). Every route maps onto the in-process
API, so both kinds of test see the same behaviour. Bodies and answers are JSON.

    POST /_emulator/users                     {"id", "first_name", "language_code"...}
    POST /_emulator/users/{id}/send           {"text"}
    POST /_emulator/users/{id}/press          {"message_id", "button"}
    POST /_emulator/users/{id}/choose         {"text"}
    POST /_emulator/users/{id}/block | /unblock
    GET  /_emulator/users/{id}/messages       the bot's messages as the chat shows them now
    GET  /_emulator/users/{id}/files          documents and photos (bytes as base64)
    GET  /_emulator/users/{id}/callback_answers
    POST /_emulator/users/{id}/wait_for_reply {"timeout"}  -> the message, or 408
    POST /_emulator/users/{id}/wait_for_callback_answer {"callback_query_id", "timeout"}
    POST /_emulator/redeliver                 {"update_id"}
    GET  /_emulator/calls?method=NAME
    POST /_emulator/wait_for_call             {"method", "count", "timeout"} -> the call, or 408
    POST /_emulator/faults                    Fault fields;   DELETE /_emulator/faults
    GET  /_emulator/state                     webhook, commands, rate violations, unknown methods
    POST /_emulator/rates       {"per_chat", "chat_burst", "per_bot", "bot_burst", "enforce"}
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .faults import Fault
from .state import Call
from .user import ShownMessage, SimulatedUser

if TYPE_CHECKING:
    from .server import Emulator

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _shown(message: ShownMessage) -> dict[str, Any]:
    return {
        "message_id": message.message_id,
        "text": message.text,
        "buttons": [[dataclasses.asdict(b) for b in row] for row in message.buttons],
        "edited": message.edited,
        "raw": message.raw,
    }


def _call(call: Call) -> dict[str, Any]:
    return {
        "method": call.method,
        "params": call.params,
        "files": sorted(call.files),
        "status": call.status,
        "response": call.response,
        "at": call.at,
    }


def add_control_routes(app: web.Application, emulator: Emulator) -> None:
    """Register the control routes on the emulator's application."""

    async def body(request: web.Request) -> dict[str, Any]:
        if not request.can_read_body:
            return {}
        decoded = await request.json()
        if not isinstance(decoded, dict):
            raise web.HTTPBadRequest(text="a JSON object is expected")
        return decoded

    def user_of(request: web.Request) -> SimulatedUser:
        user = emulator.users.get(int(request.match_info["id"]))
        if user is None:
            raise web.HTTPNotFound(text="no such user: create it with POST /_emulator/users")
        return user

    def failing_as_400(handler: Handler) -> Handler:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            try:
                return await handler(request)
            except (LookupError, ValueError, TypeError) as error:
                return web.json_response({"error": str(error)}, status=400)

        return wrapped

    async def create_user(request: web.Request) -> web.StreamResponse:
        fields = await body(request)
        user = emulator.user(
            int(fields["id"]),
            str(fields.get("first_name", "Sam")),
            last_name=fields.get("last_name"),
            username=fields.get("username"),
            language_code=fields.get("language_code", "nl"),
        )
        return web.json_response({"id": user.id})

    async def send(request: web.Request) -> web.StreamResponse:
        return web.json_response(await user_of(request).send(str((await body(request))["text"])))

    async def choose(request: web.Request) -> web.StreamResponse:
        text = str((await body(request))["text"])
        return web.json_response(await user_of(request).choose(text))

    async def press(request: web.Request) -> web.StreamResponse:
        fields = await body(request)
        update = await user_of(request).press(int(fields["message_id"]), str(fields["button"]))
        return web.json_response(update)

    async def block(request: web.Request) -> web.StreamResponse:
        return web.json_response(await user_of(request).block_bot())

    async def unblock(request: web.Request) -> web.StreamResponse:
        return web.json_response(await user_of(request).unblock_bot())

    async def messages(request: web.Request) -> web.StreamResponse:
        own = request.query.get("include_own") == "true"
        shown = user_of(request).messages(include_own=own)
        return web.json_response([_shown(message) for message in shown])

    async def files(request: web.Request) -> web.StreamResponse:
        return web.json_response(
            [
                {
                    **dataclasses.asdict(file),
                    "data": base64.b64encode(file.data).decode() if file.data else None,
                }
                for file in user_of(request).files()
            ]
        )

    async def callback_answers(request: web.Request) -> web.StreamResponse:
        return web.json_response(user_of(request).callback_answers)

    async def wait_for_reply(request: web.Request) -> web.StreamResponse:
        timeout = float((await body(request)).get("timeout", 5.0))
        try:
            message = await user_of(request).wait_for_reply(timeout)
        except TimeoutError as error:
            return web.json_response({"error": str(error)}, status=408)
        return web.json_response(_shown(message))

    async def wait_for_callback_answer(request: web.Request) -> web.StreamResponse:
        fields = await body(request)
        update = {"callback_query": {"id": str(fields["callback_query_id"])}}
        try:
            answer = await user_of(request).wait_for_callback_answer(
                update, float(fields.get("timeout", 5.0))
            )
        except TimeoutError as error:
            return web.json_response({"error": str(error)}, status=408)
        return web.json_response(answer)

    async def redeliver(request: web.Request) -> web.StreamResponse:
        update_id = int((await body(request))["update_id"])
        update = emulator.world.made.get(update_id)
        if update is None:
            raise web.HTTPNotFound(text=f"no update {update_id} was ever made")
        emulator.redeliver(update)
        return web.json_response({"ok": True})

    async def calls(request: web.Request) -> web.StreamResponse:
        method = request.query.get("method")
        chosen = emulator.calls_to(method) if method else emulator.calls
        return web.json_response([_call(call) for call in chosen])

    async def wait_for_call(request: web.Request) -> web.StreamResponse:
        fields = await body(request)
        try:
            call = await emulator.wait_for_call(
                str(fields["method"]),
                float(fields.get("timeout", 5.0)),
                int(fields.get("count", 1)),
            )
        except TimeoutError as error:
            return web.json_response({"error": str(error)}, status=408)
        return web.json_response(_call(call))

    async def add_fault(request: web.Request) -> web.StreamResponse:
        fields = await body(request)
        known = {f.name for f in dataclasses.fields(Fault)} - {"hits"}
        fault = emulator.add_fault(Fault(**{k: v for k, v in fields.items() if k in known}))
        return web.json_response(dataclasses.asdict(fault))

    async def clear_faults(request: web.Request) -> web.StreamResponse:
        emulator.faults.clear()
        return web.json_response({"ok": True})

    async def set_rates(request: web.Request) -> web.StreamResponse:
        fields = await body(request)
        for name in ("per_chat", "chat_burst", "per_bot", "bot_burst", "enforce"):
            if name in fields:
                setattr(emulator.rates, name, fields[name])
        return web.json_response({"ok": True})

    async def state(request: web.Request) -> web.StreamResponse:
        world = emulator.world
        return web.json_response(
            {
                "webhook": dataclasses.asdict(world.webhook) if world.webhook else None,
                "commands": [
                    {"scope": scope, "language_code": language, "commands": commands}
                    for (scope, language), commands in world.commands.items()
                ],
                "rate_violations": [dataclasses.asdict(v) for v in emulator.rates.violations],
                "unknown_methods": emulator.unknown_methods,
                "pending_updates": len(world.queue),
            }
        )

    routes: list[tuple[str, str, Handler]] = [
        ("POST", "/_emulator/users", create_user),
        ("POST", "/_emulator/users/{id}/send", send),
        ("POST", "/_emulator/users/{id}/choose", choose),
        ("POST", "/_emulator/users/{id}/press", press),
        ("POST", "/_emulator/users/{id}/block", block),
        ("POST", "/_emulator/users/{id}/unblock", unblock),
        ("GET", "/_emulator/users/{id}/messages", messages),
        ("GET", "/_emulator/users/{id}/files", files),
        ("GET", "/_emulator/users/{id}/callback_answers", callback_answers),
        ("POST", "/_emulator/users/{id}/wait_for_reply", wait_for_reply),
        ("POST", "/_emulator/users/{id}/wait_for_callback_answer", wait_for_callback_answer),
        ("POST", "/_emulator/redeliver", redeliver),
        ("GET", "/_emulator/calls", calls),
        ("POST", "/_emulator/wait_for_call", wait_for_call),
        ("POST", "/_emulator/faults", add_fault),
        ("DELETE", "/_emulator/faults", clear_faults),
        ("POST", "/_emulator/rates", set_rates),
        ("GET", "/_emulator/state", state),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, path, failing_as_400(handler))
