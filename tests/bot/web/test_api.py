"""The web chat's JSON API on SQLite and PostgreSQL: the participant scripts store the same
answers as through the application layer; reload and resume; bad requests are refused with a
JSON error and store nothing; the wrong-code limit holds across two app instances."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from bot.service import pupils
from bot.service.context import Context
from bot.web.app import COOKIE
from storage.models import Answer, Respondent, Throttle
from storage.repositories import answers, respondents
from tests.bot.service.conftest import LINDE, YEAR, School
from tests.bot.service.participant import Pupil
from tests.bot.web.conftest import web_client
from tests.bot.web.http_pupil import HttpPupil, label
from tests.flows.participant import BULLIED_PO, FINE_PO, FINE_PO_ANSWERS
from veilig.errors import DatabaseBusy

Client = TestClient[object, object]


async def stored_by_respondent(ctx: Context) -> list[dict[str, int | None]]:
    async with ctx.database.transaction() as session:
        found = await respondents.of_round(session, LINDE, YEAR)
        return [await answers.of(session, respondent.id) for respondent in found]


async def counts(ctx: Context) -> tuple[int, int, int]:
    async with ctx.database.transaction() as session:
        return (
            int(await session.scalar(select(func.count()).select_from(Answer)) or 0),
            int(await session.scalar(select(func.count()).select_from(Respondent)) or 0),
            int(await session.scalar(select(func.count()).select_from(Throttle)) or 0),
        )


@pytest.mark.parametrize("script", ["fine", "bullied"])
async def test_the_scripts_store_what_the_layer_stores(
    ctx: Context, school: School, client: Client, script: str
) -> None:
    direct_code, web_code = await school.codes("7A", 2)
    steps: Any = FINE_PO if script == "fine" else [*BULLIED_PO[:-1], ("gender", "4")]
    direct = Pupil(ctx)
    await direct.enter(direct_code)
    await direct.run(steps)
    web = HttpPupil(client)
    first = await web.enter(web_code)
    assert first["step"]["kind"] == "intro" and first["open"]
    await web.run(steps)
    assert web.view["step"]["kind"] == "outro" and web.view["completed"]
    layer, http = await stored_by_respondent(ctx)
    assert http == layer
    if script == "fine":
        assert http == FINE_PO_ANSWERS
    # Done: the session cookie is gone and the page gets the code step again.
    assert COOKIE not in {cookie.key for cookie in client.session.cookie_jar}
    state = await (await client.get("/api/state")).json()
    assert state["step"]["kind"] == "code_entry" and not state["open"]


async def test_a_reload_and_another_device_continue(ctx: Context, school: School) -> None:
    (code,) = await school.codes("7A", 1)
    async with web_client(ctx) as first, web_client(ctx) as second:
        pupil = HttpPupil(first)
        await pupil.enter(code)
        await pupil.run(FINE_PO[:3])
        reloaded = await (await first.get("/api/state")).json()
        assert label(reloaded) == label(pupil.view) == "safe_schoolyard"
        # The same code on another device continues there; the first device's session is
        # no longer the one answering.
        other = HttpPupil(second)
        resumed = await other.enter(code)
        assert resumed["step"]["kind"] == "notice" and label(resumed) == "safe_schoolyard"
        refused = await first.post("/api/input", json=pupil.action("1"))
        assert refused.status == 401
        assert (await refused.json())["error"]["code"] == "no_session"


async def test_a_double_click_answers_once(ctx: Context, school: School, client: Client) -> None:
    (code,) = await school.codes("7A", 1)
    pupil = HttpPupil(client)
    await pupil.enter(code)
    await pupil.run(FINE_PO[:1])
    press = pupil.action("1")
    await pupil.press(press)
    again = await pupil.press(press)
    assert again["step"]["kind"] == "notice" and label(again) == "safe_class"
    (stored,) = await stored_by_respondent(ctx)
    assert stored == {"_intro": 1, "safe_school": 4}


async def test_a_code_entry_problem_is_a_step_not_an_error(
    ctx: Context, school: School, client: Client
) -> None:
    response = await client.post("/api/code", json={"code": "AAA-AAA-AAA", "language": "en"})
    view = await response.json()
    assert response.status == 200 and view["step"]["problem"] == "code_unknown"
    assert view["step"]["language"] == "en" and not view["open"]


INVALID = "invalid_field"
BAD_REQUESTS: list[tuple[str, str, Any, int, str]] = [
    ("POST", "/api/input", b"{" + b" " * 4000 + b"}", 413, "too_large"),
    ("POST", "/api/input", b"{not json", 400, "malformed_json"),
    ("POST", "/api/input", b"[1, 2]", 400, "not_an_object"),
    ("POST", "/api/input", {"action": "stop", "extra": 1}, 400, "unknown_field"),
    ("POST", "/api/input", {"action": "choose", "screen": "safe_class"}, 400, INVALID),
    ("POST", "/api/input", {"action": "choose", "screen": "x", "option": 3}, 400, INVALID),
    ("POST", "/api/input", {"action": "choose", "screen": "A;", "option": "y"}, 400, INVALID),
    ("POST", "/api/input", {"action": "back", "screen": "x" * 65}, 400, INVALID),
    ("POST", "/api/input", {"action": "language", "language": "xx"}, 400, INVALID),
    ("POST", "/api/input", {"action": "delete_all"}, 400, INVALID),
    ("POST", "/api/code", {"code": "K7Q-FM3-XAP"}, 400, INVALID),
    ("POST", "/api/code", {"code": "<script>", "language": "nl"}, 400, INVALID),
    ("POST", "/api/end", {"now": True}, 400, "unknown_field"),
    ("GET", "/api/input", None, 405, "method_not_allowed"),
    ("GET", "/api/code?code=K7Q-FM3-XAP&language=nl", None, 405, "method_not_allowed"),
    ("GET", "/api/end", None, 405, "method_not_allowed"),
    ("GET", "/api/state?language=zz", None, 400, INVALID),
    ("GET", "/api/nothing", None, 404, "not_found"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "body", "status", "code"), BAD_REQUESTS)
async def test_bad_requests_get_a_json_error_and_store_nothing(
    ctx: Context,
    school: School,
    client: Client,
    method: str,
    path: str,
    body: Any,
    status: int,
    code: str,
) -> None:
    (typed,) = await school.codes("7A", 1)
    pupil = HttpPupil(client)
    await pupil.enter(typed)
    await pupil.run(FINE_PO[:2])
    before = await counts(ctx)
    headers = {"Content-Type": "application/json"}
    if isinstance(body, bytes):
        response = await client.request(method, path, data=body, headers=headers)
    else:
        response = await client.request(method, path, json=body)
    assert response.status == status
    assert response.content_type == "application/json"
    error = (await response.json())["error"]
    assert error["code"] == code and error["message"]
    assert await counts(ctx) == before
    assert label(await (await client.get("/api/state")).json()) == "safe_class"


async def test_state_changes_need_a_same_origin_json_post(
    ctx: Context, school: School, client: Client
) -> None:
    (typed,) = await school.codes("7A", 1)
    await HttpPupil(client).enter(typed)
    before = await counts(ctx)
    form = await client.post("/api/input", data={"action": "stop"})
    assert form.status == 415 and (await form.json())["error"]["code"] == "not_json"
    other = await client.post(
        "/api/input", json={"action": "stop"}, headers={"Origin": "https://evil.example"}
    )
    assert other.status == 403 and (await other.json())["error"]["code"] == "cross_origin"
    assert await counts(ctx) == before


async def test_security_headers_on_every_response(client: Client) -> None:
    for path in ("/", "/static/chat.js", "/api/state", "/api/nothing"):
        response = await client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    page = await (await client.get("/")).text()
    assert "<script>" not in page and "onclick" not in page
    assert (await client.get("/api/state")).headers["Cache-Control"] == "no-store"


async def test_the_session_cookie_is_strict_and_script_proof(
    ctx: Context, school: School, client: Client
) -> None:
    (typed,) = await school.codes("7A", 1)
    response = await client.post("/api/code", json={"code": typed, "language": "nl"})
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/api/"
    assert not cookie["expires"] and not cookie["max-age"]  # ends with the browser session
    forged = await client.post(
        "/api/input", json={"action": "stop"}, cookies={COOKIE: cookie.value + "x"}
    )
    assert forged.status == 401


async def test_the_code_limit_holds_across_two_app_instances(ctx: Context, school: School) -> None:
    (good,) = await school.codes("7A", 1)
    # A second process on the same database: its own context, its own app.
    other_ctx = Context(ctx.settings, ctx.database, ctx.clock)
    async with web_client(ctx) as first, web_client(other_ctx) as second:
        for _ in range(pupils.CODE_TRIES):
            refused = await (
                await first.post("/api/code", json={"code": "AAA-AAA-AAA", "language": "nl"})
            ).json()
            assert refused["step"]["problem"] == "code_unknown"
        paused = await (
            await second.post("/api/code", json={"code": good, "language": "nl"})
        ).json()
        assert paused["step"]["problem"] == "too_many_tries" and not paused["open"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_an_overloaded_database_is_a_503_to_retry(
    ctx: Context, school: School, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    (typed,) = await school.codes("7A", 1)
    await HttpPupil(client).enter(typed)

    async def busy(*args: object) -> None:
        raise DatabaseBusy("the database is busy: no free connection in time")

    monkeypatch.setattr(pupils, "answer_as", busy)
    response = await client.post("/api/input", json={"action": "stop"})
    assert response.status == 503 and response.headers["Retry-After"] == "2"
    assert (await response.json())["error"]["code"] == "busy"
