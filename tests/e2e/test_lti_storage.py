"""Cookie-less launches in Debian's Chromium: the tool (on 127.0.0.1) in a cross-site iframe of a test LMS page
(on localhost) that implements the platform side of LTI Platform Storage (`Platform.storage_course`).

- cookies blocked (the profile refuses every cookie): the launch completes through the platform's storage
  frame, with no cookie at all;
- cookies allowed: the same page; the tool's state cookie (SameSite=None; Secure; Partitioned, as over
  https) comes back and the launch completes without asking the storage frame again.

Screenshots land in build/screenshots/lti/."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import BrowserContext, Frame, async_playwright
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout

from tests.support.lti.world import World, open_world

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
OUT = ROOT / "build" / "screenshots" / "lti"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # The tool's frame (127.0.0.1) is cross-site to the LMS page (localhost), so with site isolation Chromium
    # moves it into its own process as it navigates. Playwright can lose that frame in the swap (its locators
    # then time out on a questionnaire the screenshot shows, and evaluating in the frame never returns: the
    # clean-clone CI hung here at 1f3d749). Cookies and storage are partitioned by site, not by process, so
    # what is tested here is the same in one process.
    "--disable-site-isolation-trials",
    "--disable-features=IsolateOrigins,site-per-process",
]
DIAGNOSTIC_SECONDS = 5.0  # a diagnostic of a stuck frame must not get stuck itself

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium"),
]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with open_world(f"sqlite:///{tmp_path / 'e2e.db'}", platform_host="localhost") as opened:
        # Cookies as the tool sets them over https (SameSite=None; Secure; Partitioned): Chromium accepts
        # Secure cookies from http://127.0.0.1, so what is tested is the production cookie, not Lax.
        opened.config.tool.secure = True
        yield opened


@contextlib.asynccontextmanager
async def browser_profile(tmp_path: Path, cookies_blocked: bool) -> AsyncIterator[BrowserContext]:
    """A context manager, not a one-pass `async for`: a failure inside the block must still close the
    browser and Playwright's driver here, not when the generator is collected during a later test."""
    profile = tmp_path / ("blocked" if cookies_blocked else "allowed")
    (profile / "Default").mkdir(parents=True)
    preferences: dict[str, Any] = {"profile": {"cookie_controls_mode": 1 if cookies_blocked else 0}}
    if cookies_blocked:
        preferences["profile"]["default_content_setting_values"] = {"cookies": 2}  # none, partitioned or not
    (profile / "Default" / "Preferences").write_text(json.dumps(preferences))
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), args=FLAGS, viewport={"width": 1100, "height": 900}
        )
        try:
            yield context
        finally:
            await context.close()


ATTEMPTS = 2


async def launch_in_lms_iframe(
    context: BrowserContext, world: World, user: str, shot: str
) -> list[dict[str, Any]]:
    """The LMS page with the tool in its iframe, until the questionnaire shows; the postMessages the LMS got.

    A second attempt, in a new tab, as a person would reload: in about one clean-clone CI run in three the
    first cookie-blocked launch of a fresh Chromium showed no questionnaire to Playwright (the frame lost in
    its move to another process, see FLAGS). What each failed attempt showed is printed, each diagnostic
    bounded in time."""
    failures: list[str] = []
    for attempt in range(1, ATTEMPTS + 1):
        page = await context.new_page()
        await page.goto(f"{world.platform.base}/storage-course?user={user}")
        frame = page.frame_locator("iframe")
        try:
            await frame.locator("h2#q-h").wait_for(timeout=30000)
        except PlaywrightTimeout:
            OUT.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(OUT / f"{shot}-failed-{attempt}.png"), full_page=True)
            frames = [(f.url, await _text(f)) for f in page.frames]
            received = await _bounded(page.evaluate("window.ltiMessages"))
            failures.append(f"attempt {attempt}: frames {frames}; the LMS received {received}")
            print(failures[-1])
            await _bounded(page.close())
            continue
        assert await frame.locator("h1").inner_text() == "Study groups: Algorithms 101"
        OUT.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(OUT / f"{shot}.png"), full_page=True)
        messages: list[dict[str, Any]] = await page.evaluate("window.ltiMessages")
        return messages
    raise AssertionError("no questionnaire in any attempt:\n" + "\n".join(failures))


async def _text(frame: Frame) -> str:
    text = await _bounded(frame.evaluate("document.body ? document.body.innerText : '(no body)'"))
    return text[:300] if isinstance(text, str) else str(text)


async def _bounded(evaluation: Awaitable[Any]) -> Any:
    """What the page or frame evaluated, or why not: Playwright's evaluate has no timeout, and waits for ever
    on a frame it lost."""
    try:
        return await asyncio.wait_for(evaluation, DIAGNOSTIC_SECONDS)
    except TimeoutError:
        return f"(no answer in {DIAGNOSTIC_SECONDS:.0f} s)"
    except PlaywrightError as error:
        return f"(unreadable: {error.message[:100]})"


async def test_with_third_party_cookies_blocked_the_launch_completes_through_platform_storage(
    world: World, tmp_path: Path
) -> None:
    async with browser_profile(tmp_path, cookies_blocked=True) as context:
        messages = await launch_in_lms_iframe(context, world, "learner-1", "9-storage-launch-cookies-blocked")
        assert await context.cookies() == []  # nothing was stored: the launch used no cookie
    subjects = [m["subject"] for m in messages]
    assert subjects.count("lti.put_data") == 2 and subjects.count("lti.get_data") == 2, subjects
    assert {m["origin"] for m in messages} == {world.tool_url}  # only the tool's frame talked to the platform
    assert {m["key"] for m in messages if m["subject"] == "lti.get_data"} == {
        m["key"] for m in messages if m["subject"] == "lti.put_data"
    }


async def test_with_cookies_allowed_the_same_page_launches_with_the_state_cookie(
    world: World, tmp_path: Path
) -> None:
    async with browser_profile(tmp_path, cookies_blocked=False) as context:
        messages = await launch_in_lms_iframe(
            context, world, "learner-2", "10-storage-launch-cookies-allowed"
        )
        cookies = await context.cookies()
    subjects = [m["subject"] for m in messages]
    assert subjects.count("lti.put_data") == 2, subjects  # state and nonce were stored at login, as offered
    assert "lti.get_data" not in subjects, (
        subjects
    )  # ...but the state cookie came back, so no check was needed
    assert any(c["name"] == "peerlearn-lti" for c in cookies)
