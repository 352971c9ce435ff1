"""What guards the web chat: security headers, request checks and errors as JSON.

- Every response gets a strict Content-Security-Policy (scripts and styles from this origin
  only, no inline script, no framing), ``no-referrer``, ``nosniff``; API responses are never
  cached.
- A state-changing request must be a ``POST`` of ``application/json`` from this origin (a
  browser sends ``Origin``; another site's page cannot), under :data:`~bot.web.api.MAX_BODY`.
- Any refusal, here or in :mod:`bot.web.api`, is a JSON body ``{"error": {"code", "message"}}``
  with a fitting status, and the service layer is never called for it.

Rate limits live in the service layer, in the database, so they hold across restarts and
worker processes: wrong codes per client address and tries per code
(:func:`bot.service.pupils.redeem`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.web.api import MAX_BODY, BadRequest
from veilig.errors import DatabaseBusy, DatabaseUnavailable

log = logging.getLogger("veilig.web")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Server": "veilig",  # not the library and Python versions
}


async def add_headers(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare``: the security headers on every response, also on errors."""
    response.headers.update(HEADERS)
    if request.path.startswith("/api/"):
        response.headers["Cache-Control"] = "no-store"


def json_error(error: BadRequest) -> web.Response:
    return web.json_response(error.body(), status=error.status)


_STATUS_CODES = {
    404: ("not_found", "there is no such address; the chat is at /"),
    405: ("method_not_allowed", "this address does not take that method; see the API notes"),
    413: ("too_large", "the request body is too large"),
}


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every refusal as JSON; an unexpected failure is logged and told without details."""
    try:
        return await handler(request)
    except BadRequest as error:
        return json_error(error)
    except (DatabaseBusy, DatabaseUnavailable):
        # Overload or an outage: nothing was stored (the transaction rolled back); the page
        # asks the pupil to wait a moment and press again.
        log.warning(
            "web chat request %s %s: database busy or unavailable", request.method, request.path
        )
        busy = json_error(BadRequest(503, "busy", "the chat is busy; try again in a moment"))
        busy.headers["Retry-After"] = "2"
        return busy
    except web.HTTPException as error:
        if error.status < 400 or not request.path.startswith("/api/"):
            raise
        code, message = _STATUS_CODES.get(error.status, ("refused", error.reason))
        return json_error(BadRequest(error.status, code, message))
    except Exception:
        log.exception("web chat request %s %s failed", request.method, request.path)
        return json_error(BadRequest(500, "internal", "something went wrong; nothing was stored"))


@web.middleware
async def checks(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A state-changing request: a same-origin JSON ``POST`` of bounded size."""
    if request.method == "POST":
        origin = request.headers.get("Origin")
        if origin is not None and origin.split("://", 1)[-1] != request.host:
            raise BadRequest(403, "cross_origin", "requests must come from the chat's own page")
        if request.content_type != "application/json":
            raise BadRequest(415, "not_json", "send the body as application/json")
        if request.content_length is not None and request.content_length > MAX_BODY:
            raise BadRequest(413, "too_large", "the request body is too large")
    return await handler(request)


async def read_body(request: web.Request) -> bytes:
    """The body, refused when larger than allowed (also without a Content-Length)."""
    limit = MAX_BODY
    body = await request.content.read(limit + 1)
    if len(body) > limit:
        raise BadRequest(413, "too_large", "the request body is too large")
    return body


def client_address(request: web.Request) -> str:
    """Who wrong codes are counted against: the peer address (a proxy in front must pass
    the real one on its own connection, e.g. PROXY protocol; headers are not trusted)."""
    return request.remote or "unknown"
