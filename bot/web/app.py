"""The web chat's routes: the page, its static files and the JSON API.

=========================  ==========================================================
``GET /``                  the page (``static/index.html``)
``GET /static/...``        its script, styles and icon
``GET /api/words``         the page's words in ``?language=`` and the language list
``GET /api/state``         what this browser's pupil sees now (the code step if none)
``POST /api/code``         a typed code: starts or continues a response, sets the session
``POST /api/input``        one button: choose, back, stop, continue, language
``POST /api/end``          forget this browser's session (the page is cleared)
=========================  ==========================================================

The session is one cookie (``HttpOnly``, ``SameSite=Strict``, path ``/api/``, no expiry
date) holding a signed token (:mod:`bot.service.sessions`); it names the chat identity the
service layer resumes, and is dropped when the response completes or idles.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from aiohttp import web

from bot.service import pupils, sessions
from bot.service.context import Context
from bot.service.views import turn_view
from bot.web import api, security
from bot.web.words import page_words
from flows.i18n import language as offered_language
from flows.i18n import source_language

CHANNEL = "web"
COOKIE = "veilig_session"
CONTEXT = web.AppKey("context", Context)
STATIC = Path(str(resources.files("bot.web").joinpath("static")))


def make_app(ctx: Context) -> web.Application:
    """The web chat on an open service context (the caller closes it)."""
    app = web.Application(
        middlewares=[security.errors, security.checks], client_max_size=api.MAX_BODY
    )
    app[CONTEXT] = ctx
    app.on_response_prepare.append(security.add_headers)
    app.router.add_get("/", index)
    app.router.add_static("/static/", STATIC, show_index=False, follow_symlinks=False)
    app.router.add_get("/api/words", words)
    app.router.add_get("/api/state", state)
    app.router.add_post("/api/code", code)
    app.router.add_post("/api/input", user_input)
    app.router.add_post("/api/end", end)
    return app


async def index(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})


def _query_language(request: web.Request) -> str:
    wanted = request.query.get("language", source_language())
    found = offered_language(wanted) if len(wanted) <= 8 else None
    if found is None:
        raise api.BadRequest(400, "invalid_field", "'language' must be an offered language code")
    return found.code


async def words(request: web.Request) -> web.Response:
    return web.json_response(page_words(_query_language(request)))


def _holder(request: web.Request) -> str | None:
    return sessions.holder_of(request.app[CONTEXT], request.cookies.get(COOKIE))


def _reply(request: web.Request, turn: pupils.Turn, holder: str | None) -> web.Response:
    response = web.json_response(turn_view(turn))
    if holder is not None and turn.pupil is not None and not turn.completed:
        token = sessions.token_for(request.app[CONTEXT], holder)
        response.set_cookie(
            COOKIE,
            token,
            path="/api/",
            httponly=True,
            samesite="Strict",
            # Behind a TLS proxy the request itself is plain HTTP: trust the public address.
            secure=request.secure or request.app[CONTEXT].settings.chat_url.startswith("https:"),
        )
    elif COOKIE in request.cookies:
        response.del_cookie(COOKIE, path="/api/")
    return response


async def state(request: web.Request) -> web.Response:
    """Where this browser's pupil is (a reload continues); the code step without one."""
    ctx = request.app[CONTEXT]
    wanted = _query_language(request)  # for the code step only; a response has its own
    holder = _holder(request)
    turn = None if holder is None else await pupils.answer_as(ctx, CHANNEL, holder, None)
    if turn is None:
        return _reply(request, pupils.welcome(wanted), None)
    return _reply(request, turn, holder)


async def code(request: web.Request) -> web.Response:
    """A typed code; a fresh session each time, so a shared device never continues another's."""
    typed = api.parse_code(await security.read_body(request))
    holder = sessions.new_holder()
    client = security.client_address(request)
    turn = await pupils.redeem(
        request.app[CONTEXT], typed.code, CHANNEL, holder, typed.language, client=client
    )
    return _reply(request, turn, holder)


async def user_input(request: web.Request) -> web.Response:
    """One button of the pupil; the session must be alive."""
    given = api.parse_input(await security.read_body(request))
    holder = _holder(request)
    turn = None
    if holder is not None:
        turn = await pupils.answer_as(request.app[CONTEXT], CHANNEL, holder, given)
    if turn is None:
        raise api.BadRequest(
            401, "no_session", "no open response in this browser; type the code again"
        )
    return _reply(request, turn, holder)


async def end(request: web.Request) -> web.Response:
    """Forget this browser's session; the response stays and the code continues it."""
    api.parse_empty(await security.read_body(request))
    response = web.json_response({"ended": True})
    response.del_cookie(COOKIE, path="/api/")
    return response
