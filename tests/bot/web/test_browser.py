"""The web chat in real headless Chromium: a pupil clicks (or only types) through the PO
questionnaire; back, Arabic right to left, reload, a double click, the cleared page at the end
and an axe-core scan. On the embedded SQLite backend only: the API tests cover PostgreSQL.

Chromium is Debian's (/usr/bin/chromium, or VEILIG_CHROMIUM); Playwright only drives it.
Without either the tests skip, unless VEILIG_REQUIRE_BROWSER=1, where they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from bot.service.context import Context
from bot.web.app import make_app
from storage.repositories import answers, respondents
from tests.bot.service.conftest import LINDE, YEAR, School

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DOCS_SCREENSHOT = Path(__file__).resolve().parents[3] / "docs" / "web-chat.png"


def _unavailable(reason: str) -> None:
    if os.environ.get("VEILIG_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (VEILIG_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture
def chromium() -> str:
    executable = os.environ.get("VEILIG_CHROMIUM", "/usr/bin/chromium")
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        _unavailable("Playwright is not installed: pip install -e '.[dev]'")
    if not Path(executable).exists():
        _unavailable(f"no Chromium at {executable}: apt-get install chromium")
    return executable


@pytest.fixture
async def browser(chromium: str) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    executable = chromium
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable, args=ARGS)
        yield launched
        await launched.close()


@pytest.fixture
async def server(ctx: Context) -> AsyncIterator[str]:
    async with TestServer(make_app(ctx), host="127.0.0.1") as running:
        yield str(running.make_url("/"))


@pytest.fixture
async def page(browser: Any, server: str) -> AsyncIterator[Any]:
    context = await browser.new_context(
        viewport={"width": 430, "height": 900}, reduced_motion="reduce", locale="nl-NL"
    )
    opened = await context.new_page()
    opened.set_default_timeout(5000)
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    opened.base = server
    yield opened
    await context.close()
    assert errors == [], f"the page logged errors: {errors}"


async def stored(ctx: Context) -> list[dict[str, int | None]]:
    async with ctx.database.transaction() as session:
        found = await respondents.of_round(session, LINDE, YEAR)
        return [await answers.of(session, respondent.id) for respondent in found]


async def enter(page: Any, code: str, via_fragment: bool = False) -> None:
    await page.goto(page.base + (f"#code={code}" if via_fragment else ""))
    field = page.get_by_label("Code van je briefje")
    if not via_fragment:
        await field.fill(code)
    await page.get_by_role("button", name="Verder").click()
    await page.get_by_role("button", name="Beginnen").wait_for()


async def on_screen(page: Any) -> str:
    """The screen whose buttons are shown (an item id, ``_intro``…); "" at the outro."""
    first = page.locator("#controls button[data-screen]").first
    if await page.locator("#controls button[data-screen]").count() == 0:
        return ""
    return str(await first.get_attribute("data-screen"))


async def moved_on(page: Any, before: str) -> str:
    """Wait until the page shows another screen than ``before``; return it."""
    await page.locator(f'#controls button[data-screen="{before}"]').first.wait_for(state="detached")
    return await on_screen(page)


async def test_a_pupil_completes_the_questionnaire_by_clicking(
    ctx: Context, school: School, page: Any, tmp_path: Path
) -> None:
    (code,) = await school.codes("7A", 1)
    await enter(page, code, via_fragment=True)
    assert "#" not in page.url  # the code left the address bar at once
    await page.get_by_role("button", name="Beginnen").click()
    here = await moved_on(page, "_intro")
    await page.get_by_role("progressbar").wait_for()
    shot = tmp_path / "web-chat-question.png"
    await page.screenshot(path=str(shot))
    if os.environ.get("VEILIG_UPDATE_SCREENSHOT") == "1":
        shutil.copy(shot, DOCS_SCREENSHOT)
    while here:
        await page.locator("#controls .answer").first.click()
        here = await moved_on(page, here)
    await page.get_by_role("heading", name="Klaar!").wait_for()
    (answered,) = await stored(ctx)
    assert answered["safe_school"] == 4 and answered["bullied"] == 1
    assert "adult_helped" not in answered  # not bullied: no follow-ups
    # The end: "Klaar" clears the page and shows the code step for the next pupil.
    await page.get_by_role("button", name="Klaar").click()
    await page.get_by_label("Code van je briefje").wait_for()
    assert await page.locator("#log").inner_text() == await _code_step_text(page)
    assert await page.context.cookies() == []
    assert await page.evaluate("localStorage.length + sessionStorage.length") == 0


async def _code_step_text(page: Any) -> str:
    return str(await page.locator("#log").inner_text())


async def test_back_and_arabic_right_to_left(ctx: Context, school: School, page: Any) -> None:
    (code,) = await school.codes("7A", 1)
    await enter(page, code)
    await page.get_by_role("button", name="Beginnen").click()
    await moved_on(page, "_intro")
    await page.get_by_role("button", name="Ja").click()
    assert await moved_on(page, "safe_school") == "safe_class"
    await page.get_by_role("button", name="Terug").click()
    assert await moved_on(page, "safe_class") == "safe_school"
    assert await stored(ctx) == [{"_intro": 1}]
    await page.get_by_label("Taal").select_option("ar")
    await page.locator("html[dir=rtl][lang=ar]").wait_for(state="attached")
    question = page.locator("#log .bubble .question").last
    await question.wait_for()
    assert await question.evaluate("node => getComputedStyle(node).direction") == "rtl"
    await page.get_by_role("button", name="نعم", exact=True).wait_for()
    assert await on_screen(page) == "safe_school"


async def test_a_reload_continues(ctx: Context, school: School, page: Any) -> None:
    (code,) = await school.codes("7A", 1)
    await enter(page, code)
    await page.get_by_role("button", name="Beginnen").click()
    await moved_on(page, "_intro")
    await page.get_by_role("button", name="Ja").click()
    await moved_on(page, "safe_school")
    await page.reload()
    await page.locator('#controls button[data-screen="safe_class"]').first.wait_for()
    assert await page.get_by_role("progressbar").get_attribute("aria-valuenow") in (None, "2")


async def test_a_double_click_answers_once(ctx: Context, school: School, page: Any) -> None:
    (code,) = await school.codes("7A", 1)
    await enter(page, code)
    await page.get_by_role("button", name="Beginnen").click()
    await moved_on(page, "_intro")
    await page.get_by_role("button", name="Ja").dblclick()
    await moved_on(page, "safe_school")
    await page.wait_for_timeout(300)  # let a second request, if any was sent, arrive
    assert await stored(ctx) == [{"_intro": 1, "safe_school": 4}]
    assert await on_screen(page) == "safe_class"


async def test_keyboard_only(ctx: Context, school: School, page: Any) -> None:
    (code,) = await school.codes("7A", 1)
    await page.goto(page.base)
    await page.get_by_label("Code van je briefje").wait_for()
    await page.keyboard.type(code)  # the code field has the focus
    await page.keyboard.press("Enter")
    here = "_intro"
    await page.locator('#controls button[data-screen="_intro"]').wait_for()
    while here:
        # The first answer has the focus after each step: Enter picks it, Tab moves on.
        if here == "safe_school":
            await page.keyboard.press("Tab")
        await page.keyboard.press("Enter")
        here = await moved_on(page, here)
    await page.get_by_role("button", name="Klaar").wait_for()
    (answered,) = await stored(ctx)
    assert answered["safe_school"] == 3  # the second answer, reached with Tab
    assert answered["safe_class"] == 4


async def test_no_serious_accessibility_violations(ctx: Context, school: School, page: Any) -> None:
    from axe_playwright_python.async_playwright import Axe

    (code,) = await school.codes("7A", 1)
    axe = Axe()
    await page.goto(page.base)
    await page.get_by_label("Code van je briefje").wait_for()
    screens = [await axe.run(page)]
    await enter(page, code)
    screens.append(await axe.run(page))
    await page.get_by_role("button", name="Beginnen").click()
    await moved_on(page, "_intro")
    screens.append(await axe.run(page))
    await page.get_by_label("Taal").select_option("ar")
    await page.locator("html[dir=rtl]").wait_for(state="attached")
    screens.append(await axe.run(page))
    found = [
        f"{violation['id']} ({violation['impact']}): {violation['help']}"
        for result in screens
        for violation in result.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert found == []


async def test_a_stale_tab_never_answers_the_next_question(
    ctx: Context, school: School, page: Any
) -> None:
    (code,) = await school.codes("7A", 1)
    await enter(page, code)
    await page.get_by_role("button", name="Beginnen").click()
    await moved_on(page, "_intro")
    # A second tab of the same browser shows the same question.
    stale = await page.context.new_page()
    stale.set_default_timeout(5000)
    await stale.goto(page.base)
    await stale.locator('#controls button[data-screen="safe_school"]').first.wait_for()
    await page.get_by_role("button", name="Ja").click()
    await moved_on(page, "safe_school")
    await stale.get_by_role("button", name="Nee").click()
    await stale.get_by_role("status").filter(has_text="al hebt beantwoord").wait_for()
    await stale.locator('#controls button[data-screen="safe_class"]').first.wait_for()
    assert await stored(ctx) == [{"_intro": 1, "safe_school": 4}]
    assert await stale.locator(".bubble.mine").count() == 0


async def test_helpline_numbers_read_left_to_right_in_arabic(
    ctx: Context, school: School, page: Any
) -> None:
    (code,) = await school.codes("7A", 1)
    await page.goto(page.base)
    await page.get_by_label("Code van je briefje").fill(code)
    await page.get_by_label("Taal").select_option("ar")
    await page.locator("html[dir=rtl]").wait_for(state="attached")
    await page.locator("#controls button[type=submit]").click()
    await page.locator('#controls button[data-screen="_intro"]').click()
    here = await moved_on(page, "_intro")
    while here != "bullied":
        await page.locator("#controls .answer").first.click()
        here = await moved_on(page, here)
    await page.locator("#controls .answer").nth(2).click()  # two or three times a month
    await page.locator('#controls button[data-screen="_support_card"]').wait_for()
    numbers = page.locator('#log li bdi[dir="ltr"]')
    assert "0800-0432" in await numbers.all_inner_texts()
