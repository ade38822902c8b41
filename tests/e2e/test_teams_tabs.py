"""The "My learning" tab as Teams hosts it: Debian's Chromium opens a test host page (tests/e2e/teams_host) on
one origin that frames the tab from peerlearn on another (cross-site) and answers Microsoft's TeamsJS over
postMessage as the Teams client does: initialize, getContext (theme, user, tenant), getAuthToken (a token the
local OpenID issuer signed), themeChange, executeDeepLink. Ana looks at her learning in the light, dark and
high-contrast themes and pauses with the keyboard only; Ben deletes his data; someone the bot never met is
asked to say hi first. Screenshots land in build/screenshots/tabs/ (the test prints where); look at them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Frame, Page, async_playwright

from peerlearn.app import RUNTIME, create_app
from tests.integration.security.issuer import Issuer, running_issuer
from tests.support.tabs import ANA, BEN, STRANGER, TENANT, Colleague, seed, sso_token, tab_settings

ROOT = Path(__file__).resolve().parents[2]
HOST_FILES = Path(__file__).resolve().parent / "teams_host"
CHROMIUM = Path("/usr/bin/chromium")
OUT = ROOT / "build" / "screenshots" / "tabs"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby')
    && !(e.tagName === 'BUTTON' && e.textContent.trim()))
  .map(e => e.outerHTML)"""
LANDMARKS = """() => ({
  main: document.querySelectorAll('main').length,
  h1: [...document.querySelectorAll('h1')].map(h => h.textContent.trim()),
  unnamedNav: [...document.querySelectorAll('nav')].filter(n => !n.getAttribute('aria-label')).length,
  sectionsWithoutName: [...document.querySelectorAll('section')].filter(
    s => !s.getAttribute('aria-labelledby') && !s.getAttribute('aria-label') && s.getAttribute('role') !== 'alert').length,
  tablesWithoutHeaders: [...document.querySelectorAll('table')].filter(t => !t.querySelector('th')).length,
  lang: document.documentElement.lang,
})"""
# WCAG contrast of each piece of text against its background (4.5:1, 3:1 for large text), and of the focus
# outline (3:1): the same check as the LTI pages'.
CONTRAST = """() => {
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => v / 255).map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const background = e => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor);
    if (c.length === 3 || c[3] > 0) return c.slice(0, 3); } return [255, 255, 255]; };
  const failures = [];
  for (const e of document.querySelectorAll('body *')) {
    const text = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!text || !e.getClientRects().length) continue;
    const style = getComputedStyle(e);
    const large = parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && +style.fontWeight >= 700);
    const r = ratio(rgb(style.color).slice(0, 3), background(e));
    if (r < (large ? 3 : 4.5)) failures.push(`${e.tagName} "${e.textContent.trim().slice(0, 30)}" ${r.toFixed(2)}`);
  }
  const outline = getComputedStyle(document.documentElement).getPropertyValue('--focus').trim();
  const o = ratio(rgb(outline.startsWith('#') ? outline.replace(/^#(..)(..)(..)$/, (_, r, g, b) =>
    `rgb(${parseInt(r, 16)}, ${parseInt(g, 16)}, ${parseInt(b, 16)})`) : outline), background(document.body));
  if (o < 3) failures.push(`focus outline ${o.toFixed(2)}`);
  return failures;
}"""

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
    ),
]


@dataclass
class Hosting:
    issuer: Issuer
    tab_origin: str  # peerlearn, on 127.0.0.1
    host_origin: str  # the test host, on localhost: another site


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    with running_issuer() as running:
        yield running


@pytest.fixture
async def hosting(issuer: Issuer, tmp_path: Path) -> AsyncIterator[Hosting]:
    host_app = web.Application()
    host_app.router.add_static("/", HOST_FILES)
    host = TestServer(host_app, host="127.0.0.1")
    await host.start_server()
    host_origin = f"http://localhost:{host.port}"
    settings = tab_settings(
        issuer, f"sqlite:///{tmp_path / 'tabs.db'}", tmp_path, TABS_HOST_ORIGINS=host_origin
    )
    app = create_app(settings)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        await seed(app[RUNTIME].uow_factory)
        yield Hosting(issuer, f"http://127.0.0.1:{server.port}", host_origin)
    finally:
        await server.close()
        await host.close()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield browser
        finally:
            await browser.close()


@dataclass
class Opened:
    page: Page
    tab: Frame
    requests: list[str]
    console: list[str]


async def open_tab(browser: Browser, hosting: Hosting, who: Colleague, theme: str = "default") -> Opened:
    page = await browser.new_page(viewport={"width": 1120, "height": 1400})
    requests: list[str] = []
    console: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: console.append(message.text))
    query = {
        "tab": f"{hosting.tab_origin}/tabs/my-learning",
        "token": sso_token(hosting.issuer, who),
        "theme": theme,
        "oid": who.oid,
        "tid": TENANT,
        "upn": f"{who.name.split()[0].lower()}@contoso.example",
    }
    await page.goto(f"{hosting.host_origin}/host.html?{urlencode(query)}")
    frame = page.frame_locator("#tab")
    await frame.locator("main[aria-busy]").wait_for(state="detached", timeout=20000)
    tab = next(f for f in page.frames if f.url.startswith(hosting.tab_origin))
    return Opened(page, tab, requests, console)


async def shot(opened: Opened, name: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    await opened.page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


async def host_calls(page: Page) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = await page.evaluate("() => window.hostLog")
    return calls


async def test_ana_sees_her_learning_in_teams_three_themes_from_the_teamsjs_context(
    browser: Browser, hosting: Hosting
) -> None:
    print(f"\nscreenshots: {OUT}")
    for theme in ("default", "dark", "contrast"):
        opened = await open_tab(browser, hosting, ANA, theme)
        tab = opened.tab
        assert await tab.locator("html").get_attribute("data-theme") == theme
        text = await tab.locator("main").inner_text()
        assert "Signed in as Ana Alvarez" in text and "Ben writes window functions on his own" in text
        assert "ROW_NUMBER" not in text  # Ben's check-in answer is his
        assert await tab.evaluate(CONTRAST) == [], theme
        await shot(opened, f"my_learning_{theme}")
        funcs = [c["func"] for c in await host_calls(opened.page)]
        assert funcs[0] == "initialize" and "getContext" in funcs and "authentication.getAuthToken" in funcs
        # Nothing left this machine: every request went to the host page or peerlearn, both on loopback.
        assert {urlsplit(u).hostname for u in opened.requests} <= {"localhost", "127.0.0.1"}, opened.requests
        await opened.page.close()

    # A theme change while the tab is open (Teams' settings) restyles it at once.
    opened = await open_tab(browser, hosting, ANA, "default")
    await opened.page.evaluate("() => window.setTheme('dark')")
    await opened.tab.locator("html[data-theme='dark']").wait_for()
    assert await opened.tab.evaluate(CONTRAST) == []
    await shot(opened, "my_learning_switched_to_dark")


async def test_the_tab_is_named_labelled_and_usable_with_the_keyboard_only(
    browser: Browser, hosting: Hosting
) -> None:
    opened = await open_tab(browser, hosting, ANA)
    tab = opened.tab

    landmarks = await tab.evaluate(LANDMARKS)
    assert landmarks == {
        "main": 1,
        "h1": ["My learning"],
        "unnamedNav": 0,
        "sectionsWithoutName": 0,
        "tablesWithoutHeaders": 0,
        "lang": "en-us",
    }
    assert await tab.evaluate(UNLABELLED) == []

    # From the skip link, Tab through the page to the pause button and press it, mouse untouched.
    await tab.locator("a.skip").focus()
    for _ in range(40):
        await opened.page.keyboard.press("Tab")
        focused = await tab.evaluate("() => document.activeElement.textContent.trim()")
        if focused == "Pause matching":
            break
    else:
        pytest.fail("the pause button cannot be reached with Tab")
    await opened.page.keyboard.press("Enter")
    await tab.get_by_text("Paused: you will not be matched until").wait_for()
    focused_heading = await tab.evaluate(
        "() => document.activeElement.tagName + ' ' + document.activeElement.textContent"
    )
    assert focused_heading == "H1 My learning"  # focus moved to the refreshed content, announced
    await shot(opened, "my_learning_paused_by_keyboard")

    # The profile form: every field labelled, errors tied to their field.
    await tab.get_by_role("link", name="Edit my profile").click()
    await tab.get_by_role("heading", name="Edit my profile").wait_for()
    assert await tab.evaluate(UNLABELLED) == []
    await tab.get_by_label("Hours a month I can give").fill("lots")
    await tab.get_by_role("button", name="Save my profile").click()
    await tab.get_by_text("Some answers need a change").wait_for()
    invalid = tab.locator("#hours_per_month")
    assert await invalid.get_attribute("aria-invalid") == "true"
    await shot(opened, "my_learning_profile_error")


async def test_ben_deletes_his_data_from_the_tab_and_is_told_it_is_gone(
    browser: Browser, hosting: Hosting
) -> None:
    opened = await open_tab(browser, hosting, BEN, "dark")
    tab = opened.tab
    async with opened.page.expect_download() as downloading:
        await tab.get_by_role("button", name="Download my data (JSON)").click()
    download = await downloading.value
    assert download.suggested_filename == "peerlearn-my-data.json"
    saved = await download.path()
    exported = json.loads(await asyncio.to_thread(saved.read_text, encoding="utf-8"))
    assert exported["person"]["display_name"] == "Ben Becker"

    await tab.get_by_role("link", name="Delete my data…").click()
    await tab.get_by_role("heading", name="Delete all my data?").wait_for()
    await shot(opened, "delete_confirm_dark")
    await tab.get_by_role("button", name="Yes, delete everything").click()
    await tab.get_by_role("heading", name="Your data is deleted").wait_for()
    await shot(opened, "deleted_dark")

    again = await open_tab(browser, hosting, BEN, "dark")
    text = await again.tab.locator("main").inner_text()
    assert "Say hi to peerlearn first" in text and "you deleted your" in text
    assert "Ben Becker" not in text


async def test_someone_the_bot_never_met_is_sent_to_the_chat_through_teams(
    browser: Browser, hosting: Hosting
) -> None:
    opened = await open_tab(browser, hosting, STRANGER, "contrast")
    tab = opened.tab
    await tab.get_by_role("heading", name="Say hi to peerlearn first").wait_for()
    await shot(opened, "stranger_contrast")
    await tab.get_by_role("link", name="Open the chat with peerlearn").click()
    await opened.page.wait_for_function(
        "() => window.hostLog.some(c => c.func === 'executeDeepLink')", timeout=10000
    )
    calls = [c for c in await host_calls(opened.page) if c["func"] == "executeDeepLink"]
    assert calls[0]["args"][0].startswith("https://teams.microsoft.com/l/chat/0/0?users=28:")


async def test_the_tab_outside_teams_says_where_to_open_it(browser: Browser, hosting: Hosting) -> None:
    page = await browser.new_page()
    await page.goto(f"{hosting.tab_origin}/tabs/my-learning")
    await page.get_by_role("heading", name="Open this in Microsoft Teams").wait_for()
    assert "Signed in" not in await page.locator("main").inner_text()
