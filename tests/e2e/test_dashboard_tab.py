"""The facilitator dashboard tab in Debian's Chromium, framed by the TeamsJS test host (tests/e2e/teams_host),
which answers TeamsJS as the Teams client does (initialize, context with the theme, getAuthToken).

Fay runs the program: she adds the tab (its configuration page lists her program and saves the tab for it),
then reads the dashboard in Teams' light, dark and high-contrast themes, and shows the tables with the
keyboard. Ben takes part but does not run the program: the configuration page and the dashboard tell him
why he cannot see them. Ben deletes his data, and Fay's dashboard no longer counts him. Screenshots land in
build/screenshots/dashboard/; look at them."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Frame, Page, async_playwright

from core import commands
from core.bus import MessageBus
from peerlearn.app import RUNTIME, create_app
from tests.e2e.test_lti_pages import CHROMIUM, CONTRAST, FLAGS
from tests.e2e.test_teams_tabs import LANDMARKS, UNLABELLED
from tests.integration.security.issuer import Issuer, running_issuer
from tests.support import dashboard_world
from tests.support.dashboard_world import BEN, FAY, ORG, PROGRAM, TEAM
from tests.support.tabs import TENANT, Colleague, sso_token, tab_settings

ROOT = Path(__file__).resolve().parents[2]
HOST = Path(__file__).resolve().parent / "teams_host"
OUT = ROOT / "build" / "screenshots" / "dashboard"
REQUESTED: dict[Page, list[str]] = {}  # every URL each page asked for, the tab's and the host's

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
    ),
    pytest.mark.skipif(not (HOST / "host.html").exists(), reason="needs the TeamsJS test host page"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    """peerlearn on 127.0.0.1 and the Teams test host on localhost (another site, as Teams is)."""

    app: web.Application
    tabs: str
    host: str
    issuer: Issuer

    def hosted(self, path: str, who: Colleague, *, theme: str = "default", **context: str) -> str:
        query = {
            "tab": f"{self.tabs}{path}",
            "token": sso_token(self.issuer, who),
            "theme": theme,
            "tid": TENANT,
            "oid": who.oid,
            "upn": f"{who.name.split()[0].lower()}@contoso.example",
            **context,
        }
        return f"{self.host}/host.html?{urlencode(query)}"


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    host_port = free_port()
    host_origin = f"http://localhost:{host_port}"
    host_app = web.Application()
    host_app.router.add_static("/", HOST)
    with running_issuer() as issuer:
        settings = tab_settings(
            issuer, f"sqlite:///{tmp_path / 'e2e.db'}", tmp_path, TABS_HOST_ORIGINS=host_origin
        )
        app = create_app(settings)
        server = TestServer(app, host="127.0.0.1")
        host = TestServer(host_app, host="127.0.0.1", port=host_port)
        await server.start_server()
        await host.start_server()
        try:
            await dashboard_world.seed(app[RUNTIME].uow_factory)
            yield Served(app, str(server.make_url("")).rstrip("/"), host_origin, issuer)
        finally:
            await host.close()
            await server.close()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield browser
        finally:
            await browser.close()


async def open_tab(browser: Browser, url: str, ready: str) -> tuple[Page, Frame]:
    """The host page framing the tab, once the tab shows `ready` (a selector)."""
    context = await browser.new_context(viewport={"width": 1140, "height": 900}, timezone_id="Europe/Berlin")
    page = await context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    REQUESTED[page] = requested
    await page.goto(url)
    frame = page.frame_locator("#tab")
    await frame.locator(ready).first.wait_for(timeout=20_000)
    found = next(f for f in page.frames if f.name == "" and f != page.main_frame)
    return page, found


async def shoot(page: Page, frame: Frame, name: str) -> None:
    """The whole tab: the host's iframe and the window grown to the tab's height (Chromium paints a framed
    page from another site only where the window shows it)."""
    height = await frame.evaluate("() => document.documentElement.scrollHeight")
    await page.evaluate(f"() => {{ document.getElementById('tab').style.height = '{height + 20}px'; }}")
    await page.set_viewport_size({"width": 1140, "height": height + 60})
    OUT.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
    await page.set_viewport_size({"width": 1140, "height": 900})


def host_log(entries: list[dict[str, Any]], func: str) -> list[Any]:
    return [e["args"] for e in entries if e["func"] == func]


async def test_fay_adds_the_tab_and_reads_her_programs_health_in_every_theme(
    served: Served, browser: Browser
) -> None:
    configure = served.hosted(
        "/tabs/dashboard/configure", FAY, frameContext="settings", teamId=TEAM, entityId=""
    )
    page, frame = await open_tab(browser, configure, "input[name=program_id]")
    choice = frame.locator("input[name=program_id]")
    assert await choice.count() == 1 and await choice.is_checked()  # her team's program, chosen for her
    assert await frame.evaluate(UNLABELLED) == []
    await page.wait_for_function("() => hostLog.some(e => e.func === 'settings.setValidityState')")
    log = await page.evaluate("() => hostLog")
    assert host_log(log, "settings.setValidityState")[-1] == [True]
    await shoot(page, frame, "configure-fay")
    # Teams asks the page to save when Fay presses Save: the tab's content URL names her program.
    await page.evaluate(
        "() => document.getElementById('tab').contentWindow.postMessage("
        "{func: 'settings.save', args: [{}]}, new URL(document.getElementById('tab').src).origin)"
    )
    await page.wait_for_function("() => hostLog.some(e => e.func === 'settings.setSettings')")
    saved = host_log(await page.evaluate("() => hostLog"), "settings.setSettings")[-1][0]
    assert saved["contentUrl"].endswith(f"/tabs/dashboard?program_id={PROGRAM}")
    assert saved["entityId"] == f"peerlearn-dashboard-{PROGRAM}"
    await page.context.close()

    for theme in ("default", "dark", "contrast"):
        url = served.hosted(f"/tabs/dashboard?program_id={PROGRAM}", FAY, theme=theme, teamId=TEAM)
        page, frame = await open_tab(browser, url, "svg.chart")
        assert await frame.evaluate("() => document.documentElement.dataset.theme") == theme
        heading = await frame.locator("h1").inner_text()
        assert heading == "Platform guild: program health"
        charts = frame.locator("svg.chart[role=img]")
        assert await charts.count() == 6  # four per round, ratings, skills (no messages sent yet)
        titles = await frame.locator("svg.chart > title").all_text_contents()
        assert "People per round" in titles and "Skills wanted against skills taught (people)" in titles
        assert await frame.locator("table caption").count() == 6
        assert await frame.locator("th[scope=row]").count() > 0
        assert await frame.evaluate(CONTRAST) == [], theme
        landmarks = await frame.evaluate(LANDMARKS)
        assert (landmarks["main"], landmarks["h1"]) == (1, ["Platform guild: program health"])
        assert (landmarks["sectionsWithoutName"], landmarks["tablesWithoutHeaders"]) == (0, 0)
        assert await frame.evaluate(UNLABELLED) == []
        assert "fewer than 5" in await frame.locator(".table-alt").first.inner_text()
        await shoot(page, frame, f"dashboard-{theme}")
        # Nothing is fetched from anywhere but peerlearn and the host (no CDN, no fonts, no analytics).
        elsewhere = [
            u for u in REQUESTED[page] if not u.startswith((served.tabs, served.host, "data:", "blob:"))
        ]
        assert elsewhere == []
        assert any(
            u.endswith("/tabs/static/dashboard.css") for u in REQUESTED[page]
        )  # the frame's requests are seen
        if theme == "default":
            # The tables are read by screen readers all along; "Show tables" shows them to everyone.
            table = frame.locator(".table-alt").first
            assert (await table.bounding_box() or {"width": 0})["width"] <= 1
            await frame.locator("#show-tables").focus()
            await page.keyboard.press("Space")
            assert (await table.bounding_box() or {"width": 0})["width"] > 100
            await shoot(page, frame, "dashboard-tables")
            # The figures download with her token, as a CSV of the aggregates only.
            async with page.expect_download() as downloading:
                await frame.locator("[data-tab-download]").click()
            download = await downloading.value
            assert download.suggested_filename == "platform-guild-health.csv"
            text = await asyncio.to_thread(Path(await download.path()).read_text, encoding="utf-8")
            assert "People per round,Round 1,Accepted,6" in text and "Ben" not in text
            # Teams switches to its dark theme while the tab is open: the charts follow.
            bar = frame.locator("svg.chart rect.bar.s0").first
            light = await bar.evaluate("e => getComputedStyle(e).fill")
            await page.evaluate("() => setTheme('dark')")
            await frame.locator("html[data-theme=dark]").wait_for()
            assert await bar.evaluate("e => getComputedStyle(e).fill") != light
        await page.context.close()


async def test_ben_is_told_why_and_leaves_every_figure_when_he_deletes_his_data(
    served: Served, browser: Browser
) -> None:
    page, frame = await open_tab(
        browser,
        served.hosted("/tabs/dashboard/configure", BEN, frameContext="settings", teamId=TEAM),
        ".problem",
    )
    assert "You facilitate no program in this team" in await frame.locator(".problem").inner_text()
    log = await page.evaluate("() => hostLog")
    assert [True] not in host_log(log, "settings.setValidityState")  # he cannot save the tab
    await shoot(page, frame, "configure-ben")
    await page.context.close()

    dashboard = f"/tabs/dashboard?program_id={PROGRAM}"
    page, frame = await open_tab(browser, served.hosted(dashboard, BEN, teamId=TEAM), ".problem")
    said = await frame.locator(".problem").inner_text()
    assert "Only this program's facilitators can see its dashboard" in said
    assert await frame.locator("svg.chart").count() == 0
    await shoot(page, frame, "dashboard-ben")
    await page.context.close()

    page, frame = await open_tab(browser, served.hosted(dashboard, FAY, teamId=TEAM), "svg.chart")
    first = frame.locator("#people-h + svg + .table-alt tbody tr").first
    assert await first.locator("td").all_inner_texts() == ["6", "6", "6"]
    await page.context.close()

    bus = MessageBus(served.app[RUNTIME].uow_factory, served.app[RUNTIME].clock)
    await bus.handle(commands.DeleteMyData(ORG, BEN.person_id))

    page, frame = await open_tab(browser, served.hosted(dashboard, FAY, teamId=TEAM), "svg.chart")
    first = frame.locator("#people-h + svg + .table-alt tbody tr").first
    assert await first.locator("td").all_inner_texts() == ["5", "5", "5"]
    assert "Ben" not in await frame.locator("main").inner_text()
    await shoot(page, frame, "dashboard-after-ben-left")
    await page.context.close()
