"""The LTI pages in Debian's Chromium, launched through a real LTI 1.3 platform (`tests/support/lti`):
learners answer the questionnaire (one with the keyboard only on the availability grid), the instructor
sets the group size, forms groups, moves a member and publishes, and a learner sees the group inside the
LMS's iframe. Screenshots land in build/screenshots/lti/; look at them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Frame, Page, async_playwright

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
]
UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
  .map(e => e.outerHTML)"""

# WCAG contrast of each piece of text against the background it is drawn on (4.5:1, or 3:1 for large text),
# and of the focus outline against the page (3:1).
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
  const rules = [...document.styleSheets].flatMap(s => [...s.cssRules]).filter(r => r.selectorText === ':focus-visible');
  if (!rules.length) failures.push('no :focus-visible rule');
  for (const rule of rules) {
    const outline = ratio(rgb(rule.style.outlineColor), background(document.body));
    if (outline < 3) failures.push(`focus outline ${outline.toFixed(2)}`);
  }
  return failures;
}"""

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
    ),
]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with open_world(f"sqlite:///{tmp_path / 'e2e.db'}") as opened:
        yield opened


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield browser
        finally:
            await browser.close()


async def open_as(browser: Browser, world: World, user: str) -> tuple[BrowserContext, Page]:
    """A fresh browser profile for `user`, launched from the platform into the tool."""
    context = await browser.new_context(viewport={"width": 1100, "height": 900}, timezone_id="Europe/Berlin")
    page = await context.new_page()
    await page.goto(world.platform.login_url(user))
    await page.wait_for_selector("h1:has-text('Study groups')")
    return context, page


async def shoot(page: Page, name: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


async def assert_accessible(page: Page | Frame) -> None:
    """Every field has a label; text and the focus outline have enough contrast."""
    assert await page.evaluate(UNLABELLED) == []
    assert await page.evaluate(CONTRAST) == []


async def answer(page: Page, goal: str, skill: str, slots: list[str]) -> None:
    await page.fill("#goals", goal)
    await page.fill("#learn_0", skill)
    await page.select_option("#learn_level_0", "2")
    for slot in slots:
        await page.check(f"#{slot}")
    assert await page.input_value("#timezone") == "Europe/Berlin"  # seeded from the browser
    await page.check("#code_of_conduct")
    await page.click("button:has-text('Save my answers')")
    await page.wait_for_selector("text=your answers are saved")


async def answer_with_the_keyboard(page: Page) -> None:
    """Into the grid with Tab, around it with the arrow keys, tick with Space, out of it with Tab."""
    await page.fill("#goals", "Pass the graph algorithms exam")
    await page.fill("#learn_0", "Dynamic programming")
    await page.focus("#learn_level_2")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "s-0-8"  # the grid is one tab stop
    outline = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # visible focus
    for key in ("ArrowDown", "ArrowRight", "Space", "ArrowRight", "Space", "End", "Space"):
        await page.keyboard.press(key)
    assert await page.evaluate("document.activeElement.id") == "s-6-10"
    for cell in ("s-1-10", "s-2-10", "s-6-10"):
        assert await page.is_checked(f"#{cell}"), cell
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "timezone"
    # The picker was seeded from the browser's zone (Europe/Berlin in this profile), with no inline script.
    assert await page.input_value("#timezone") == "Europe/Berlin"
    assert await page.get_attribute("#timezone", "data-seeded") == "browser"
    await shoot(page, "2-learner-questionnaire-keyboard")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "code_of_conduct"
    await page.keyboard.press("Space")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")  # the submit button
    await page.wait_for_selector("text=your answers are saved")


async def test_learners_answer_the_instructor_forms_moves_publishes_and_a_learner_sees_the_group(
    world: World, browser: Browser
) -> None:
    # The instructor first: a group size of 3 for the six learners.
    teacher, page = await open_as(browser, world, "teacher-1")
    await assert_accessible(page)
    await page.select_option("#group_size", "3")
    await page.click("button:has-text('Save settings')")
    await page.wait_for_selector("text=Settings saved.")
    await teacher.close()

    learner, page = await open_as(browser, world, "learner-1")
    await shoot(page, "1-learner-questionnaire")
    await assert_accessible(page)
    await answer_with_the_keyboard(page)
    await shoot(page, "3-learner-answered")
    await learner.close()
    for i in range(2, 7):
        learner, page = await open_as(browser, world, f"learner-{i}")
        await answer(page, "Pass the graph algorithms exam", "Dynamic programming", ["s-1-10", "s-2-10"])
        await learner.close()

    teacher, page = await open_as(browser, world, "teacher-1")
    assert await page.locator("td .yes").count() == 6  # the roster: everyone answered
    await page.click("button:has-text('Form groups')")
    await page.wait_for_selector("text=Formed 2 draft groups")
    await shoot(page, "4-instructor-drafts")
    await assert_accessible(page)
    group_one = page.locator("section.group").nth(0)
    moving = (await group_one.locator("li").first.inner_text()).split(" Teams")[0].strip()
    await page.select_option("#person_id", label=f"{moving} (group 1)")
    await page.select_option("#to_group", label="Group 2")
    await page.click("button:has-text('Move')")
    await page.wait_for_selector("text=Member moved.")
    assert await page.locator("section.group").nth(0).locator("li").count() == 2
    assert moving in await page.locator("section.group").nth(1).inner_text()
    await page.click("button:has-text('Publish groups')")
    await page.wait_for_selector("text=Published 2 groups")
    await shoot(page, "5-instructor-published")
    await teacher.close()

    # The learner who was moved sees the group, inside the LMS's iframe.
    moved = next(m["user_id"] for m in world.platform.members if m["name"] == moving)
    learner = await browser.new_context(viewport={"width": 1100, "height": 900})
    page = await learner.new_page()
    await page.goto(f"{world.platform.base}/course?user={moved}")
    frame = page.frame_locator("iframe")
    await frame.locator("h2:has-text('My group')").wait_for()
    members = frame.locator("section[aria-labelledby=mygroup] li")
    assert await members.count() == 4
    assert moving in await frame.locator("section[aria-labelledby=mygroup]").inner_text()
    await shoot(page, "6-learner-group-in-lms-iframe")
    # A confidential note to the instructors, from inside the iframe; then the instructor reads it.
    await frame.locator("#note").fill("Could I move to a group that meets in the morning?")
    await frame.locator("button:has-text('Send to the instructors only')").click()
    await frame.locator("text=sent to the course's instructors only").wait_for()
    await learner.close()
    teacher, page = await open_as(browser, world, "teacher-1")
    await page.click("text=Confidential notes from learners")
    await page.wait_for_selector("text=Could I move to a group that meets in the morning?")
    await assert_accessible(page)
    await shoot(page, "6b-instructor-confidential-notes")
    await teacher.close()


async def test_a_questionnaire_with_mistakes_keeps_the_answers_and_shows_each_mistake_by_its_field(
    world: World, browser: Browser
) -> None:
    context, page = await open_as(browser, world, "learner-1")
    await page.fill("#learn_0", "Dynamic programming")
    await page.check("#s-1-10")
    await page.select_option("#timezone", "")
    await page.click("button:has-text('Save my answers')")
    await page.wait_for_selector("#errors")
    assert await page.locator("#errors li").count() == 3  # goals, time zone, code of conduct
    assert await page.input_value("#learn_0") == "Dynamic programming" and await page.is_checked("#s-1-10")
    assert await page.get_attribute("#goals", "aria-describedby") == "err-goals"
    await assert_accessible(page)
    await shoot(page, "2b-learner-questionnaire-mistakes")
    await page.click("#errors a[href='#goals']")
    await page.fill("#goals", "Pass the exam")
    await page.select_option("#timezone", "Asia/Tokyo")
    await page.check("#code_of_conduct")
    await page.click("button:has-text('Save my answers')")
    await page.wait_for_selector("text=your answers are saved")
    await context.close()


async def test_the_deep_linking_and_error_pages_render(world: World, browser: Browser) -> None:
    context = await browser.new_context(viewport={"width": 900, "height": 600})
    page = await context.new_page()
    await page.goto(world.platform.login_url("teacher-1", "deep_link"))
    await page.wait_for_selector("h1:has-text('Add peer study groups')")
    await assert_accessible(page)
    await shoot(page, "7-deep-link")
    await page.goto(f"{world.tool_url}/lti/course?s=forged.token")
    await page.wait_for_selector("h1:has-text('Not verified')")
    await shoot(page, "8-error")
    await context.close()


async def test_an_unregistered_platform_sees_the_message_inside_its_iframe(
    world: World, browser: Browser
) -> None:
    context = await browser.new_context(viewport={"width": 900, "height": 500})
    page = await context.new_page()
    world.platform.base, real = "https://lms.not-registered.example", world.platform.base
    try:
        await page.goto(f"{real}/course?user=learner-1")
    finally:
        world.platform.base = real
    frame = page.frame_locator("iframe")
    alert = frame.locator("[role=alert]")
    await alert.wait_for()
    assert "is not registered with this tool" in await alert.inner_text()
    await shoot(page, "11-unregistered-platform-in-iframe")
    await context.close()


async def test_the_gradebook_review_page_is_readable(world: World, browser: Browser) -> None:
    learner, page = await open_as(browser, world, "learner-1")
    await answer(page, "Pass the exam", "Graphs", ["s-1-10"])
    await learner.close()
    teacher, page = await open_as(browser, world, "teacher-1")
    await page.click("text=Send participation to gradebook…")
    await page.wait_for_selector("h1:has-text('Send participation to the gradebook?')")
    await assert_accessible(page)
    await shoot(page, "12-gradebook-review")
    await page.click("button:has-text('Send 1 score to the gradebook')")
    await page.wait_for_selector("text=Sent participation for 1 learner to the gradebook.")
    assert len(world.platform.scores) == 1
    await teacher.close()


async def test_the_dynamic_registration_review_is_readable(world: World, browser: Browser) -> None:
    from urllib.parse import urlencode

    query = urlencode(
        {
            "openid_configuration": f"{world.platform.base}/.well-known/openid-configuration",
            "registration_token": world.platform.registration_token,
        }
    )
    context = await browser.new_context(viewport={"width": 1000, "height": 800})
    page = await context.new_page()
    await page.goto(f"{world.tool_url}/lti/register?{query}")
    await page.wait_for_selector("h1:has-text('Register Peer study groups with this platform?')")
    await assert_accessible(page)
    await shoot(page, "13-dynamic-registration-review")
    assert world.platform.registrations_received == []
    await context.close()
